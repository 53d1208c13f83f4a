"""The certificate's life as BPMN (R-9.2 – R-9.6, R-10.3.4, R-11): the part of the certification model
(workflows/model.py) after the grant, one validity cycle per run of the workflow.

The life is a subprocess, ``certificate_life``, drawn on its own page. In it, side by side: the
surveillances (each one a subprocess), the recertification (a subprocess) and the expiry; expiry and
renewal are terminate ends of the cycle, and after the cycle the process ends, whatever still runs
beside it with it. A renewal ends the run; the next cycle is a new run that starts at ``next_cycle``
(continue-as-new). What can happen at any time are event subprocesses: a staff action or an R-11
notification (``act_received``, non-interrupting: it runs beside the rest) and a suspension (started
by the signal 暂停, non-interrupting: the surveillances go on while the certificate is suspended; its
own subprocess ``suspension`` is cancelled by the signal 恢复, its end timer and open task with it).
They are drawn in the process, not in the cycle: SpiffWorkflow triggers the event subprocesses of a
process only, and the code receives actions only while a certificate lives. A withdrawal, decided
wherever it is, is the signal 撤销: it interrupts the cycle (a boundary event of ``certificate_life``)
and the process ends at ``withdrawn``, a terminate end.

Where the code records the same step from two places (an extra surveillance a notification ordered
runs the surveillance steps again), the second element ``marks`` the code's id.
"""

from __future__ import annotations

from workflows.model_elements import ProcessModel

SUSPEND, REINSTATE, WITHDRAW = "suspend", "reinstate", "withdraw"  # SIGNALS


def add_life(m: ProcessModel) -> None:
    a = m.add
    a("sub", "certificate_life", "证书有效期（每个周期一次运行）", "certflow", rule="R-10.1",
      note="one validity cycle; a renewal continues as new into the next run (next_cycle)")
    a("start", "next_cycle", "下一个有效期（继续为新运行）", "certflow", rule="R-9.3", message="next_cycle",
      silent=True, note="a run that continued as new after a renewal (or a long history) starts here")
    a("xor", "cycle_outcome", "换证？", "certflow", silent=True, rule="R-9.3")
    a("end", "next_run", "继续为新运行", "certflow", silent=True,
      note="a renewal: what still runs beside the cycle (a staff action) ends first; then the run continues as new")
    a("end", "life_over", "证书周期结束", "certflow", terminate=True, silent=True,
      note="ends what still runs beside the cycle (a staff action, a suspension)")
    m.flow("granted", "certificate_life")
    m.flow("next_cycle", "certificate_life")
    m.flow("certificate_life", "cycle_outcome")
    m.flow("cycle_outcome", "next_run", "换证", when={"recertification_decision": "renew"})
    m.flow("cycle_outcome", "life_over", "到期", default=True)
    life = "certificate_life"
    a("start", "cycle_started", "有效期开始", "certflow", parent=life, silent=True)
    a("and", "cycle_branches", "监督、再认证与到期并行", "certflow", parent=life, silent=True)
    m.chain("cycle_started", "cycle_branches")
    _surveillances(m, life)
    _recertification(m, life)
    a("timer", "expiry", "证书到期", "certflow", parent=life, rule="R-9.6.8", due="the day after valid_to",
      timer="expires_at")
    a("service", "expire_certificate", "证书注销", "certflow", parent=life, rule="R-9.6.8")
    a("end", "expired", "注销（过期）", "certflow", parent=life, rule="R-9.6.8", terminate=True)
    m.chain("cycle_branches", "expiry", "expire_certificate", "expired")
    # Spiffworkflow triggers event subprocesses of the process only: these two are drawn there; the code
    # receives actions (act Update) only while a certificate lives.
    _staff_action(m, None)
    _suspension(m, None)
    # Withdrawal, from wherever in the cycle it is decided (signal 撤销), ends the cycle and the process.
    a("boundary", "withdrawal_ordered", "撤销", "certflow", attached="certificate_life", signal=WITHDRAW,
      interrupting=True, silent=True)
    a("end", "withdrawn", "撤销", "certflow", rule="R-9.6.7", terminate=True,
      note="final; the number is never used again (R-10.3.5); the organization stops using certificate and mark "
           "(R-10.4)")
    m.chain("withdrawal_ordered", "withdrawn")


