"""Smaller gaps of the scheme closed in the workflows (issue 12): a manager confirms an audit time beyond
the scheme's table (R-A.table), R-A.n1b is checked on the surveillance year's total, and the body's
R-6.result policy holds at recertification (R-9.3) as at the grant."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from rules.audit_time import AuditTimePolicy, recertification_days, table_audit_time
from rules.lifecycle import LifecyclePolicy, next_surveillance_due, recertification_window
from rules.policy import SchemePolicy
from rules.rating import RatingPolicy, default_catalogue
from store.certificates import get_certificate
from store.events import events_for
from store.tasks import get_task

from .conftest import submission
from .test_life import act, audit_handle, granted, life_programme, life_when, move_to, refused, rule_of, run_audit

DEPARTMENTS = ["客服部", "质检部", "培训部", "运营部"]


def message_of(error) -> str:
    return error.details[0].get("message", "") if error.details else str(error)


# ------------------------------------------------------------------------------ R-A.table confirmation

async def test_a_headcount_above_1175_waits_for_a_manager_to_confirm_the_audit_time_R_A_table(journey, pool):
    """R-A.table Decision: above 1,175 people the reviewed time goes to a manager before the contract; the
    time the manager sets (with a reason, R-9.1.2.7) is the programme's minimum."""
    p = journey.people
    await journey.start(submission((1000, 300)))
    table = table_audit_time(1300)
    assert table.needs_manager_confirmation and table.days == Decimal(16)
    await journey.complete("application_review", p.reviewer, journey.review())
    view = await journey.task("audit_time_confirmation")
    assert (view.role, view.rule_id) == ("manager", "R-A.table")
    context = (await get_task(pool, view.task_id)).context
    assert (context["headcount"], context["table_person_days"], context["person_days"]) == (1300, "16", "16.0")

    error = await refused(journey.complete("audit_time_confirmation", p.reviewer, {"outcome": "confirm"}))
    assert error.type == "NotAssigned"  # a manager's task
    error = await refused(journey.complete("audit_time_confirmation", p.manager,
                                           {"outcome": "change", "person_days": "14"}))
    assert rule_of(error) == "R-9.1.2.7"  # a changed time gives its reason
    error = await refused(journey.complete("audit_time_confirmation", p.manager,
                                           {"outcome": "change", "person_days": "14.2", "reason": "单一业务"}))
    assert rule_of(error) == "R-A.table"  # in the policy's half-day steps
    await journey.complete("audit_time_confirmation", p.manager,
                           {"outcome": "change", "person_days": "14", "reason": "两个站点业务单一，流程相同"})
    await journey.task("contract")  # after the confirmation, recorded first
    events = [e for e in await events_for(pool, workflow_id=journey.workflow_id) if e.kind == "audit_time.confirmed"]
    assert [(e.rule_id, e.data["proposed"], e.data["person_days"]) for e in events] == [("R-A.table", "16.0", "14")]

    today = await journey.today()
    await journey.complete("contract", p.reviewer, {"signed_on": str(today), "contract_reference": "HT-2026-002"})
    view = await journey.task("programme")
    assert (await get_task(pool, view.task_id)).context["minimum_person_days"] == "14"
    error = await refused(journey.complete("programme", p.programme_manager, journey.programme(
        today, person_days="13.5", onsite_days="11")))
    assert rule_of(error) == "R-9.1.2.7"  # below the confirmed 14
    await journey.complete("programme", p.programme_manager, journey.programme(today, person_days="14",
                                                                               onsite_days="12"))
    await journey.stage("audit")


# ------------------------------------------------------------------------------ R-A.n1b on the year's total

