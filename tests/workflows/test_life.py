"""A certificate's life on the time-skipping server: surveillance (R-9.2), suspension and withdrawal
(R-9.6), special audits (R-9.4), R-11 notifications, reissue (R-10.3.4), recertification (R-9.3) and
expiry (R-9.6.8), with every due date checked against rules.lifecycle."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import httpx
import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from api.app import create_app
from certflow.settings import Settings
from rules.lifecycle import (
    add_months,
    next_surveillance_due,
    recertification_window,
    renewed_validity,
    suspension_end,
)
from rules.policy import LifePolicy, SchemePolicy
from schemas.actions import ACT_UPDATE, ActionReceipt, ActionRequest
from schemas.tasking import Actor
from store.certificates import certificate_sites, get_certificate
from store.documents import documents_of
from store.events import events_for
from store.reports import cnca_rows
from store.tasks import get_task, list_tasks
from workflows.contracts import LifeStatus, LifeWait, ProcessStatus
from workflows.tasks import SHANGHAI

from .conftest import keep_history

DEPARTMENTS = ["客服部", "质检部", "培训部", "运营部"]


# ------------------------------------------------------------------------------------------ helpers

async def status_of(journey) -> ProcessStatus:
    return await journey.handle.query("status", result_type=ProcessStatus)


async def life_when(journey, **wanted) -> LifeStatus:
    """The certificate's life once it matches ``wanted`` (asking the next run when this one ends)."""
    wait = LifeWait(**wanted)
    while True:
        life = await journey.handle.execute_update("wait_for_life", wait, result_type=LifeStatus)
        if wait.met_by(life):
            return life


async def granted(journey, star_level: str = "five_star") -> tuple[ProcessStatus, WorkflowHandle]:
    """Initial certification through to the certificate; the journey's handle then follows the
    workflow across continue-as-new (it no longer names the first run). Returns the first run's handle."""
    p = journey.people
    await journey.to_audit()
    await journey.through_audit()
    await journey.complete("certification_decision", p.decision_maker, {"outcome": "grant", "star_level": star_level})
    status = await journey.stage("granted")
    first_run = journey.env.client.get_workflow_handle(journey.workflow_id,
                                                       run_id=journey.handle.first_execution_run_id)
    journey.handle = journey.env.client.get_workflow_handle(journey.workflow_id)
    return status, first_run


async def move_to(journey, day: date) -> None:
    """Move the test server's clock to 10:00 of ``day`` (Shanghai)."""
    now = await journey.env.get_current_time()
    target = now.astimezone(SHANGHAI).replace(year=day.year, month=day.month, day=day.day, hour=10, minute=0,
                                               second=0, microsecond=0)
    assert target > now, (target, now)
    await journey.env.sleep(target - now)


async def audit_handle(journey, kind: str, n: int) -> WorkflowHandle:
    """The ``n``-th audit of ``kind`` once the certificate's process has started it."""
    audit_id = await journey.handle.execute_update("wait_for_audit", f"audit-{journey.workflow_id}-{kind}-{n}",
                                                   result_type=str)
    return journey.env.client.get_workflow_handle(audit_id)


def life_programme(journey, today: date, *, person_days: str = "3", onsite_in: int = 14, visits: bool = False,
                   stage1: bool = False) -> dict:
    # The visits a week before the on-site audit: the plan, sent on the visits' day, then reaches the
    # organization at least 3 working days ahead whatever the weekday the test runs on.
    programme = journey.programme(today, person_days=person_days, onsite_days=person_days, onsite_offset=onsite_in,
                                  visit_offset=onsite_in - 7)
    if not visits:
        programme["visits"] = []
    if not stage1:
        programme["stage1_on"] = None
    return programme