def _surveillances(m: ProcessModel, life: str) -> None:
    """Each due date: the preparation opens (the timer after the cycle's last one falls after its expiry),
    then one surveillance with its window."""
    m.add("timer", "surveillance_preparation", "监督审查准备开始", "certflow", parent=life, rule="R-9.2.1",
          due="lead days before each surveillance due date (at most 12 months apart)",
          timer="surveillance_preparation_at")
    m.add("sub", "surveillance", "监督审查", "programme_manager", parent=life, rule="R-9.2", silent=True)
    m.chain("cycle_branches", "surveillance_preparation", "surveillance")
    m.flow("surveillance", "surveillance_preparation")
    surveillance_steps(m, "surveillance", prefix="")
    a = m.add
    # The window closing without a decision (R-9.6.2 Decision), beside the surveillance's steps.
    a("timer", "surveillance_window_closes", "监督审查期限届满", "certflow", parent="surveillance", rule="R-9.6.2",
      due="the end of the due date", timer="surveillance_window_closes_at")
    a("xor", "decided_in_time", "已作出监督决定？", "certflow", parent="surveillance", rule="R-9.6.2")
    a("end", "window_passed", "期限内已决定", "certflow", parent="surveillance", silent=True)
    a("user", "overdue_suspension", "确认暂停（逾期监督）", "manager", parent="surveillance", rule="R-9.6.2",
      role="manager", note="only where the body configured confirmation (overdue_surveillance=confirm)")
    a("event", "window_suspends", "暂停", "certflow", parent="surveillance", signal=SUSPEND, silent=True)
    m.chain("surveillance_branches", "surveillance_window_closes", "decided_in_time")
    m.flow("decided_in_time", "window_passed", "已决定", when={"surveillance_decided": True})
    m.flow("decided_in_time", "window_suspends", "未决定：暂停",
           when={"surveillance_decided": False, "overdue_surveillance": "suspend"})
    m.flow("decided_in_time", "overdue_suspension", "未决定：确认",
           when={"surveillance_decided": False, "overdue_surveillance": "confirm"})
    m.flow("overdue_suspension", "window_suspends")
    m.flow("window_suspends", "window_passed")


def surveillance_steps(m: ProcessModel, parent: str, prefix: str) -> None:
    """One surveillance's steps: changes (R-9.2.2), programme and sampling (R-9.2.5), the team's review
    (R-9.2.4), the audit and the decision (R-9.2.8). ``prefix`` "" draws the planned one (with its window,
    added by the caller), "extra_" the extra one an R-11 notification orders."""
    def a(kind: str, id: str, name: str, lane: str, **attrs) -> str:
        marks = attrs.pop("marks", None) or (id if prefix and not attrs.get("silent") else None)
        return m.add(kind, prefix + id, name, lane, parent=parent, marks=marks, **attrs)

    def chain(*ids: str) -> None:
        m.chain(*(prefix + i for i in ids))

    def flow(source: str, target: str, name: str = "", **when: object) -> None:
        m.flow(prefix + source, prefix + target, name, when=dict(when) or None)

    a("start", "surveillance_started", "监督审查开始", "programme_manager", silent=True)
    a("user", "surveillance_changes", "获证组织变更确认", "programme_manager", rule="R-9.2.2", role="programme_manager")
    a("user", "surveillance_programme", "监督审查方案与抽样", "programme_manager", rule="R-9.2.5",
      role="programme_manager", note="sampling proposed by rules/sampling.py; the surveillance year's audits "
      "together at least 1/3 of the initial time (R-A.n1b)")
    a("user", "surveillance_review", "审查组评审变更", "auditor", rule="R-9.2.4", role="auditor (leader)")
    a("call", "surveillance_audit", "监督审查", "auditor", called="audit", rule="R-9.2")
    a("user", "surveillance_decision", "监督审查决定", "decision_maker", rule="R-9.2.8",
      role="decision_maker, not on the team", due="decision working days, by the due date")
    a("xor", "surveillance_outcome", "保持认证？", "decision_maker", rule="R-9.2.8")
    a("user", "surveillance_more_information", "补充信息（监督）", "programme_manager", rule="R-9.2.8",
      role="programme_manager", due="answer working days")
    a("send", "certificate_maintained", "通知保持认证", "certflow", rule="R-9.2.8")
    a("xor", "overdue_lifted", "逾期暂停是否解除？", "certflow", rule="R-9.6.3",
      note="a suspension for an overdue surveillance ends with the decision to maintain")
    a("event", "surveillance_reinstates", "恢复", "certflow", signal=REINSTATE, silent=True)
    a("event", "surveillance_suspends", "暂停", "certflow", signal=SUSPEND, silent=True)
    a("event", "surveillance_withdraws", "撤销", "certflow", signal=WITHDRAW, silent=True)
    a("end", "surveillance_decided", "监督审查完成", "certflow", silent=True)
    a("end", "surveillance_reinstated", "操作完成", "certflow", marks="action_done")
    if prefix:  # the extra one has no window: it starts with its steps
        chain("surveillance_started", "surveillance_changes")
    else:
        a("and", "surveillance_branches", "步骤与期限", "programme_manager", silent=True)
        chain("surveillance_started", "surveillance_branches", "surveillance_changes")
    chain("surveillance_changes", "surveillance_programme", "surveillance_review", "surveillance_audit",
          "surveillance_decision", "surveillance_outcome")
    flow("surveillance_outcome", "certificate_maintained", "保持", surveillance_decision="maintain")
    flow("surveillance_outcome", "surveillance_more_information", "补充信息", surveillance_decision="more_information")
    flow("surveillance_outcome", "surveillance_suspends", "暂停", surveillance_decision="suspend")
    flow("surveillance_outcome", "surveillance_withdraws", "撤销", surveillance_decision="withdraw")
    chain("surveillance_more_information", "surveillance_decision")
    chain("certificate_maintained", "overdue_lifted")
    flow("overdue_lifted", "surveillance_decided", "未因逾期暂停", suspended_for_overdue=False)
    flow("overdue_lifted", "surveillance_reinstates", "因逾期暂停：恢复", suspended_for_overdue=True)
    chain("surveillance_reinstates", "surveillance_reinstated")
    chain("surveillance_suspends", "surveillance_decided")
    chain("surveillance_withdraws", "surveillance_decided")


