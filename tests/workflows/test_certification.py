"""Initial certification end to end through the workflows (R-9.1.1 – R-9.1.10), with the register."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.common import SearchAttributeKey
from temporalio.exceptions import ApplicationError

from store.applications import get_application
from store.certificates import certificate_sites, get_certificate
from store.events import events_for
from store.tasks import get_task


async def refused(call) -> ApplicationError:
    """The ApplicationError an Update's validator (or handler) refused with."""
    with pytest.raises(WorkflowUpdateFailedError) as failure:
        await call
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError)
    return cause


def rule_of(error: ApplicationError) -> str | None:
    return error.details[0]["rule_id"] if error.details else None


async def outbox_rows(pool) -> list:
    return await pool.fetch("SELECT recipient, subject, template FROM outbox ORDER BY id")


async def test_grant_path_publishes_a_certificate_R_9_1_9(journey, pool):
    p = journey.people
    await journey.start()
    review = await journey.task("application_review")
    assert review.rule_id == "R-9.1.2" and review.role == "reviewer"
    today = await journey.to_programme()
    await journey.complete("programme", p.programme_manager, journey.programme(today))
    await journey.stage("audit")
    await journey.through_audit()
    decision = await journey.task("certification_decision")
    assert decision.rule_id == "R-9.1.9"
    await journey.complete("certification_decision", p.decision_maker, {"outcome": "grant", "star_level": "five_star"})
    status = await journey.stage("granted")

    number = status.certificate_number
    cert = await get_certificate(pool, number)
    assert cert.status == "valid" and cert.star_level == "five_star"
    assert cert.valid_from == cert.issued_on and cert.valid_to.year == cert.valid_from.year + 3
    assert (cert.valid_to + timedelta(days=1)).replace(year=cert.valid_from.year) == cert.valid_from
    subs = [s.sub_number for s in await certificate_sites(pool, number)]
    assert subs == [f"{number}-1", f"{number}-2"]
    described = await journey.handle.describe()
    assert described.typed_search_attributes.get(SearchAttributeKey.for_keyword("CertStatus")) == "valid"
    assert described.typed_search_attributes.get(SearchAttributeKey.for_keyword("CertificateNumber")) == number
    assert described.typed_search_attributes.get(SearchAttributeKey.for_keyword("StarLevel")) == "five_star"
    events = await events_for(pool, workflow_id=journey.workflow_id)
    kinds = [e.kind for e in events]
    assert kinds[0] == "application.received" and "certificate.granted" in kinds
    assert all(e.rule_id for e in events if e.kind.endswith(".completed"))  # every step under its rule
    assert (await get_application(pool, journey.application_id)).status == "granted"
    sent = [(r["recipient"], r["template"]) for r in await outbox_rows(pool)]
    assert ("contact@example.cn", "certificate_granted") in sent



async def test_due_dates_count_working_days_R_9_1_2_and_R_9_1_9(journey, pool):
    from rules.calendar import add_working_days

    await journey.start()
    review = await journey.task("application_review")
    today = await journey.today()
    assert review.due_on == add_working_days(today, 3).date  # 3 working days
    row = await get_task(pool, review.task_id)
    assert row.due_on == review.due_on and row.status == "open" and row.payload_schema["title"] == "ApplicationReview"


async def test_reject_path_ends_rejected_with_written_reasons_R_9_1_2_8(journey, pool):
    p = journey.people
    await journey.start()
    error = await refused(journey.complete("application_review", p.reviewer, journey.review("reject")))
    assert rule_of(error) == "R-9.1.2.8"  # a rejection without reasons is refused
    await journey.complete("application_review", p.reviewer, journey.review("reject", "不属于认证范围"))
    assert await journey.handle.result() == "rejected"
    assert (await get_application(pool, journey.application_id)).status == "rejected"
    mails = await pool.fetch("SELECT recipient, body, template FROM outbox ORDER BY id")
    assert [(m["recipient"], m["template"]) for m in mails] == [("contact@example.cn", "application_received"),
                                                                ("contact@example.cn", "application_rejected")]
    assert "不属于认证范围" in mails[1]["body"]