async def run_audit(journey, audit: WorkflowHandle, *, visits: bool = False, stage1: bool = False,
                    findings: bool = True, onsite: Callable[[date], dict] | None = None,
                    try_early: bool = False) -> None:
    """Stage 1 (when separate), visits (when planned), the plan, the on-site audit on its day, follow-up,
    report: the audit's part, the same for every kind."""
    p = journey.people
    if stage1:
        await journey.when_available("stage1", audit)
        await journey.complete("stage1", p.leader, journey.stage1_payload(), handle=audit)
    today = await journey.today()
    if visits:
        today = await journey.when_available("mystery_shopper_report", audit)
        for _ in range(2):
            await journey.complete("mystery_shopper_report", p.shopper, {
                "visited_on": str(today), "person_days": "0.5", "service_quality": "好",
                "service_environment": "整洁"}, handle=audit)
    await journey.complete("onsite_plan", p.leader, {"sent_on": str(today), "plan": "现场审查计划"}, handle=audit)
    if try_early:  # dates are facts: results before the on-site audit is over are refused
        error = await refused(journey.complete("onsite_audit", p.leader, journey.full_marks(today=today),
                                               handle=audit))
        assert rule_of(error) == "R-9.1.7"
    today = await journey.when_available("onsite_audit", audit)  # the on-site audit is over
    results = onsite(today) if onsite else journey.full_marks(minor_nc=findings, today=today)
    await journey.complete("onsite_audit", p.leader, results, handle=audit)
    if results["findings"]:
        view = await journey.task("nonconformity_follow_up", audit)
        record = await get_task(journey.pool, view.task_id)
        await journey.complete("nonconformity_follow_up", p.leader, {"corrections": [
            {"finding_id": fid, "corrected_on": str(today), "verified_on": str(today)}
            for fid in record.context["nonconformities"]]}, handle=audit)
    await journey.complete("audit_report", p.leader, {"summary": "总体符合", "discussed_with_auditee_on": str(today),
                                                      "recommendation": "recommend"}, handle=audit)


async def surveil(journey, n: int, *, departments: list[str] | None = None, decision: dict | None = None,
                  more_information: bool = False, onsite: Callable[[date], dict] | None = None,
                  decide: bool = True, try_early: bool = False) -> dict:
    """One surveillance from its preparation to the decision; returns the sampling proposal shown."""
    p = journey.people
    view = await journey.task("surveillance_changes")
    assert view.rule_id == "R-9.2.2" and view.role == "programme_manager"
    today = await journey.today()
    await journey.complete("surveillance_changes", p.programme_manager, {
        "confirmed_on": str(today), "departments": departments or DEPARTMENTS, "decisive_departments": ["客服部"]})
    view = await journey.task("surveillance_programme")
    proposal = (await get_task(journey.pool, view.task_id)).context["proposal"]
    await journey.complete("surveillance_programme", p.programme_manager, {
        "programme": life_programme(journey, today),
        "sampling": {"clauses": proposal["clauses"], "departments": proposal["departments"]}})
    await journey.complete("surveillance_review", p.leader, {"changes_reviewed": "无重大变化"})
    await run_audit(journey, await audit_handle(journey, "surveillance", n), onsite=onsite, try_early=try_early)
    if more_information:  # b: the decision maker asks first, then decides
        await journey.complete("surveillance_decision", p.decision_maker,
                               {"outcome": "more_information", "questions": "请提供整改记录"})
        view = await journey.task("more_information")
        assert view.rule_id == "R-9.2.8"
        await journey.complete("more_information", p.programme_manager, {"answer": "整改记录已上传"})
    if decide:
        await journey.complete("surveillance_decision", p.decision_maker, decision or {"outcome": "maintain"})
    return proposal


async def act(journey, actor: Actor, action: dict) -> ActionReceipt:
    return await journey.handle.execute_update(ACT_UPDATE, ActionRequest.model_validate(
        {"actor": actor.model_dump(mode="json"), "action": action}), result_type=ActionReceipt)


async def refused(call) -> Exception:
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await call
    return info.value.cause


def rule_of(error) -> str | None:
    return error.details[0].get("rule_id") if error.details else None


async def cert_events(pool, number: str) -> list[str]:
    return [e.kind for e in await events_for(pool, subject=number)]


# ------------------------------------------------------------------------------------------- tests

