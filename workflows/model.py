"""The processes as BPMN models, for people: the body's quality manager and its accreditation assessor.

Each model names its elements with the ids the code uses: a user task's id is the task kind the
workflow opens (``board.ask("application_review", …)``), an end is the stage the workflow ends in, and
every other element is marked where the code passes it (``board.passed("review_conclusion")``). The
workflows record the elements they pass (query ``elements``), and the tests check every recorded trace
against these models and every task kind in the code against their user tasks
(tests/workflows/test_bpmn.py); ``certflow bpmn`` writes ``bpmn/*.bpmn`` from them (certflow/bpmn.py).

Not drawn element by element: reminders and escalations of each task (non-interrupting, described in
the task's documentation with its due rule), and mystery-shopper visits, one per planned visit (the
task stands for all of them).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import pairwise


@dataclass(frozen=True)
class Element:
    id: str
    kind: str  # start | end | user | service | send | call | xor | and | timer | message | event | boundary
    name: str
    lane: str
    rule: str | None = None
    role: str | None = None
    due: str | None = None
    note: str | None = None
    called: str | None = None  # a call activity's process
    attached: str | None = None  # a boundary event's task
    interrupting: bool = False  # a boundary event that ends its task (the others leave it open)
    message: str | None = None  # the message a start, catch or end event or a send task refers to
    timer: str | None = None  # a timer's ISO 8601 date, as an expression over a variable the code sets
    operation: str | None = None  # the activity a service or send task runs (its implementation)
    each: str | None = None  # a multi-instance task: one instance per item of this collection variable

    @property
    def recorded(self) -> bool:
        """The workflows record every element they pass (query ``elements``) but the merging gateways,
        which only say that flows meet (``ProcessModel.with_merges``)."""
        return not self.id.endswith("_merge")


@dataclass(frozen=True)
class Flow:
    id: str
    source: str
    target: str
    name: str = ""
    # A diverging gateway's flow: the condition over process variables that takes it, and variable values
    # that make it true (the decision a run took there, for the token game of certflow/token_game.py).
    condition: str | None = None
    decision: tuple[tuple[str, object], ...] = ()


@dataclass
class ProcessModel:
    id: str
    file: str
    name: str
    documentation: str
    lanes: list[tuple[str, str]]
    # Where a run that continued as new picks the process up again (its trace starts after it).
    resumes: tuple[str, ...] = ()
    elements: list[Element] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)

    def add(self, kind: str, id: str, name: str, lane: str, **attrs) -> str:
        self.elements.append(Element(id=id, kind=kind, name=name, lane=lane, **attrs))
        return id

    def flow(self, source: str, target: str, name: str = "", when: dict[str, object] | None = None) -> None:
        """A sequence flow; ``when`` the variable values that take it out of a diverging gateway (a
        conjunction of equalities, booleans as themselves)."""
        self.flows.append(Flow(id=f"flow_{source}__{target}", source=source, target=target, name=name,
                               condition=_condition(when) if when else None,
                               decision=tuple(when.items()) if when else ()))

    def chain(self, *ids: str) -> None:
        for source, target in pairwise(ids):
            self.flow(source, target)

    def element(self, id: str) -> Element:
        return next(e for e in self.elements if e.id == id)

    def with_merges(self) -> ProcessModel:
        """Where flows meet, an exclusive gateway merges them (``{id}_merge``), as BPMN style asks (bpmnlint
        fake-join, no-gateway-join-fork): before a task or event with several ways in, and before a
        gateway that would both join and split."""
        incoming: dict[str, list[Flow]] = {}
        outgoing: dict[str, int] = {}
        for f in self.flows:
            incoming.setdefault(f.target, []).append(f)
            outgoing[f.source] = outgoing.get(f.source, 0) + 1
        for e in list(self.elements):
            ways_in = incoming.get(e.id, [])
            gateway = e.kind in ("xor", "and")
            if len(ways_in) < 2 or (gateway and outgoing.get(e.id, 0) < 2):
                continue
            merge = self.add("xor", f"{e.id}_merge", "", e.lane)
            self.flows = [replace(f, id=f"flow_{f.source}__{merge}", target=merge) if f in ways_in else f
                          for f in self.flows]
            self.flow(merge, e.id)
        return self

    @property
    def user_tasks(self) -> set[str]:
        return {e.id for e in self.elements if e.kind == "user"}


def _condition(when: dict[str, object]) -> str:
    parts = []
    for variable, value in when.items():
        if value is True:
            parts.append(variable)
        elif value is False:
            parts.append(f"not {variable}")
        elif isinstance(value, tuple):
            parts.append(f"{variable} in {value!r}")
        else:
            parts.append(f"{variable} == {value!r}")
    return " and ".join(parts)


# ---------------------------------------------------------------------------------------- the audit

def _audit() -> ProcessModel:
    m = ProcessModel(
        "audit", "audit", "审查过程（AuditWorkflow）",
        "One audit of any kind (initial, surveillance, recertification, special): stage 1 where it has one, "
        "mystery-shopper visits and the on-site plan, the on-site audit, nonconformity follow-up, the report.",
        lanes=[("auditor", "审查组（组长）"), ("mystery_shopper", "神秘顾客"), ("certflow", "certflow")])
    a = m.add
    a("start", "audit_started", "审查开始", "certflow", note="started by the certification process")
    a("service", "record_audit", "登记审查与审查组", "certflow")
    a("xor", "stage1_needed", "单独的一阶段审查？", "auditor", rule="R-9.1.5")
    a("user", "stage1", "一阶段审查", "auditor", rule="R-9.1.5", role="auditor (leader)",
      due="the programme's stage 1 day")
    a("xor", "stage1_ready", "具备现场审查条件？", "auditor", rule="R-9.1.5")
    a("send", "stage1_not_ready", "通知受审查方整改", "certflow", rule="R-9.1.5")
    a("and", "visits_and_plan", "暗访与审查计划", "auditor")
    a("user", "mystery_shopper_report", "神秘顾客暗访报告", "mystery_shopper", rule="R-3.10",
      role="mystery_shopper", due="the planned visit day", note="one per planned visit; none where none is planned",
      each="planned_visits")
    a("user", "onsite_plan", "现场审查计划告知", "auditor", rule="R-9.1.6", role="auditor (leader)",
      due="3 working days before the on-site audit (0 at short notice, R-9.4.2)")
    a("send", "plan_to_auditee", "发送现场审查计划", "certflow", rule="R-9.1.6")
    a("and", "visits_and_plan_done", "暗访与计划完成", "auditor")
    a("user", "onsite_audit", "现场审查", "auditor", rule="R-9.1.7", role="auditor (leader)", due="the on-site end day")
    a("service", "record_onsite_results", "记录结果并计算等级", "certflow", rule="R-6")
    a("xor", "open_nonconformities", "有不符合项？", "auditor", rule="R-9.1.7")
    a("user", "nonconformity_follow_up", "不符合项整改验证", "auditor", rule="R-9.1.7", role="auditor (leader)",
      due="follow-up days after the on-site audit")
    a("user", "audit_report", "审查报告与推荐意见", "auditor", rule="R-9.1.8", role="auditor (leader)",
      due="report working days")
    a("service", "conclude_audit", "审查结论", "certflow", rule="R-9.1.8")
    a("send", "report_to_auditee", "发送审查报告", "certflow", rule="R-9.1.8")
    a("end", "concluded", "审查完成", "certflow")
    m.chain("audit_started", "record_audit", "stage1_needed")
    m.flow("stage1_needed", "stage1", "是", when={"stage1_separate": True})
    m.flow("stage1_needed", "visits_and_plan", "否", when={"stage1_separate": False})
    m.chain("stage1", "stage1_ready")
    m.flow("stage1_ready", "visits_and_plan", "具备", when={"ready_for_onsite": True})
    m.flow("stage1_ready", "stage1_not_ready", "不具备", when={"ready_for_onsite": False})
    m.flow("stage1_not_ready", "stage1")
    m.chain("visits_and_plan", "mystery_shopper_report", "visits_and_plan_done")
    m.chain("visits_and_plan", "onsite_plan", "plan_to_auditee", "visits_and_plan_done")
    m.chain("visits_and_plan_done", "onsite_audit", "record_onsite_results", "open_nonconformities")
    m.flow("open_nonconformities", "nonconformity_follow_up", "有", when={"nonconformities_open": True})
    m.flow("open_nonconformities", "audit_report", "无", when={"nonconformities_open": False})
    m.chain("nonconformity_follow_up", "audit_report", "conclude_audit", "report_to_auditee", "concluded")
    return m.with_merges()


# -------------------------------------------------------------------------------- the certification

def _certification() -> ProcessModel:
    m = ProcessModel(
        "certification", "certification", "认证过程（CertificationWorkflow）",
        "One certification from the application to the certificate's end: initial certification (R-9.1), "
        "then the certificate's life, one validity cycle per run (R-9.2 – R-9.6, R-10.3.4, R-11).",
        lanes=[("reviewer", "评审员"), ("programme_manager", "方案管理"), ("auditor", "审查组"),
               ("decision_maker", "认证决定"), ("manager", "主管"), ("certflow", "certflow")],
        resumes=("certificate_life",))
    a = m.add
    # Initial certification.
    a("start", "application_submitted", "提交认证申请", "certflow", rule="R-9.1.1", message="application")
    a("service", "record_application", "登记申请", "certflow", rule="R-9.1.1")
    a("user", "application_review", "申请评审", "reviewer", rule="R-9.1.2", role="reviewer", due="3 working days")
    a("xor", "review_conclusion", "评审结论", "reviewer", rule="R-9.1.2.8")
    a("send", "application_rejected", "书面通知不予受理", "certflow", rule="R-9.1.2.8")
    a("end", "rejected", "不予受理", "certflow", rule="R-9.1.2.8")
    a("user", "audit_time_confirmation", "审查时间确认（超出附录A）", "manager", rule="R-A.table", role="manager",
      due="confirmation working days", note="Decision: above 1,175 people the table is ours; the manager confirms "
      "the audit time or changes it with a reason, before the contract")
    a("user", "contract", "签订认证合同", "reviewer", rule="R-9.1.2.8", role="reviewer", due="contract working days")
    a("user", "programme", "认证方案与审查组", "programme_manager", rule="R-9.1.3", role="programme_manager",
      due="programme working days")
    a("call", "initial_audit", "初次认证审查", "auditor", called="audit", rule="R-9.1.5")
    a("user", "materials_review", "审查材料审核", "programme_manager", rule="R-9.1.9", role="programme_manager",
      due="materials working days")
    a("xor", "materials_accepted", "材料齐全？", "programme_manager", rule="R-9.1.9")
    a("user", "certification_decision", "认证决定", "decision_maker", rule="R-9.1.9",
      role="decision_maker, not on the team (R-9.1.9.n1)", due="10 working days")
    a("xor", "decision_outcome", "决定", "decision_maker", rule="R-9.1.9")
    a("user", "more_information", "补充信息", "programme_manager", rule="R-9.1.9", role="programme_manager",
      due="answer working days")
    a("send", "certification_refused", "书面通知不予认证", "certflow", rule="R-9.1.9")
    a("end", "refused", "不予认证", "certflow", rule="R-9.1.9")
    a("service", "grant_certificate", "颁发证书并公布", "certflow", rule="R-9.1.9", note="number (R-10.3), "
      "sub-certificates (R-10.3.3), the public register (R-9.1.9.n3), the document (R-10.2)")
    a("event", "granted", "获证", "certflow", rule="R-9.1.9")
    # The scheme's own deadlines, as non-interrupting timers: the manager is told, the task stays open.
    for task, rule, days, words in (("application_review", "R-9.1.2", "3 working days", "3个工作日"),
                                    ("certification_decision", "R-9.1.9", "10 working days", "10个工作日")):
        lane = m.element(task).lane
        a("boundary", f"{task}_overdue", f"{words}已过", lane, attached=task, rule=rule, due=days,
          timer=f"{task}_due")
        a("end", f"{task}_escalated", "告知主管", lane, rule=rule, message="escalation",
          note="the task stays open; reminders before the due date are not drawn")
        m.flow(f"{task}_overdue", f"{task}_escalated")
    m.chain("application_submitted", "record_application", "application_review", "review_conclusion")
    m.flow("review_conclusion", "application_rejected", "不予受理", when={"review_conclusion": "reject"})
    m.chain("application_rejected", "rejected")
    m.flow("review_conclusion", "contract", "受理",
           when={"review_conclusion": "accept", "audit_time_above_table": False})
    m.flow("review_conclusion", "audit_time_confirmation", "受理，人数超出附录A",
           when={"review_conclusion": "accept", "audit_time_above_table": True})
    m.flow("audit_time_confirmation", "contract")
    m.chain("contract", "programme", "initial_audit", "materials_review", "materials_accepted")
    m.flow("materials_accepted", "materials_review", "不齐全", when={"materials_complete": False})
    m.flow("materials_accepted", "certification_decision", "齐全", when={"materials_complete": True})
    m.chain("certification_decision", "decision_outcome")
    m.flow("decision_outcome", "more_information", "补充信息", when={"decision": "more_information"})
    m.flow("more_information", "certification_decision")
    m.flow("decision_outcome", "certification_refused", "不予认证", when={"decision": "refuse"})
    m.chain("certification_refused", "refused")
    m.flow("decision_outcome", "grant_certificate", "认证", when={"decision": "grant"})
    m.chain("grant_certificate", "granted")

    # The certificate's life: one validity cycle per run, its branches side by side.
    a("and", "certificate_life", "证书有效期（每个周期一次运行）", "certflow", rule="R-10.1",
      note="a run that continued as new (after recertification) starts here")
    m.flow("granted", "certificate_life")
    # Surveillance.
    a("timer", "surveillance_preparation", "监督审查准备开始", "certflow", rule="R-9.2.1",
      due="lead days before each surveillance due date (at most 12 months apart)",
      timer="surveillance_preparation_at")
    a("user", "surveillance_changes", "获证组织变更确认", "programme_manager", rule="R-9.2.2", role="programme_manager")
    a("user", "surveillance_programme", "监督审查方案与抽样", "programme_manager", rule="R-9.2.5",
      role="programme_manager", note="sampling proposed by rules/sampling.py; the surveillance year's audits together "
      "at least 1/3 of the initial time (R-A.n1b)")
    a("user", "surveillance_review", "审查组评审变更", "auditor", rule="R-9.2.4", role="auditor (leader)")
    a("call", "surveillance_audit", "监督审查", "auditor", called="audit", rule="R-9.2")
    a("user", "surveillance_decision", "监督审查决定", "decision_maker", rule="R-9.2.8",
      role="decision_maker, not on the team", due="decision working days, by the due date")
    a("xor", "surveillance_outcome", "保持认证？", "decision_maker", rule="R-9.2.8")
    a("send", "certificate_maintained", "通知保持认证", "certflow", rule="R-9.2.8")
    m.chain("certificate_life", "surveillance_preparation", "surveillance_changes", "surveillance_programme",
            "surveillance_review", "surveillance_audit", "surveillance_decision", "surveillance_outcome")
    a("xor", "overdue_lifted", "逾期暂停是否解除？", "certflow", rule="R-9.6.3",
      note="a suspension for an overdue surveillance ends with the decision to maintain")
    m.flow("surveillance_outcome", "certificate_maintained", "保持", when={"surveillance_decision": "maintain"})
    m.chain("certificate_maintained", "overdue_lifted")
    m.flow("overdue_lifted", "surveillance_preparation", "未暂停", when={"suspended_for_overdue": False})
    m.flow("overdue_lifted", "reinstated", "因逾期暂停", when={"suspended_for_overdue": True})
    a("user", "surveillance_more_information", "补充信息（监督）", "programme_manager", rule="R-9.2.8",
      role="programme_manager", due="answer working days")
    m.flow("surveillance_outcome", "surveillance_more_information", "补充信息",
           when={"surveillance_decision": "more_information"})
    m.flow("surveillance_more_information", "surveillance_decision")
    # The window closing without a decision (R-9.6.2 Decision).
    a("timer", "surveillance_window_closes", "监督审查期限届满", "certflow", rule="R-9.6.2",
      due="the end of the due date", timer="surveillance_window_closes_at")
    a("xor", "decided_in_time", "已作出监督决定？", "certflow", rule="R-9.6.2")
    a("user", "overdue_suspension", "确认暂停（逾期监督）", "manager", rule="R-9.6.2", role="manager",
      note="only where the body configured confirmation (overdue_surveillance=confirm)")
    m.chain("certificate_life", "surveillance_window_closes", "decided_in_time")
    m.flow("decided_in_time", "surveillance_window_closes", "已决定：下一期限", when={"surveillance_decided": True})
    # Suspension.
    a("event", "suspended", "暂停", "certflow", rule="R-9.6.3", note="at most 6 months; public (R-9.6.4)")
    a("timer", "suspension_end", "暂停期满前", "certflow", rule="R-9.6.3",
      due="suspension_outcome_lead_days before the suspension's end (at most 6 months)",
      timer="suspension_outcome_opens_at")
    a("user", "suspension_outcome", "撤销或缩小范围", "manager", rule="R-9.6.5", role="manager",
      due="the suspension's last day")
    a("xor", "suspension_resolution", "处理", "manager", rule="R-9.6.5")
    a("boundary", "suspension_unresolved", "暂停期满仍未处理", "manager", attached="suspension_outcome",
      rule="R-9.6.5", interrupting=True, due="the suspension's end", timer="suspension_ends_at",
      note="the task opens before the end and is due on its last day (suspension_outcome_lead_days); unresolved "
           "at the end: withdrawn (suspension_unresolved=withdraw), or escalated and left open (=escalate)")
    a("service", "reduce_certificate_scope", "缩小认证范围并换证", "certflow", rule="R-9.6.6")
    a("end", "withdrawn", "撤销", "certflow", rule="R-9.6.7", note="final; the number is never used again "
      "(R-10.3.5); the organization stops using certificate and mark (R-10.4)")
    m.flow("decided_in_time", "suspended", "未决定：暂停",
           when={"surveillance_decided": False, "overdue_surveillance": "suspend"})
    m.flow("decided_in_time", "overdue_suspension", "未决定：确认",
           when={"surveillance_decided": False, "overdue_surveillance": "confirm"})
    m.flow("overdue_suspension", "suspended")
    m.flow("surveillance_outcome", "suspended", "暂停", when={"surveillance_decision": "suspend"})
    m.flow("surveillance_outcome", "withdrawn", "撤销", when={"surveillance_decision": "withdraw"})
    m.chain("suspended", "suspension_end", "suspension_outcome", "suspension_resolution")
    m.flow("suspension_resolution", "withdrawn", "撤销", when={"suspension_outcome": "withdraw"})
    m.flow("suspension_unresolved", "withdrawn")
    m.flow("suspension_resolution", "reduce_certificate_scope", "缩小范围", when={"suspension_outcome": "reduce_scope"})
    m.flow("reduce_certificate_scope", "action_done")
    # Recertification and expiry.
    a("timer", "recertification_invitation", "再认证邀请", "certflow", rule="R-9.3", due="before expiry (configurable)",
      timer="recertification_invitation_at")
    a("user", "recertification_application", "再认证申请", "reviewer", rule="R-9.3", role="reviewer")
    a("xor", "recertification_applies", "申请再认证？", "reviewer", rule="R-9.3")
    a("user", "recertification_programme", "再认证方案", "programme_manager", rule="R-9.3", role="programme_manager",
      note="time at least 2/3 of the initial (R-A.n1c)")
    a("call", "recertification_audit", "再认证审查", "auditor", called="audit", rule="R-9.3")
    a("user", "recertification_decision", "再认证决定", "decision_maker", rule="R-9.3",
      role="decision_maker, not on the team", due="by the expiry")
    a("xor", "recertification_outcome", "换证？", "decision_maker", rule="R-9.3")
    a("service", "renew_certificate", "换发新证", "certflow", rule="R-9.3")
    a("end", "renewed", "下一个有效期（继续为新运行）", "certflow", rule="R-9.3",
      note="the run continues as new into the next cycle at certificate_life")
    a("end", "recertification_closed", "不再认证", "certflow", rule="R-9.3", note="the certificate runs to its expiry")
    a("timer", "expiry", "证书到期", "certflow", rule="R-9.6.8", due="the day after valid_to",
      timer="expires_at")
    a("service", "expire_certificate", "证书注销", "certflow", rule="R-9.6.8")
    a("end", "expired", "注销（过期）", "certflow", rule="R-9.6.8")
    m.chain("certificate_life", "recertification_invitation", "recertification_application", "recertification_applies")
    m.flow("recertification_applies", "recertification_closed", "不申请", when={"recertification_applied": False})
    m.flow("recertification_applies", "recertification_programme", "申请", when={"recertification_applied": True})
    m.chain("recertification_programme", "recertification_audit", "recertification_decision",
            "recertification_outcome")
    m.flow("recertification_outcome", "renew_certificate", "换证", when={"recertification_decision": "renew"})
    m.flow("recertification_outcome", "recertification_closed", "不予换证", when={"recertification_decision": "refuse"})
    a("user", "recertification_more_information", "补充信息（再认证）", "programme_manager", rule="R-9.3",
      role="programme_manager", due="answer working days")
    m.flow("recertification_outcome", "recertification_more_information", "补充信息",
           when={"recertification_decision": "more_information"})
    m.flow("recertification_more_information", "recertification_decision")
    m.chain("renew_certificate", "renewed")
    m.chain("certificate_life", "expiry", "expire_certificate", "expired")
    # Staff actions (the act Update) and R-11 notifications, at any time.
    a("message", "act_received", "认证机构操作（act）", "certflow", rule="R-9.6", message="act",
      note="suspend, reinstate, withdraw, reduce_scope, reissue, special_audit, notification")
    a("xor", "action", "操作", "certflow")
    a("event", "reinstated", "恢复", "certflow", rule="R-9.6.3")
    a("service", "reissue_certificate", "换证（编号与有效期不变）", "certflow", rule="R-10.3.4")
    a("user", "notification_triage", "获证组织报告的处理", "programme_manager", rule="R-11", role="programme_manager",
      due="triage working days; a major complaint the same day")
    a("xor", "triage_outcome", "处理决定", "programme_manager", rule="R-11")
    a("user", "special_programme", "特殊审查方案", "programme_manager", rule="R-9.4", role="programme_manager")
    a("call", "special_audit", "特殊审查", "auditor", called="audit", rule="R-9.4")
    a("user", "special_decision", "特殊审查后的决定", "decision_maker", rule="R-9.4",
      role="decision_maker, not on the team")
    a("xor", "special_outcome", "决定", "decision_maker", rule="R-9.4")
    a("end", "action_done", "操作完成", "certflow")
    m.chain("certificate_life", "act_received", "action")
    m.flow("action", "suspended", "暂停", when={"act": "suspend"})
    m.flow("action", "reinstated", "恢复", when={"act": "reinstate"})
    m.flow("action", "withdrawn", "撤销", when={"act": "withdraw"})
    m.flow("action", "reduce_certificate_scope", "缩小范围", when={"act": "reduce_scope"})
    m.flow("action", "reissue_certificate", "换证", when={"act": "reissue"})
    m.flow("action", "special_programme", "特殊审查", when={"act": "special_audit"})
    m.flow("action", "notification_triage", "获证组织报告", when={"act": "notification"})
    m.chain("reinstated", "action_done")
    m.chain("reissue_certificate", "action_done")
    m.chain("notification_triage", "triage_outcome")
    m.flow("triage_outcome", "special_programme", "特殊审查", when={"triage": "special_audit"})
    m.flow("triage_outcome", "surveillance_changes", "提前监督", when={"triage": "extra_surveillance"})
    m.flow("triage_outcome", "suspended", "暂停", when={"triage": "suspend"})
    m.flow("triage_outcome", "withdrawn", "撤销", when={"triage": "withdraw"})
    m.flow("triage_outcome", "action_done", "不采取措施", when={"triage": "no_action"})
    m.chain("special_programme", "special_audit", "special_decision", "special_outcome")
    m.flow("special_outcome", "reissue_certificate", "同意变更范围", when={"special_decision": "agree_scope_change"})
    m.flow("special_outcome", "reinstated", "恢复", when={"special_decision": "reinstate"})
    m.flow("special_outcome", "suspended", "暂停", when={"special_decision": "suspend"})
    m.flow("special_outcome", "withdrawn", "撤销", when={"special_decision": "withdraw"})
    m.flow("special_outcome", "reduce_certificate_scope", "缩小范围", when={"special_decision": "reduce_scope"})
    m.flow("special_outcome", "action_done", "保持／不同意变更",
           when={"special_decision": ("maintain", "refuse_scope_change")})
    a("user", "special_more_information", "补充信息（特殊审查）", "programme_manager", rule="R-9.4",
      role="programme_manager", due="answer working days")
    m.flow("special_outcome", "special_more_information", "补充信息", when={"special_decision": "more_information"})
    m.flow("special_more_information", "special_decision")
    return m.with_merges()


MODELS: tuple[ProcessModel, ...] = (_certification(), _audit())
MODEL_OF = {"CertificationWorkflow": MODELS[0], "AuditWorkflow": MODELS[1]}