async def test_a_rejection_is_mailed_to_the_applicant_exactly_once_R_9_1_2_8(journey, pool, smtp):
    from activities.notify import message_id_for

    await journey.start()
    await journey.complete("application_review", journey.people.reviewer, journey.review("reject", "不属于认证范围"))
    assert await journey.handle.result() == "rejected"  # a workflow ends only once its mail is delivered
    received, mail = smtp.messages  # the acknowledgement came first
    assert received["Subject"].startswith("认证申请已收到")
    assert mail["To"] == "contact@example.cn" and mail["Subject"] == "认证申请评审结论：不予受理"
    assert "不属于认证范围" in mail.get_body().get_content()
    rows = await pool.fetch("SELECT idempotency_key, status, attempts, message_id FROM outbox ORDER BY id")
    assert [(row["status"], row["attempts"]) for row in rows] == [("sent", 1), ("sent", 1)]
    assert [row["message_id"] for row in rows] == [received["Message-ID"], mail["Message-ID"]] == [
        message_id_for(row["idempotency_key"]) for row in rows]


async def test_a_mail_server_refusing_holds_up_nothing_and_is_retried(journey, pool, smtp):
    """Delivery runs beside the process (workflows/mail.py): the rejection takes effect while the server
    refuses; Temporal retries with backoff; the workflow ends once the mail is out, sent once."""
    smtp.reply = "451 4.3.0 mailbox busy, try later"
    await journey.start()
    await journey.complete("application_review", journey.people.reviewer, journey.review("reject", "不属于认证范围"))
    await smtp.wait_until(lambda: smtp.refusals >= 1, "refusal")
    await journey.stage("rejected")
    assert (await get_application(pool, journey.application_id)).status == "rejected"
    assert smtp.messages == []
    smtp.reply = "250 OK"  # the server is back
    assert await journey.handle.result() == "rejected"  # time skips the retry's backoff
    assert sorted(str(m["Subject"])[:6] for m in smtp.messages) == ["认证申请已收", "认证申请评审"]  # each once
    rows = await pool.fetch("SELECT status, attempts, last_error FROM outbox ORDER BY id")
    assert [(row["status"], row["last_error"]) for row in rows] == [("sent", None), ("sent", None)]
    # Every attempt was either refused by the server or delivered, once per mail.
    assert sum(row["attempts"] for row in rows) == smtp.refusals + 2 and smtp.refusals >= 1


async def test_wrong_role_and_closed_tasks_are_refused(journey):
    p = journey.people
    await journey.start()
    error = await refused(journey.complete("application_review", p.programme_manager, journey.review()))
    assert error.type == "NotAssigned"
    view = await journey.task("application_review")
    await journey.complete("application_review", p.reviewer, journey.review())
    from schemas.tasking import TaskCompletion

    error = await refused(journey.handle.execute_update("complete_task", TaskCompletion(
        task_id=view.task_id, actor=p.reviewer, payload=journey.review())))
    assert error.type == "TaskNotOpen"


async def test_audit_time_adjustment_beyond_bounds_is_refused_R_9_1_2_7(journey):
    p = journey.people
    await journey.start()
    too_much = [{"kind": "reduction", "days": "5", "reason": "流程简单"}]  # 9 days of table time, 5 is > 30 %
    error = await refused(journey.complete("application_review", p.reviewer, journey.review(adjustments=too_much)))
    assert rule_of(error) == "R-9.1.2.7"


async def test_unqualified_auditor_refused_R_7_auditor(journey):
    p = journey.people
    await journey.start()
    today = await journey.to_programme()
    bad = journey.programme(today)
    bad["team"][1]["staff_id"] = str(p.unqualified.staff_id)
    error = await refused(journey.complete("programme", p.programme_manager, bad))
    assert rule_of(error) == "R-7.auditor" and error.type == "RuleViolation"

    expert_leads = journey.programme(today, leader=p.expert)  # R-7.expert: never an auditor, never leader
    error = await refused(journey.complete("programme", p.programme_manager, expert_leads))
    assert rule_of(error) in ("R-7.auditor", "R-7.team")


async def test_programme_time_and_visits_are_checked_R_A_n1a_R_3_10(journey):
    p = journey.people
    await journey.start()
    today = await journey.to_programme()
    error = await refused(journey.complete("programme", p.programme_manager,
                                           journey.programme(today, person_days="9", onsite_days="7")))
    assert rule_of(error) == "R-A.n1a"  # 7 of 9 is under 80 %
    error = await refused(journey.complete("programme", p.programme_manager, journey.programme(today, person_days="5",
                                                                                           onsite_days="5")))
    assert rule_of(error) == "R-9.1.2.7"  # below the reviewed audit time
    error = await refused(journey.complete("programme", p.programme_manager,
                                           journey.programme(today, visit_offset=25)))
    assert rule_of(error) == "R-3.10"  # a visit after the on-site audit
    error = await refused(journey.complete("programme", p.programme_manager,
                                           journey.programme(today, sites=("站点1",))))
    assert rule_of(error) == "R-3.10"  # every site is visited


