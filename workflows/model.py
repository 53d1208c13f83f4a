"""The processes as BPMN models, for people: the body's quality manager and its accreditation assessor.

Each model names its elements with the ids the code uses: a user task's id is the task kind the
workflow opens (``board.ask("application_review", …)``), an end is the stage the workflow ends in, and
every other element is marked where the code passes it (``board.passed("review_conclusion")``), but
the silent ones the code does not record (subprocess frames, signals, merges; ``Element.silent``). The
workflows record the elements they pass (query ``elements``), and the tests check every recorded trace
against these models and every task kind in the code against their user tasks
(tests/workflows/test_bpmn.py); ``certflow bpmn`` writes ``bpmn/*.bpmn`` from them (certflow/bpmn.py).

The models are executable BPMN (certflow/bpmn_semantics.py): every branch has a condition over named
process variables, timers are dates the code computes, messages and signals are declared; an independent
engine (SpiffWorkflow) replays every journey's trace on them (certflow/token_game.py). The
mystery-shopper report is a multi-instance task, one per planned visit. Not drawn element by element:
the reminders of each task (described in its documentation with its due rule).
"""

from __future__ import annotations

from functools import cache

from workflows.model_elements import Element, Flow, ProcessModel
from workflows.model_life import add_life

__all__ = ["MODELS", "MODEL_OF", "Element", "Flow", "ProcessModel"]


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
        resumes=("suspended",))
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

    add_life(m)  # the certificate's life, after the grant (workflows/model_life.py)
    return m.with_merges()


MODELS: tuple[ProcessModel, ...] = (_certification(), _audit())
MODEL_OF = {"CertificationWorkflow": MODELS[0], "AuditWorkflow": MODELS[1]}


@cache
def element_names() -> dict[str, str]:
    """Each element id the code records, with its name in the models (for what a process says it is doing)."""
    return {e.code_id: e.name for m in MODELS for e in m.elements if e.recorded}