async def test_a_full_three_year_life_two_surveillances_then_recertification_R_9_2_R_9_3(journey, pool, smtp):
    p = journey.people
    status, first_run = await granted(journey)
    number = status.certificate_number
    cert = await get_certificate(pool, number)
    decided_on = cert.issued_on
    life = (await status_of(journey)).life
    assert life.cycle == 1 and life.status == "valid"
    first_due = next_surveillance_due(decided_on, None)  # 12 months from the decision
    assert first_due == add_months(decided_on, 12)
    assert [(d.what, d.on) for d in life.next_due][:1] == [("surveillance", first_due)]

    # Reminders before the due date go to the organization and the programme managers.
    await move_to(journey, first_due - timedelta(days=95))
    assert not [m for m in smtp.messages if "监督" in str(m["Subject"])]
    await move_to(journey, first_due - timedelta(days=89))
    first_proposal = await surveil(journey, 1)
    assert "客服部" in first_proposal["departments"]  # decisive (R-9.2.5 (2))
    life = await life_when(journey, surveillances_done=1)
    assert life.surveillances_done == 1 and life.status == "valid"
    second_due = next_surveillance_due(decided_on, life.last_surveillance_on)  # from the last surveillance
    assert [(d.what, d.on) for d in life.next_due][:1] == [("surveillance", second_due)]

    await move_to(journey, second_due - timedelta(days=59))  # the 60-day reminder has gone out
    reminders = [m for m in smtp.messages if str(m["To"]) in ("contact@example.cn", "programme_manager@body.example")
                 and "监督" in str(m["Subject"])]
    assert {str(m["To"]) for m in reminders} == {"contact@example.cn", "programme_manager@body.example"}
    second_proposal = await surveil(journey, 2)
    # coverage: the two surveillances of the cycle together cover every clause and department.
    life = await life_when(journey, surveillances_done=2)
    assert set(first_proposal["departments"]) | set(second_proposal["departments"]) == set(DEPARTMENTS)
    assert set(first_proposal["clauses"]) | set(second_proposal["clauses"]) == set(
        journey_policy_clauses())

    # invited before expiry, recertified like the initial audit, a new validity under the same number.
    window = recertification_window(cert.valid_to)
    assert next(d.what for d in life.next_due) == "recertification_invitation"
    await move_to(journey, window.invitation_date)
    view = await journey.task("recertification_application")
    assert view.rule_id == "R-9.3"
    today = await journey.today()
    await journey.complete("recertification_application", p.reviewer, {"applied_on": str(today)})
    error = await refused(journey.complete("recertification_programme", p.programme_manager,
                                           life_programme(journey, today, person_days="5", visits=True)))
    assert rule_of(error) == "R-A.n1c"  # at least 2/3 of the initial 8 person-days
    await journey.complete("recertification_programme", p.programme_manager,
                           life_programme(journey, today, person_days="6", visits=True))
    await run_audit(journey, await audit_handle(journey, "recertification", 1), visits=True)
    await journey.complete("recertification_decision", p.decision_maker,
                           {"outcome": "more_information", "questions": "请说明客户满意度数据来源"})
    await journey.complete("more_information", p.programme_manager, {"answer": "来自第三方调查"})
    decision_day = await journey.today()
    await journey.complete("recertification_decision", p.decision_maker,
                           {"outcome": "renew", "star_level": "four_star"})

    # The decision continues the process as new: cycle 2, same number, validity from the day after.
    # An action that arrives while the run is about to continue as new is not lost: the run waits for
    # its handler and for the task it opened, then continues.
    await act(journey, p.programme_manager, {"action": "notification", "kind": "site_change",
                                             "received_on": str(decision_day), "description": "新增站点筹备中"})
    await journey.complete("notification_triage", p.programme_manager,
                           {"analysis": "尚未投入运营", "outcome": "no_action"})
    new_from, new_to = renewed_validity(cert.valid_to, decision_date=decision_day)
    life = await life_when(journey, cycle=2)
    renewed = await get_certificate(pool, number)
    assert (renewed.valid_from, renewed.valid_to, renewed.issued_on) == (new_from, new_to, decision_day)
    assert renewed.star_level == "four_star" and renewed.status == "valid"
    first_events = await keep_history(first_run, "life-cycle1")
    assert first_events < 2000, first_events  # one validity cycle per run stays small
    print(f"history of the first run (initial certification + cycle 1): {first_events} events")
    assert life.cycle == 2 and life.surveillances_done == 0 and life.valid_to == new_to
    assert life.next_due[0].on == add_months(decision_day, 12)  # counted from the recertification decision
    kinds = await cert_events(pool, number)
    assert kinds.count("certificate.recertified") == 1 and "certificate.granted" in kinds
    assert kinds.index("certificate.recertified") < kinds.index("notification.triaged")
    # Every written notice to the organization over the whole life, each once and in order.
    to_org = [re.split("[：（]", str(m["Subject"]))[0] for m in smtp.to("contact@example.cn")]
    assert to_org[:-2] == [
        "认证申请已收到", "认证申请评审结论", "初次认证审查安排", "现场审查计划", "初次认证审查报告", "认证决定",
        "现场审查计划", "监督审查报告", "监督审查决定",  # the first surveillance, before any reminder was due
        "监督审查提醒", "现场审查计划", "监督审查报告", "监督审查决定",
        "再认证邀请", "现场审查计划", "再认证审查报告"]
    # The notification arrives while the renewal is being carried out: the two notices are queued and
    # delivered side by side, so either may reach the organization first; each arrives once.
    assert sorted(to_org[-2:]) == sorted(["已收到贵组织的报告", "再认证决定"])
    assert len({m["Message-ID"] for m in smtp.messages}) == len(smtp.messages)  # nothing sent twice
    await keep_history(journey.handle, "life-cycle2")  # the next run, waiting for its first surveillance
    for kind in ("surveillance", "recertification"):
        await keep_history(journey.env.client.get_workflow_handle(f"audit-{journey.workflow_id}-{kind}-1"),
                           f"life-{kind}")