async def test_mystery_shopper_visit_after_the_onsite_audit_is_refused_R_3_10(journey):
    p = journey.people
    today = await journey.to_audit()
    audit = journey.audit()
    await journey.when_available("stage1", audit)
    await journey.complete("stage1", p.leader, journey.stage1_payload(), handle=audit)
    await journey.env.sleep(timedelta(days=10))
    late = {"visited_on": str(today + timedelta(days=21)), "person_days": "0.5", "service_quality": "慢",
            "service_environment": "一般"}
    error = await refused(journey.complete("mystery_shopper_report", p.shopper, late, handle=audit))
    assert rule_of(error) == "R-3.10"


async def test_stage1_not_ready_is_repeated_R_9_1_5(journey, pool):
    p = journey.people
    await journey.to_audit()
    audit = journey.audit()
    await journey.when_available("stage1", audit)
    error = await refused(journey.complete("stage1", p.leader, journey.stage1_payload(ready=False), handle=audit))
    assert rule_of(error) == "R-9.1.5"  # not ready needs its concerns
    first = await journey.task("stage1", audit)
    await journey.complete("stage1", p.leader, journey.stage1_payload(ready=False, concerns="文件未受控"), handle=audit)
    second = await journey.task("stage1", audit)
    assert second.task_id != first.task_id and second.task_id.endswith("/stage1/2")
    await journey.complete("stage1", p.leader, journey.stage1_payload(), handle=audit)
    await journey.task("mystery_shopper_report", audit)
    kinds = [e.kind for e in await events_for(pool, workflow_id=audit.id)]
    assert kinds.count("stage1.not_ready") == 1
    notices = await pool.fetch("SELECT recipient, body FROM outbox WHERE template = 'stage1_not_ready'")
    assert len(notices) == 1 and notices[0]["recipient"] == "contact@example.cn"  # the applicant is told
    assert "文件未受控" in notices[0]["body"]


async def test_plan_sent_too_late_is_refused_and_moving_the_onsite_date_rechecks_R_9_1_6(journey, pool):
    p = journey.people
    await journey.start()
    today = await journey.to_programme()
    programme = journey.programme(today, onsite_offset=14)
    await journey.complete("programme", p.programme_manager, programme)
    await journey.stage("audit")
    audit = journey.audit()
    await journey.when_available("stage1", audit)
    await journey.complete("stage1", p.leader, journey.stage1_payload(), handle=audit)
    await journey.move_to(today + timedelta(days=12))  # two days before the on-site audit
    late = {"sent_on": str(await journey.today()), "plan": "计划"}
    error = await refused(journey.complete("onsite_plan", p.leader, late, handle=audit))
    assert rule_of(error) == "R-9.1.6"

    # The programme manager moves the on-site audit: the plan can then go out in time (R-9.1.10 versioned).
    from schemas.payloads import Programme, ProgrammeRevision
    from store.facts import staff_facts
    from workflows.audit import ProgrammeChange

    moved = dict(programme, onsite_start=str(today + timedelta(days=24)), onsite_end=str(today + timedelta(days=25)))
    revision = ProgrammeRevision(programme=Programme.model_validate(moved), reason="受审核方要求延期")
    change = ProgrammeChange(actor=p.programme_manager, revision=revision,
                             facts=await staff_facts(pool, revision.staff_ids()))
    assert await audit.execute_update("revise_programme", change, result_type=int) == 2
    await journey.complete("onsite_plan", p.leader, late, handle=audit)
    # Moving it back too close to the plan is refused: the plan would no longer be 3 working days ahead.
    back = dict(moved, onsite_start=str(await journey.today() + timedelta(days=1)),
                onsite_end=str(await journey.today() + timedelta(days=2)))
    change = change.model_copy(update={"revision": ProgrammeRevision(programme=Programme.model_validate(back),
                                                                     reason="提前")})
    error = await refused(audit.execute_update("revise_programme", change, result_type=int))
    assert rule_of(error) == "R-9.1.6"
    versions = [e for e in await events_for(pool, workflow_id=audit.id) if e.kind == "programme.revised"]
    assert [e.data["version"] for e in versions] == [2] and versions[0].rule_id == "R-9.1.10"