async def test_an_extra_surveillance_counts_towards_the_surveillance_years_minimum_R_A_n1b(journey, pool):
    """R-A.n1b: a year's surveillance may be several audits, the minimum (1/3 of the initial 8 person-days,
    rounded up to half days: 3) applies to their total. An extra surveillance ordered after the grant is
    part of the year that the planned surveillance closes (AuditTimePolicy.surveillance_year Decision)."""
    p = journey.people
    status, _ = await granted(journey)
    today = await journey.today()
    await act(journey, p.programme_manager, {"action": "notification", "kind": "complaint", "received_on": str(today),
                                             "description": "客户投诉接通率低"})
    await journey.complete("notification_triage", p.programme_manager,
                           {"analysis": "需现场核实", "outcome": "extra_surveillance"})
    await surveillance_programme(journey, person_days="1", year_so_far="0")  # an extra one: not held alone
    await journey.complete("surveillance_review", p.leader, {"changes_reviewed": "无重大变化"})
    await run_audit(journey, await audit_handle(journey, "surveillance", 1), findings=False)
    await journey.complete("surveillance_decision", p.decision_maker, {"outcome": "maintain"})

    due = next_surveillance_due((await get_certificate(pool, status.certificate_number)).issued_on, None)
    await move_to(journey, due - timedelta(days=89))
    error = await surveillance_programme(journey, person_days="1.5", year_so_far="1", accept=False)
    assert rule_of(error) == "R-A.n1b"
    assert "total 2.5 person-days" in message_of(error) and "0.5 person-days missing" in message_of(error)
    await surveillance_programme(journey, person_days="2", year_so_far="1", confirm_changes=False)  # 1 + 2 = 3
    await journey.task("surveillance_review")


async def surveillance_programme(journey, *, person_days: str, year_so_far: str, accept: bool = True,
                                 confirm_changes: bool = True):
    """The organization's changes (unless already confirmed), then the programme with ``person_days``;
    checks what the task shows of the year so far; returns the refusal when not ``accept``."""
    p = journey.people
    today = await journey.today()
    if confirm_changes:
        await journey.complete("surveillance_changes", p.programme_manager, {
            "confirmed_on": str(today), "departments": DEPARTMENTS, "decisive_departments": ["客服部"]})
    view = await journey.task("surveillance_programme")
    context = (await get_task(journey.pool, view.task_id)).context
    assert (context["minimum_person_days"], context["surveillance_year_person_days"]) == ("3.0", year_so_far)
    payload = {"programme": life_programme(journey, today, person_days=person_days),
               "sampling": {"clauses": context["proposal"]["clauses"],
                            "departments": context["proposal"]["departments"]}}
    if not accept:
        return await refused(journey.complete("surveillance_programme", p.programme_manager, payload))
    await journey.complete("surveillance_programme", p.programme_manager, payload)
    return None


# ------------------------------------------------------------------------------ R-6.result at renewal

def no_level(today: date) -> dict:
    """On-site results that reach no rating level (R-6.result): nothing method compliant."""
    items = [{"item_id": i.id, "method_compliant": False, "executed": False, "method_score": "0",
              "execution_score": "0"} for i in default_catalogue().items]
    return {"items": items, "findings": []}


@pytest.mark.parametrize("allowed", [False, True], ids=["refused", "allowed"])
async def test_a_renewal_without_a_level_follows_the_bodys_policy_R_6_result_R_9_3(journey, pool, allowed):
    """R-6.result Decision (RatingPolicy.allow_grant_without_level) holds at recertification as at the grant:
    an audit that reaches no level is renewed only where the body allows it. A one-year validity with no
    surveillance brings recertification near."""
    p = journey.people
    journey.policy = SchemePolicy(lifecycle=LifecyclePolicy(validity_years=1),
                                  rating=RatingPolicy(allow_grant_without_level=allowed),
                                  audit_time=AuditTimePolicy())
    status, _ = await granted(journey)
    await move_to(journey, recertification_window(status.valid_to).invitation_date)
    today = await journey.today()
    await journey.complete("recertification_application", p.reviewer, {"applied_on": str(today)})
    minimum = recertification_days(Decimal(8))  # R-A.n1c from rules.audit_time: 2/3 of 8 in half days
    assert minimum == Decimal("5.5")
    error = await refused(journey.complete("recertification_programme", p.programme_manager,
                                           life_programme(journey, today, person_days="5.4", visits=True)))
    assert rule_of(error) == "R-A.n1c"  # 5.4 would pass a tenth-rounded minimum, not the half-day one
    await journey.complete("recertification_programme", p.programme_manager,
                           life_programme(journey, today, person_days=str(minimum), visits=True))
    await run_audit(journey, await audit_handle(journey, "recertification", 1), visits=True, onsite=no_level)
    renew = {"outcome": "renew", "star_level": "compliant"}
    if not allowed:
        error = await refused(journey.complete("recertification_decision", p.decision_maker, renew))
        assert rule_of(error) == "R-6.result"
        await journey.complete("recertification_decision", p.decision_maker,
                               {"outcome": "refuse", "reasons": "未达到任何服务等级"})
        return
    await journey.complete("recertification_decision", p.decision_maker, renew)
    life = await life_when(journey, cycle=2)
    assert life.star_level == "compliant" and life.status == "valid"