def journey_policy_clauses() -> tuple[str, ...]:
    from rules.sampling import SamplingPolicy

    return SamplingPolicy().clauses


async def test_overdue_surveillance_suspends_then_six_months_lead_to_withdrawal_R_9_6_2_R_9_6_5(journey, pool, smtp):
    p = journey.people
    status, _ = await granted(journey)
    number = status.certificate_number
    cert = await get_certificate(pool, number)
    due = next_surveillance_due(cert.issued_on, None)
    # Nobody prepares the surveillance: the window closes at the end of the due date (R-9.6.2 Decision).
    await move_to(journey, due + timedelta(days=1))
    await journey.task("surveillance_changes")  # still open: the surveillance may still happen
    life = await life_when(journey, status="suspended")
    assert life.status == "suspended" and life.suspension_cause == "overdue_surveillance"
    until = suspension_end(due + timedelta(days=1))
    assert life.suspended_until == until  # 6 months
    cert = await get_certificate(pool, number)
    assert cert.status == "suspended" and cert.suspended_until == until  # public
    assert any("暂停" in str(m["Subject"]) for m in smtp.messages if str(m["To"]) == "contact@example.cn")

    suspended = [e for e in await events_for(pool, subject=number) if e.kind == "certificate.suspended"]
    assert "原因方：" in suspended[0].data["reason"]  # Decision: the cause's side is recorded

    # Before the six months are over, a manager decides, here withdrawal.
    await move_to(journey, until - timedelta(days=14))
    view = await journey.task("suspension_outcome")
    assert view.role == "manager" and view.rule_id == "R-9.6.5"
    assert view.due_on == until - timedelta(days=1)  # within the suspension's limit
    await journey.complete("suspension_outcome", p.manager, {"outcome": "withdraw", "reasons": "暂停期满未整改"})
    assert await journey.handle.result() == "withdrawn"
    cert = await get_certificate(pool, number)
    assert cert.status == "withdrawn"
    assert not await list_tasks(pool, status="open", kind="surveillance_changes")  # withdrawn from the inbox
    withdrawal = [m for m in smtp.messages if "撤销" in str(m["Subject"])]
    assert withdrawal and "标志" in withdrawal[0].get_content()  # stop using the mark
    kinds = await cert_events(pool, number)
    assert kinds.index("certificate.suspended") < kinds.index("certificate.withdrawn")
    # The regulator's monthly report reads the same register: suspended that month, withdrawn this one.
    suspended_in = (due + timedelta(days=1)).replace(day=1)
    withdrawn_in = (await journey.today()).replace(day=1)
    [row] = [r for r in await cnca_rows(pool, suspended_in) if r.number == number]
    assert (row.status, row.event) == ("suspended", "suspended")
    [row] = [r for r in await cnca_rows(pool, withdrawn_in) if r.number == number]
    assert (row.status, row.event) == ("withdrawn", "withdrawn")
    await keep_history(journey.handle, "life-withdrawn")