async def test_decision_by_a_team_member_is_refused_R_9_1_9_n1(journey):
    p = journey.people
    await journey.start()
    today = await journey.to_programme()
    programme = journey.programme(today)
    programme["team"][1]["staff_id"] = str(p.decision_maker.staff_id)  # the decision maker audits
    await journey.complete("programme", p.programme_manager, programme)
    await journey.stage("audit")
    await journey.through_audit()
    error = await refused(journey.complete("certification_decision", p.decision_maker,
                                           {"outcome": "grant", "star_level": "five_star"}))
    assert error.type == "ConflictOfImpartiality" and rule_of(error) == "R-9.1.9.n1"


async def test_more_information_then_decide_again_and_refuse_R_9_1_9(journey, pool):
    p = journey.people
    await journey.to_audit()
    await journey.through_audit()
    first = await journey.task("certification_decision")
    await journey.complete("certification_decision", p.decision_maker,
                           {"outcome": "more_information", "questions": "请补充投诉处理记录"})
    ask = await journey.task("more_information")
    assert ask.role == "programme_manager"
    await journey.complete("more_information", p.programme_manager, {"answer": "已补充"})
    second = await journey.task("certification_decision")
    assert second.task_id != first.task_id
    error = await refused(journey.complete("certification_decision", p.decision_maker, {"outcome": "refuse"}))
    assert rule_of(error) == "R-9.1.9"  # reasons in writing
    await journey.complete("certification_decision", p.decision_maker, {"outcome": "refuse", "reasons": "服务不达标"})
    assert await journey.handle.result() == "refused"
    assert (await get_application(pool, journey.application_id)).status == "refused"


async def test_open_major_nonconformity_and_a_level_above_the_computed_one_block_a_grant_R_6_result(journey, pool):
    p = journey.people
    today = await journey.to_audit()
    # Scores a little under full marks everywhere, and a major nonconformity left unverified.
    results = journey.full_marks(major_nc=True, today=today + timedelta(days=22))
    for item in results["items"]:
        item["execution_score"] = str(float(item["execution_score"]) * 0.9)
    await journey.through_audit(onsite=results, verify=False)
    decision = await journey.task("certification_decision")
    error = await refused(journey.complete("certification_decision", p.decision_maker,
                                           {"outcome": "grant", "star_level": "compliant"}))
    assert rule_of(error) == "R-9.1.9" and "major" in error.details[0]["message"]
    from workflows.contracts import ProcessStatus

    status = await journey.handle.query("status", result_type=ProcessStatus)
    assert status.computed_level not in (None, "five_star")
    assert decision.rule_id == "R-9.1.9"


async def test_a_review_overdue_is_reminded_then_escalated_to_the_manager_R_9_1_2(journey, pool, smtp):
    p = journey.people
    await journey.start()
    review = await journey.task("application_review")
    await journey.env.sleep(timedelta(days=10))  # well past the 3 working days
    row = await get_task(pool, review.task_id)
    assert row.reminded_at is not None and row.escalated_at is not None and row.status == "open"
    assert row.reminded_at < row.escalated_at
    mails = [(m["recipient"], m["template"]) for m in await outbox_rows(pool)]
    assert ("reviewer@body.example", "task_reminder") in mails  # the role is reminded before the due date
    assert ("manager@body.example", "task_escalation") in mails  # the manager is told once it has passed
    assert len(mails) == 3 and ("contact@example.cn", "application_received") in mails
    delivered = await smtp.wait_for(3)  # delivered beside the task, which stays open meanwhile
    assert sorted(m["To"] for m in delivered) == ["contact@example.cn", "manager@body.example",
                                                  "reviewer@body.example"]
    assert all("申请评审" in str(m["Subject"]) for m in delivered if m["To"] != "contact@example.cn")  # in Chinese
    kinds = [e.kind for e in await events_for(pool, workflow_id=journey.workflow_id)]
    assert kinds.count("task.escalation") == 1 and kinds.count("task.reminder") == 1
    # Escalation does not close the task: the reviewer can still complete it.
    await journey.complete("application_review", p.reviewer, journey.review())
    await journey.task("contract")