def _recertification(m: ProcessModel, life: str) -> None:
    """R-9.3: the invitation, then the application, programme, audit and decision; a renewal ends the cycle."""
    a = m.add
    a("timer", "recertification_invitation", "再认证邀请", "certflow", parent=life, rule="R-9.3",
      due="before expiry (configurable)", timer="recertification_invitation_at")
    a("sub", "recertification", "再认证", "reviewer", parent=life, rule="R-9.3", silent=True)
    a("xor", "renewal_decided", "已换证？", "certflow", parent=life, rule="R-9.3", silent=True)
    a("end", "renewed", "下一个有效期（继续为新运行）", "certflow", parent=life, rule="R-9.3", terminate=True,
      note="the run continues as new into the next cycle (next_cycle)")
    a("end", "recertification_over", "证书运行至到期", "certflow", parent=life, silent=True)
    m.chain("cycle_branches", "recertification_invitation", "recertification", "renewal_decided")
    m.flow("renewal_decided", "renewed", "换证", when={"recertification_decision": "renew"})
    m.flow("renewal_decided", "recertification_over", "未换证", default=True)
    inside = "recertification"
    a("start", "recertification_started", "再认证开始", "reviewer", parent=inside, silent=True)
    a("user", "recertification_application", "再认证申请", "reviewer", parent=inside, rule="R-9.3", role="reviewer")
    a("xor", "recertification_applies", "申请再认证？", "reviewer", parent=inside, rule="R-9.3")
    a("user", "recertification_programme", "再认证方案", "programme_manager", parent=inside, rule="R-9.3",
      role="programme_manager", note="time at least 2/3 of the initial (R-A.n1c)")
    a("call", "recertification_audit", "再认证审查", "auditor", parent=inside, called="audit", rule="R-9.3")
    a("user", "recertification_decision", "再认证决定", "decision_maker", parent=inside, rule="R-9.3",
      role="decision_maker, not on the team", due="by the expiry")
    a("xor", "recertification_outcome", "换证？", "decision_maker", parent=inside, rule="R-9.3")
    a("user", "recertification_more_information", "补充信息（再认证）", "programme_manager", parent=inside,
      rule="R-9.3", role="programme_manager", due="answer working days")
    a("service", "renew_certificate", "换发新证", "certflow", parent=inside, rule="R-9.3")
    a("end", "recertification_closed", "不再认证", "certflow", parent=inside, rule="R-9.3",
      note="the certificate runs to its expiry")
    a("end", "recertified", "已换证", "certflow", parent=inside, silent=True)
    m.chain("recertification_started", "recertification_application", "recertification_applies")
    m.flow("recertification_applies", "recertification_closed", "不申请", when={"recertification_applied": False})
    m.flow("recertification_applies", "recertification_programme", "申请", when={"recertification_applied": True})
    m.chain("recertification_programme", "recertification_audit", "recertification_decision",
            "recertification_outcome")
    m.flow("recertification_outcome", "renew_certificate", "换证", when={"recertification_decision": "renew"})
    m.flow("recertification_outcome", "recertification_closed", "不予换证", when={"recertification_decision": "refuse"})
    m.flow("recertification_outcome", "recertification_more_information", "补充信息",
           when={"recertification_decision": "more_information"})
    m.chain("recertification_more_information", "recertification_decision")
    m.chain("renew_certificate", "recertified")