async def test_suspension_by_staff_then_reinstatement_R_9_6_3(journey, pool):
    p = journey.people
    status, _ = await granted(journey)
    number = status.certificate_number
    error = await refused(act(journey, p.reviewer, {"action": "suspend", "cause": "organization_request",
                                                    "reason": "组织申请"}))
    assert error.type == "NotAssigned"
    error = await refused(act(journey, p.decision_maker, {"action": "suspend", "cause": "organization_request",
                                                          "reason": "组织申请", "months": 7}))
    assert rule_of(error) == "R-9.6.3"
    error = await refused(act(journey, p.decision_maker, {"action": "reinstate", "reason": "x"}))
    assert error.type == "StateConflict"
    receipt = await act(journey, p.decision_maker, {"action": "suspend", "cause": "organization_request",
                                                    "reason": "组织申请暂停", "months": 3})
    assert receipt.status == "suspended"
    today = await journey.today()
    assert (await get_certificate(pool, number)).suspended_until == add_months(today, 3)
    # A follow-up special audit resolves it: short notice, then the decision reinstates.
    await act(journey, p.programme_manager, {"action": "special_audit", "purpose": "suspension_follow_up",
                                             "reason": "暂停后跟踪审查"})
    await journey.complete("special_programme", p.programme_manager, life_programme(journey, today, onsite_in=2))
    special = await audit_handle(journey, "special", 1)
    view = await journey.task("onsite_plan", special)
    assert view.rule_id == "R-9.4.2"  # short notice: no 3 working days' notice
    await run_audit(journey, special, findings=False)
    await journey.complete("special_decision", p.decision_maker, {"outcome": "reinstate", "reasons": "已整改"})
    life = await life_when(journey, status="valid")
    assert life.status == "valid" and life.suspended_until is None
    cert = await get_certificate(pool, number)
    assert cert.status == "valid" and cert.suspended_until is None
    kinds = await cert_events(pool, number)
    assert "certificate.suspended" in kinds and "certificate.reinstated" in kinds
    await keep_history(journey.handle, "life-reinstated")
    await keep_history(special, "life-special")


async def test_scope_reduction_takes_a_site_out_and_reissues_R_9_6_6(journey, pool):
    p = journey.people
    status, _ = await granted(journey)
    number = status.certificate_number
    error = await refused(act(journey, p.decision_maker, {"action": "reduce_scope", "reason": "站点2持续不符合",
                                                          "scope": "呼叫中心客户服务",
                                                          "remove_sites": ["站点1", "站点2"]}))
    assert rule_of(error) == "R-9.6.6"
    receipt = await act(journey, p.decision_maker, {"action": "reduce_scope", "reason": "站点2持续不符合",
                                                    "scope": "呼叫中心客户服务（站点1）", "remove_sites": ["站点2"]})
    assert receipt.status == "scope_reduced"
    cert = await get_certificate(pool, number)
    assert cert.status == "scope_reduced" and cert.revision == 1 and cert.scope == "呼叫中心客户服务（站点1）"
    sites = await certificate_sites(pool, number, include_removed=True)
    assert [(s.sub_number, s.removed_on is not None) for s in sites] == [(f"{number}-1", False), (f"{number}-2", True)]


async def test_expiry_without_recertification_R_9_6_8(journey, pool, smtp):
    p = journey.people
    status, _ = await granted(journey)
    number = status.certificate_number
    cert = await get_certificate(pool, number)
    for n in (1, 2):
        due = (await life_when(journey, surveillances_done=n - 1)).next_due[0]
        assert due.what == "surveillance"
        await move_to(journey, due.on - timedelta(days=89))
        await surveil(journey, n, more_information=n == 1)
    await move_to(journey, recertification_window(cert.valid_to).invitation_date)
    today = await journey.today()
    await journey.complete("recertification_application", p.reviewer, {"applied_on": str(today), "applies": False})
    await move_to(journey, cert.valid_to)
    assert (await get_certificate(pool, number)).status == "valid"  # the last day is still valid
    await move_to(journey, cert.valid_to + timedelta(days=1))
    assert await journey.handle.result() == "expired"
    assert (await get_certificate(pool, number)).status == "expired"
    assert "certificate.expired" in await cert_events(pool, number)
    await keep_history(journey.handle, "life-expired")


