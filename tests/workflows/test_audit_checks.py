"""The audit's own checks: the programme (R-9.1.3, R-9.1.4), on-site results against the catalogue
(R-9.1.7, R-6), findings acknowledged by the auditee (R-9.1.8), and the nonconformity follow-up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError


async def refused_rule(call) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as failure:
        await call
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "RuleViolation"
    return cause.details[0]["rule_id"]


async def test_a_programme_dated_in_the_past_is_refused_R_9_1_3(journey):
    p = journey.people
    await journey.start()
    today = await journey.to_programme()
    past = journey.programme(today)
    past["stage1_on"] = str(today - timedelta(days=1))
    assert await refused_rule(journey.complete("programme", p.programme_manager, past)) == "R-9.1.3"
    one_leader_too_many = journey.programme(today)
    one_leader_too_many["team"][1]["role"] = "leader"  # R-7.team: exactly one leader
    assert await refused_rule(journey.complete("programme", p.programme_manager, one_leader_too_many)) == "R-7.team"


async def test_onsite_results_are_checked_against_the_catalogue_R_9_1_7(journey):
    p = journey.people
    await journey.to_audit()
    audit = journey.audit()
    await journey.when_available("stage1", audit)
    await journey.complete("stage1", p.leader, journey.stage1_payload(), handle=audit)
    visit = {"visited_on": str(await journey.when_available("mystery_shopper_report", audit)), "person_days": "0.5",
             "service_quality": "好", "service_environment": "好"}
    for _ in range(2):
        await journey.complete("mystery_shopper_report", p.shopper, visit, handle=audit)
    await journey.complete("onsite_plan", p.leader, {"sent_on": str(await journey.today()), "plan": "计划"},
                           handle=audit)
    today = await journey.when_available("onsite_audit", audit)
    results = journey.full_marks(today=today)
    missing_one = dict(results, items=results["items"][1:])
    assert await refused_rule(journey.complete("onsite_audit", p.leader, missing_one, handle=audit)) == "R-6"
    too_high = dict(results, items=[dict(results["items"][0], method_score="9999"), *results["items"][1:]])
    assert await refused_rule(journey.complete("onsite_audit", p.leader, too_high, handle=audit)) == "R-6"
    unacknowledged = dict(results, findings=[dict(results["findings"][0], acknowledged_on=None)])
    assert await refused_rule(journey.complete("onsite_audit", p.leader, unacknowledged, handle=audit)) == "R-9.1.8"

    await journey.complete("onsite_audit", p.leader, results, handle=audit)
    finding = f"{audit.id}/finding/1"
    backwards = {"corrections": [{"finding_id": finding, "corrected_on": str(today),
                                  "verified_on": str(today - timedelta(days=1))}]}
    assert await refused_rule(journey.complete("nonconformity_follow_up", p.leader, backwards, handle=audit)) \
        == "R-9.1.7"
    stranger = {"corrections": [{"finding_id": "another-audit/finding/1"}]}
    assert await refused_rule(journey.complete("nonconformity_follow_up", p.leader, stranger, handle=audit)) \
        == "R-9.1.7"


async def test_the_team_is_not_changed_by_a_programme_revision_R_9_1_4(journey, pool):
    from schemas.payloads import Programme, ProgrammeRevision
    from store.facts import staff_facts
    from workflows.audit import ProgrammeChange

    p = journey.people
    today = await journey.to_audit()
    other = journey.programme(today)
    other["team"][1]["staff_id"] = str(p.decision_maker.staff_id)
    revision = ProgrammeRevision(programme=Programme.model_validate(other), reason="换人")
    change = ProgrammeChange(actor=p.programme_manager, revision=revision,
                             facts=await staff_facts(pool, revision.staff_ids()))
    assert await refused_rule(journey.audit().execute_update("revise_programme", change, result_type=int)) \
        == "R-9.1.4"


@pytest.mark.parametrize("took_part", [True, False])
async def test_the_audits_mystery_shopper_may_not_decide_R_9_1_9_n1(journey, pool, took_part):
    """R-9.1.9.n1 Decision (ProcessPolicy.shoppers_took_part): a mystery shopper of the audit took part in it."""
    from dataclasses import replace

    from rules.policy import ProcessPolicy, SchemePolicy
    from schemas.staff import Role
    from schemas.tasking import Actor
    from store.staff import add_staff

    person, _ = await add_staff(pool, "钱双岗", [Role.MYSTERY_SHOPPER, Role.DECISION_MAKER], email="both@body.example")
    both = Actor(staff_id=person.id, name=person.name, roles=list(person.roles))
    journey.people = replace(journey.people, shopper=both)  # the visits are hers
    journey.policy = SchemePolicy(process=ProcessPolicy(shoppers_took_part=took_part))
    await journey.to_audit()
    await journey.through_audit()
    decide = journey.complete("certification_decision", both, {"outcome": "grant", "star_level": "five_star"})
    if took_part:
        with pytest.raises(WorkflowUpdateFailedError) as failure:
            await decide
        cause = failure.value.cause
        assert cause.type == "ConflictOfImpartiality" and cause.details[0]["rule_id"] == "R-9.1.9.n1"
    else:
        await decide
        assert (await journey.stage("granted")).certificate_number


async def test_a_programme_revision_moves_the_day_a_task_can_be_done_R_9_1_10(journey, pool):
    """Dates are facts: stage 1 moved later in the programme (R-9.1.10) cannot be recorded on its old day,
    and the inbox shows the new one."""
    from schemas.payloads import Programme, ProgrammeRevision
    from store.facts import staff_facts
    from store.tasks import get_task
    from workflows.audit import ProgrammeChange

    p = journey.people
    today = await journey.to_audit()
    audit = journey.audit()
    view = await journey.task("stage1", audit)
    old_day = view.available_from
    assert old_day == today + timedelta(days=7) and (await get_task(pool, view.task_id)).available_from == old_day
    moved = dict(journey.programme(today), stage1_on=str(old_day + timedelta(days=2)))
    revision = ProgrammeRevision(programme=Programme.model_validate(moved), reason="受审核方要求推迟第一阶段")
    change = ProgrammeChange(actor=p.programme_manager, revision=revision,
                             facts=await staff_facts(pool, revision.staff_ids()))
    assert await audit.execute_update("revise_programme", change, result_type=int) == 2
    row = await get_task(pool, view.task_id)
    assert row.available_from == row.due_on == old_day + timedelta(days=2)
    await journey.move_to(old_day)
    assert await refused_rule(journey.complete("stage1", p.leader, journey.stage1_payload(), handle=audit)) \
        == "R-9.1.5"
    await journey.when_available("stage1", audit)
    await journey.complete("stage1", p.leader, journey.stage1_payload(), handle=audit)