def _suspension(m: ProcessModel, life: str | None) -> None:
    """R-9.6.3 – R-9.6.6: at most 6 months; before its end a manager withdraws or reduces the scope. A
    reinstatement (signal 恢复) cancels the suspension: its end timer and the open task with it."""
    a = m.add
    a("eventsub", "suspension_period", "暂停期间", "certflow", parent=life, rule="R-9.6.3", silent=True)
    a("start", "suspended", "暂停", "certflow", parent="suspension_period", rule="R-9.6.3", signal=SUSPEND,
      note="at most 6 months; public (R-9.6.4)")
    a("sub", "suspension", "暂停（至多6个月）", "manager", parent="suspension_period", rule="R-9.6.3", silent=True)
    a("boundary", "reinstated", "恢复", "certflow", parent="suspension_period", attached="suspension", rule="R-9.6.3",
      signal=REINSTATE, interrupting=True)
    a("end", "suspension_over", "暂停结束", "certflow", parent="suspension_period", silent=True)
    a("end", "suspension_lifted", "暂停解除", "certflow", parent="suspension_period", silent=True)
    m.chain("suspended", "suspension", "suspension_over")
    m.chain("reinstated", "suspension_lifted")
    inside = "suspension"
    a("start", "suspension_started", "暂停开始", "manager", parent=inside, silent=True)
    a("timer", "suspension_end", "暂停期满前", "certflow", parent=inside, rule="R-9.6.3",
      due="suspension_outcome_lead_days before the suspension's end (at most 6 months)",
      timer="suspension_outcome_opens_at")
    a("user", "suspension_outcome", "撤销或缩小范围", "manager", parent=inside, rule="R-9.6.5", role="manager",
      due="the suspension's last day")
    a("boundary", "suspension_unresolved", "暂停期满仍未处理", "manager", parent=inside, attached="suspension_outcome",
      rule="R-9.6.5", interrupting=True, due="the suspension's end", timer="suspension_ends_at",
      note="the task opens before the end and is due on its last day (suspension_outcome_lead_days); unresolved "
           "at the end: withdrawn (suspension_unresolved=withdraw)")
    a("xor", "suspension_resolution", "处理", "manager", parent=inside, rule="R-9.6.5")
    a("event", "suspension_withdraws", "撤销", "certflow", parent=inside, signal=WITHDRAW, silent=True)
    a("end", "suspension_closed", "暂停结束", "certflow", parent=inside, silent=True)
    a("service", "suspension_reduces_scope", "缩小认证范围并换证", "certflow", parent=inside, rule="R-9.6.6",
      marks="reduce_certificate_scope", operation="reduce_certificate_scope")
    a("end", "suspension_resolved", "操作完成", "certflow", parent=inside, marks="action_done")
    m.chain("suspension_started", "suspension_end", "suspension_outcome", "suspension_resolution")
    m.flow("suspension_resolution", "suspension_withdraws", "撤销", when={"suspension_outcome": "withdraw"})
    m.flow("suspension_resolution", "suspension_reduces_scope", "缩小范围", when={"suspension_outcome": "reduce_scope"})
    m.flow("suspension_unresolved", "suspension_withdraws")
    m.chain("suspension_withdraws", "suspension_closed")
    m.chain("suspension_reduces_scope", "suspension_resolved")