async def test_a_major_complaint_gets_an_immediate_triage_and_a_special_audit_R_11_R_9_4_2(journey, pool):
    p = journey.people
    status, _ = await granted(journey)
    today = await journey.today()
    error = await refused(act(journey, p.programme_manager, {
        "action": "notification", "kind": "complaint", "received_on": str(today + timedelta(days=1)),
        "description": "x"}))
    assert rule_of(error) == "R-11"
    await act(journey, p.programme_manager, {"action": "notification", "kind": "complaint", "major": True,
                                             "received_on": str(today), "description": "用户集体投诉服务中断"})
    view = await journey.task("notification_triage")
    assert view.due_on == today and view.rule_id == "R-11"  # immediate
    await journey.complete("notification_triage", p.programme_manager, {
        "analysis": "投诉属实，影响重大", "outcome": "special_audit", "reasons": "投诉跟踪"})
    view = await journey.task("special_programme")
    assert view.rule_id == "R-9.4"
    record = await get_task(pool, view.task_id)
    assert record.context["purpose"] == "complaint" and record.context["short_notice"] is True
    kinds = await cert_events(pool, status.certificate_number)
    assert "notification.received" in kinds and "notification.triaged" in kinds and "special_audit.ordered" in kinds
    await keep_history(journey.handle, "life-complaint")


async def test_reissue_keeps_the_number_and_validity_R_10_3_4(journey, pool):
    p = journey.people
    status, _ = await granted(journey)
    number = status.certificate_number
    before = await get_certificate(pool, number)
    error = await refused(act(journey, p.programme_manager, {"action": "reissue", "reason": "无变化"}))
    assert rule_of(error) == "R-10.3.4"
    receipt = await act(journey, p.programme_manager, {"action": "reissue", "reason": "更名",
                                                       "organization_name": "新示例呼叫中心有限公司"})
    assert receipt.number == number
    after = await get_certificate(pool, number)
    assert (after.number, after.valid_from, after.valid_to) == (before.number, before.valid_from, before.valid_to)
    assert after.revision == 1 and after.reissued_on == await journey.today()
    assert (await life_when(journey, revision=1)).revision == 1
    # a document on the grant and another on the reissue, with the revision marker.
    assert [(d.reason, d.revision) for d in await documents_of(pool, number)] == [("grant", 0), ("reissue", 1)]


async def test_staff_act_on_a_live_certificate_through_the_api_R_9_6(journey, pool):
    """The certificates API end to end: the list finds what is due, one certificate shows its live state,
    actions go to the running process, whose refusals come back as problems with the rule id."""
    p = journey.people
    status, _ = await granted(journey)
    number = status.certificate_number
    cert = await get_certificate(pool, number)
    first_due = next_surveillance_due(cert.issued_on, None)
    await life_when(journey, status="valid")  # the register has the next due date too
    app = create_app(Settings(_env_file=None, task_queue=journey.queue, database_url="postgresql://unused"),
                     pool=pool, temporal=journey.env.client)

    def as_(who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {p.tokens[who]}"}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        listed = (await http.get("/api/v1/certificates", params={"due_before": str(first_due + timedelta(days=1))},
                                 headers=as_("programme_manager"))).json()
        assert [(i["number"], i["next_due_what"], i["next_due_on"]) for i in listed["items"]] == [
            (number, "surveillance", str(first_due))]
        assert (await http.get("/api/v1/certificates", params={"due_before": str(first_due)},
                               headers=as_("programme_manager"))).json()["total"] == 0
        view = (await http.get(f"/api/v1/certificates/{number}", headers=as_("reviewer"))).json()
        assert view["running"] and view["life"]["status"] == "valid"
        assert view["next_due"][0] == {"what": "surveillance", "on": str(first_due), "rule_id": "R-9.2.1"}
        assert "certificate.granted" in [e["kind"] for e in view["timeline"]]

        suspend = {"cause": "organization_request", "reason": "组织申请暂停", "months": 2}
        response = await http.post(f"/api/v1/certificates/{number}/suspend", json=suspend,
                                   headers=as_("decision_maker"))
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "suspended"
        assert (await get_certificate(pool, number)).status == "suspended"  # public at once
        again = await http.post(f"/api/v1/certificates/{number}/suspend", json=suspend, headers=as_("decision_maker"))
        assert again.status_code == 409 and again.json()["rule_id"] == "R-9.6.3"
        nothing = await http.post(f"/api/v1/certificates/{number}/reissue", json={"reason": "无变化"},
                                  headers=as_("programme_manager"))
        assert nothing.status_code == 422 and nothing.json()["rule_id"] == "R-10.3.4"
        response = await http.post(f"/api/v1/certificates/{number}/reinstate", json={"reason": "已恢复运营"},
                                   headers=as_("decision_maker"))
        assert response.status_code == 200 and response.json()["status"] == "valid"
        view = (await http.get(f"/api/v1/certificates/{number}", headers=as_("reviewer"))).json()
        kinds = [e["kind"] for e in view["timeline"]]
        assert kinds.index("certificate.suspended") < kinds.index("certificate.reinstated")

        response = await http.post(f"/api/v1/certificates/{number}/withdraw", json={"reason": "组织申请撤销"},
                                   headers=as_("manager"))
        assert response.status_code == 200 and response.json()["status"] == "withdrawn"
        assert await journey.handle.result() == "withdrawn"
        after = await http.post(f"/api/v1/certificates/{number}/notification", headers=as_("programme_manager"),
                                json={"kind": "other", "received_on": str(await journey.today()), "description": "x"})
        assert after.status_code == 409 and after.json()["rule_id"] == "R-9.6.7"
        view = (await http.get(f"/api/v1/certificates/{number}", headers=as_("reviewer"))).json()
        assert view["certificate"]["status"] == "withdrawn" and not view["running"] and view["next_due"] == []