async def test_reminder_offsets_and_step_times_are_configurable(journey, pool):
    """Decisions the body may change: remind two days and one day before; 3 working days for a contract."""
    from rules.calendar import add_working_days
    from rules.policy import ProcessPolicy, SchemePolicy

    policy = SchemePolicy(process=ProcessPolicy(reminder_days_before=(2, 1), contract_working_days=3))
    await journey.start(policy=policy)
    review = await journey.task("application_review")
    await journey.env.sleep(timedelta(days=10))
    reminders = await pool.fetch("SELECT idempotency_key FROM outbox WHERE template = 'task_reminder'")
    assert len(reminders) == 2
    await journey.complete("application_review", journey.people.reviewer, journey.review())
    contract = await journey.task("contract")
    assert contract.due_on == add_working_days(await journey.today(), 3).date
    assert review.task_id != contract.task_id


async def test_a_task_for_one_person_is_mailed_to_them_when_it_opens(journey, pool, smtp):
    """Tasks for a role wait in the role's inbox; a task for one person (the leader's stage 1, a
    shopper's visit) also reaches them by mail, once."""
    p = journey.people
    await journey.to_audit()
    view = await journey.task("stage1", journey.audit())
    assert view.assignee_id == p.leader.staff_id
    rows = await pool.fetch("SELECT recipient, subject, idempotency_key FROM outbox WHERE template = 'task_assigned'")
    assert [(r["recipient"], r["idempotency_key"]) for r in rows] == [
        ("leader@body.example", f"{view.task_id}/assigned/{p.leader.staff_id}")]
    assert rows[0]["subject"] == f"新任务：「第一阶段审查发现」，{view.due_on} 到期"  # the title in Chinese (issue 13)
    await journey.when_available("stage1", journey.audit())
    await journey.complete("stage1", p.leader, journey.stage1_payload(), handle=journey.audit())
    await journey.task("mystery_shopper_report", journey.audit())
    shoppers = await pool.fetch("SELECT recipient FROM outbox WHERE template = 'task_assigned' AND recipient <> $1",
                                "leader@body.example")
    assert {r["recipient"] for r in shoppers} == {"shopper@body.example"}  # the visits' shopper (R-3.10)
    opened = [e for e in await events_for(pool, workflow_id=journey.audit().id) if e.kind == "task.opened"]
    assert opened[0].data["notified"] == ["leader@body.example"]


async def test_a_worker_restarted_mid_run_sends_no_mail_twice(own_temporal_env, pool, people, journey_type, smtp):
    """The first worker stops while the acknowledgement's delivery is being retried; a new worker replays
    the process from its history and delivers. Each notice arrives once (outbox key, Message-ID)."""
    import uuid

    from workers.main import build_worker

    queue = f"restart-{uuid.uuid4().hex[:8]}"
    journey = journey_type(own_temporal_env, pool, queue, people)
    smtp.reply = "451 4.3.0 mailbox busy, try later"
    # No workflow cache: the test server does not hand a stopped worker's sticky queue on to the next one.
    async with build_worker(own_temporal_env.client, pool, queue, smtp.mail, max_cached_workflows=0):
        await journey.start()
        await journey.task("application_review")
        await smtp.wait_until(lambda: smtp.refusals >= 1, "refusal")
    smtp.reply = "250 OK"
    async with build_worker(own_temporal_env.client, pool, queue, smtp.mail):
        await journey.complete("application_review", people.reviewer, journey.review("reject", "不属于认证范围"))
        assert await journey.handle.result() == "rejected"
    subjects = [str(m["Subject"]) for m in smtp.messages]
    assert sorted(s[:6] for s in subjects) == ["认证申请已收", "认证申请评审"]
    assert len({m["Message-ID"] for m in smtp.messages}) == 2
    rows = await pool.fetch("SELECT status FROM outbox ORDER BY id")
    assert [r["status"] for r in rows] == ["sent", "sent"]


async def test_a_decision_past_its_10_working_days_is_escalated_and_stays_open_R_9_1_9(journey, pool):
    """The diagram's boundary timer on the decision: the manager is told, the decision maker can still decide."""
    p = journey.people
    await journey.to_audit()
    await journey.through_audit()
    decision = await journey.task("certification_decision")
    await journey.env.sleep(timedelta(days=30))  # well past the 10 working days
    row = await get_task(pool, decision.task_id)
    assert row.escalated_at is not None and row.status == "open"
    trace = [v["element_id"] for v in await journey.handle.query("elements", result_type=list[dict])]
    assert trace[-2:] == ["certification_decision_overdue", "certification_decision_escalated"]
    await journey.complete("certification_decision", p.decision_maker, {"outcome": "grant", "star_level": "five_star"})
    await journey.stage("granted")