def _staff_action(m: ProcessModel, life: str | None) -> None:
    """A staff action (the ``act`` Update) or an R-11 notification, at any time, beside the rest: its
    effects on the whole certificate are signals (暂停, 恢复, 撤销)."""
    a = m.add
    scope = "staff_action"
    a("eventsub", scope, "认证机构操作与获证组织报告", "certflow", parent=life, rule="R-9.6", silent=True)
    a("start", "act_received", "认证机构操作（act）", "certflow", parent=scope, rule="R-9.6", message="act",
      note="suspend, reinstate, withdraw, reduce_scope, reissue, special_audit, notification")
    a("xor", "action", "操作", "certflow", parent=scope)
    a("event", "action_suspends", "暂停", "certflow", parent=scope, signal=SUSPEND, silent=True)
    a("event", "action_reinstates", "恢复", "certflow", parent=scope, signal=REINSTATE, silent=True)
    a("event", "action_withdraws", "撤销", "certflow", parent=scope, signal=WITHDRAW, silent=True)
    a("service", "reduce_certificate_scope", "缩小认证范围并换证", "certflow", parent=scope, rule="R-9.6.6")
    a("service", "reissue_certificate", "换证（编号与有效期不变）", "certflow", parent=scope, rule="R-10.3.4")
    a("user", "notification_triage", "获证组织报告的处理", "programme_manager", parent=scope, rule="R-11",
      role="programme_manager", due="triage working days; a major complaint the same day")
    a("xor", "triage_outcome", "处理决定", "programme_manager", parent=scope, rule="R-11")
    a("sub", "extra_surveillance", "提前监督审查", "programme_manager", parent=scope, rule="R-9.2.1", silent=True)
    a("user", "special_programme", "特殊审查方案", "programme_manager", parent=scope, rule="R-9.4",
      role="programme_manager")
    a("call", "special_audit", "特殊审查", "auditor", parent=scope, called="audit", rule="R-9.4")
    a("user", "special_decision", "特殊审查后的决定", "decision_maker", parent=scope, rule="R-9.4",
      role="decision_maker, not on the team")
    a("xor", "special_outcome", "决定", "decision_maker", parent=scope, rule="R-9.4")
    a("user", "special_more_information", "补充信息（特殊审查）", "programme_manager", parent=scope, rule="R-9.4",
      role="programme_manager", due="answer working days")
    a("end", "action_done", "操作完成", "certflow", parent=scope)
    m.chain("act_received", "action")
    for target, name, act in (("action_suspends", "暂停", "suspend"), ("action_reinstates", "恢复", "reinstate"),
                              ("action_withdraws", "撤销", "withdraw"),
                              ("reduce_certificate_scope", "缩小范围", "reduce_scope"),
                              ("reissue_certificate", "换证", "reissue"),
                              ("special_programme", "特殊审查", "special_audit"),
                              ("notification_triage", "获证组织报告", "notification")):
        m.flow("action", target, name, when={"act": act})
    m.chain("action_suspends", "action_done")
    m.chain("action_reinstates", "action_done")
    m.chain("action_withdraws", "action_done")
    m.chain("reduce_certificate_scope", "action_done")
    m.chain("reissue_certificate", "action_done")
    m.chain("notification_triage", "triage_outcome")
    for target, name, triage in (("special_programme", "特殊审查", "special_audit"),
                                 ("extra_surveillance", "提前监督", "extra_surveillance"),
                                 ("action_suspends", "暂停", "suspend"), ("action_withdraws", "撤销", "withdraw"),
                                 ("action_done", "不采取措施", "no_action")):
        m.flow("triage_outcome", target, name, when={"triage": triage})
    m.chain("extra_surveillance", "action_done")
    surveillance_steps(m, "extra_surveillance", prefix="extra_")
    m.chain("special_programme", "special_audit", "special_decision", "special_outcome")
    for target, name, decided in (("reissue_certificate", "同意变更范围", "agree_scope_change"),
                                  ("action_reinstates", "恢复", "reinstate"), ("action_suspends", "暂停", "suspend"),
                                  ("action_withdraws", "撤销", "withdraw"),
                                  ("reduce_certificate_scope", "缩小范围", "reduce_scope"),
                                  ("special_more_information", "补充信息", "more_information")):
        m.flow("special_outcome", target, name, when={"special_decision": decided})
    m.flow("special_outcome", "action_done", "保持／不同意变更",
           when={"special_decision": ("maintain", "refuse_scope_change")})
    m.chain("special_more_information", "special_decision")
