"""Issue 18: the programme task opens with the planner's proposal (R-9.1.3, R-9.1.4), which accepted
unchanged passes every check of the programme and of the audit that follows (R-7, R-3.10, R-9.1.5,
R-9.1.6, R-A.n1a), through to the grant; an absence re-plans what it touches."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from activities.scheduling import HorizonDone, ReplanDone
from schemas.scheduling import DateSpan
from schemas.staff import Role
from schemas.tasking import Actor
from store import audit_proposals
from store.staff import add_qualification, add_staff
from tests.workflows.conftest import Journey, full_marks, make_people, stage1
from workflows.audit_planning import (
    AUDIT_PLANNING_WORKFLOW_ID,
    REPLAN_SIGNAL,
    AuditPlanningInput,
    AuditPlanningWorkflow,
    ReplanRequest,
)
from workflows.tasks import SHANGHAI


async def _proposal(journey: Journey):
    view = await journey.task("programme")
    stored = await audit_proposals.current(journey.pool, view.task_id)
    assert stored is not None, "the programme task opened without a proposal"
    assert stored.proposal is not None, f"unplaced: {stored.unplaced}"
    return view, stored.proposal


async def test_a_proposal_accepted_unchanged_passes_every_check_to_the_grant(journey: Journey) -> None:
    await journey.start()
    today = await journey.to_programme()
    _, p = await _proposal(journey)
    people = journey.people
    by_id = {a.staff_id: a for a in (people.leader, people.auditor, people.decision_maker, people.shopper,
                                      people.unqualified, people.expert)}
    # R-7.auditor: only people with both proofs; R-7.expert: experts never proposed: shoppers visit.
    assert {m.staff_id for m in p.team} <= {people.leader.staff_id, people.auditor.staff_id,
                                            people.decision_maker.staff_id}
    assert [m.role for m in p.team].count("leader") == 1
    assert {v.shopper_id for v in p.visits} == {people.shopper.staff_id}
    assert sorted(v.site for v in p.visits) == ["站点1", "站点2"]
    assert p.stage1_on is not None and today < p.stage1_on < p.onsite_start
    assert all(v.planned_on < p.onsite_start for v in p.visits)  # before the on-site audit

    payload = {"objectives": "初次认证审核", **p.programme_fields()}
    await journey.complete("programme", people.programme_manager, payload)  # no refusal: every check passes
    await journey.stage("audit")
    audit = journey.audit()
    leader = by_id[next(m.staff_id for m in p.team if m.role == "leader")]

    day = await journey.when_available("stage1", audit)
    assert day == p.stage1_on
    await journey.complete("stage1", leader, stage1(), handle=audit)
    # the plan, sent the day of stage 1, is at least 3 working days before the on-site audit.
    await journey.complete("onsite_plan", leader, {"sent_on": str(day), "plan": "现场审查计划"}, handle=audit)
    for _ in p.visits:
        visited = await journey.when_available("mystery_shopper_report", audit)
        await journey.complete("mystery_shopper_report", people.shopper, {
            "visited_on": str(visited), "person_days": "0.5", "service_quality": "接通及时",
            "service_environment": "整洁"}, handle=audit)
    day = await journey.when_available("onsite_audit", audit)
    await journey.complete("onsite_audit", leader, full_marks(minor_nc=False, today=day), handle=audit)
    await journey.complete("audit_report", leader, {"summary": "总体符合", "discussed_with_auditee_on": str(day),
                                                    "recommendation": "recommend"}, handle=audit)
    await journey.complete("materials_review", people.programme_manager, {"accepted": True})
    # .n1: the decision by someone who took no part in the audit.
    team = {m.staff_id for m in p.team}
    decider = people.decision_maker
    if decider.staff_id in team:
        person, _ = await add_staff(journey.pool, "陈决定", [Role.DECISION_MAKER], email="d2@body.example")
        decider = Actor(staff_id=person.id, name=person.name, roles=list(person.roles))
    await journey.complete("certification_decision", decider, {"outcome": "grant", "star_level": "five_star"})
    status = await journey.stage("granted")
    assert status.certificate_number


async def test_the_proposal_keeps_a_person_on_leave_off_the_audit(journey: Journey) -> None:
    """Leave recorded before the task opens: the proposal plans around it (availability)."""
    people = journey.people
    await journey.start()
    await journey.task("application_review")
    today = await journey.today()
    await journey.pool.execute(
        "INSERT INTO staff_absences (id, staff_id, starts_on, ends_on, reason, recorded_by) "
        "VALUES ($1, $2, $3, $4, '年假', 'test')", uuid.uuid4(), people.auditor.staff_id, today,
        today + timedelta(days=120))
    # A fourth qualified auditor, so that a team of three (R-7.team) is still there without them.
    person, _ = await add_staff(journey.pool, "何审查", [Role.AUDITOR], email="he@body.example")
    for kind in ("training_certificate", "competence_evaluation"):
        await add_qualification(journey.pool, person.id, kind, date(2024, 1, 1), date(2030, 12, 31))
    await journey.to_programme()
    _, p = await _proposal(journey)
    assert people.auditor.staff_id not in {m.staff_id for m in p.team}
    assert person.id in {m.staff_id for m in p.team}


async def test_an_absence_re_plans_the_proposals_it_touches(journey: Journey) -> None:
    await journey.start()
    await journey.to_programme()
    view, first = await _proposal(journey)
    leader = next(m.staff_id for m in first.team if m.role == "leader")
    # The leader falls ill over the proposed on-site days: told to the planner, as the API tells it.
    span = DateSpan(starts_on=first.onsite_start, ends_on=first.onsite_end)
    await journey.pool.execute(
        "INSERT INTO staff_absences (id, staff_id, starts_on, ends_on, reason, recorded_by) "
        "VALUES ($1, $2, $3, $4, '病假', 'test')", uuid.uuid4(), leader, span.starts_on, span.ends_on)
    planner = await journey.env.client.start_workflow(
        AuditPlanningWorkflow.run, AuditPlanningInput(), id=f"{AUDIT_PLANNING_WORKFLOW_ID}-{uuid.uuid4().hex[:6]}",
        task_queue=journey.queue, start_signal=REPLAN_SIGNAL,
        start_signal_args=[ReplanRequest(reason="sick leave", staff_id=leader, span=span)])
    try:
        done = await planner.execute_update("wait_for_replans", 1, result_type=ReplanDone)
        assert done is not None and done.replanned == [view.task_id]
        versions = await audit_proposals.versions(journey.pool, view.task_id)
        assert [v.version for v in versions] == [1, 2]  # the first is kept as it was shown
        assert versions[0].proposal == first
        second = versions[1].proposal
        assert second is not None
        asked = {(m.staff_id, second.onsite_start + timedelta(days=n))
                 for m in second.team for n in range((second.onsite_end - second.onsite_start).days + 1)}
        assert not any(who == leader and span.holds(day) for who, day in asked)
        # An absence of someone the proposal does not ask for re-plans nothing.
        other = DateSpan(starts_on=date(2031, 1, 1), ends_on=date(2031, 1, 2))
        await planner.signal(REPLAN_SIGNAL, ReplanRequest(reason="leave far away", staff_id=leader, span=other))
        done = await planner.execute_update("wait_for_replans", 2, result_type=ReplanDone)
        assert done is not None and done.replanned == []
        assert len(await audit_proposals.versions(journey.pool, view.task_id)) == 2
    finally:
        await planner.terminate("test finished")


async def test_the_planner_plans_the_coming_months_each_day(own_temporal_env, pool, smtp) -> None:
    """The planner's process, as the worker keeps it, plans the audits due at its daily hour (R-9.2.1:
    a surveillance before its due date) without anyone asking."""
    from tests.store.scheduling_rows import certified
    from workers.main import build_worker

    env = own_temporal_env
    await make_people(pool)
    today = (await env.get_current_time()).astimezone(SHANGHAI).date()
    cert = await certified(pool, next_due=today + timedelta(days=75), person_days="7")
    queue = f"certflow-{uuid.uuid4().hex[:8]}"
    async with build_worker(env.client, pool, queue, smtp.mail):
        planner = await env.client.start_workflow(
            AuditPlanningWorkflow.run, AuditPlanningInput(hour=2), id=f"planner-{uuid.uuid4().hex[:6]}",
            task_queue=queue)
        try:
            await env.sleep(timedelta(days=1, hours=3))  # past the next 02:00 in Shanghai
            await planner.execute_update("wait_for_replans", 1, result_type=ReplanDone)
            done = await planner.query("last_horizon_plan", result_type=HorizonDone)
            assert done is not None and done.audits >= 1 and done.placed == done.audits
        finally:
            await planner.terminate("test finished")
    planned = await audit_proposals.upcoming_for(pool, cert.workflow_id, "surveillance")
    assert planned is not None and planned.proposal is not None and planned.task_id is None
    assert planned.proposal.onsite_end <= today + timedelta(days=75)