async def test_a_scope_change_is_audited_then_agreed_and_reissued_R_9_4_1(journey, pool):
    p = journey.people
    status, _ = await granted(journey)
    number = status.certificate_number
    error = await refused(act(journey, p.programme_manager, {"action": "special_audit", "purpose": "scope_change",
                                                             "reason": "扩大范围"}))
    assert rule_of(error) == "R-9.4.1"  # a scope change names the scope asked for
    await act(journey, p.programme_manager, {"action": "special_audit", "purpose": "scope_change",
                                             "reason": "增加在线客服", "new_scope": "呼叫中心客户服务及在线客服"})
    view = await journey.task("special_programme")
    context = (await get_task(pool, view.task_id)).context
    assert context["short_notice"] is False and context["new_scope"] == "呼叫中心客户服务及在线客服"
    today = await journey.today()
    await journey.complete("special_programme", p.programme_manager, life_programme(journey, today))
    special = await audit_handle(journey, "special", 1)
    plan = await journey.task("onsite_plan", special)
    assert plan.rule_id != "R-9.4.2"  # not short notice: the plan goes out 3 working days ahead
    await run_audit(journey, special, findings=False)
    error = await refused(journey.complete("special_decision", p.decision_maker, {"outcome": "reinstate"}))
    assert rule_of(error) == "R-9.6.3"  # nothing to reinstate
    await journey.complete("special_decision", p.decision_maker, {"outcome": "more_information",
                                                                  "questions": "在线客服的人员配置？"})
    await journey.complete("more_information", p.programme_manager, {"answer": "十二名专职坐席"})
    await journey.complete("special_decision", p.decision_maker, {"outcome": "agree_scope_change",
                                                                  "reasons": "审查确认在线客服符合要求"})
    life = await life_when(journey, revision=1)
    assert life.scope == "呼叫中心客户服务及在线客服" and life.status == "valid"
    cert = await get_certificate(pool, number)
    assert (cert.number, cert.scope, cert.revision, cert.status) == (number, "呼叫中心客户服务及在线客服", 1, "valid")
    assert "certificate.reissued" in await cert_events(pool, number)


async def test_an_overdue_surveillance_can_wait_for_a_manager_to_confirm_the_suspension_R_9_6_2(journey, pool):
    """With the body's Decision ``overdue_surveillance=confirm``, the closed window opens a manager's
    task instead of suspending at once; the manager records whose side let it close."""
    journey.policy = SchemePolicy(life=LifePolicy(overdue_surveillance="confirm"))
    p = journey.people
    status, _ = await granted(journey)
    number = status.certificate_number
    due = next_surveillance_due((await get_certificate(pool, number)).issued_on, None)
    await move_to(journey, due + timedelta(days=1))
    view = await journey.task("overdue_suspension")
    assert view.role == "manager" and view.rule_id == "R-9.6.2"
    assert (await get_certificate(pool, number)).status == "valid"  # not before the manager confirms
    await journey.complete("overdue_suspension", p.manager, {"suspend": True, "cause_side": "organization",
                                                             "reasons": "组织两次推迟监督审查"})
    life = await life_when(journey, status="suspended")
    assert life.suspension_cause == "overdue_surveillance"
    assert (await get_certificate(pool, number)).status == "suspended"

