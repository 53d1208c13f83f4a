"""The planner's activities against the register (issue 18): the plan of the coming months for the
audits due (R-9.2.1 surveillance windows, R-9.3 recertification, R-9.1.3 accepted applications), kept
in versions, its team offered again when the audit's programme task opens; a retry writes nothing twice."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from temporalio.testing import ActivityEnvironment

from activities.scheduling import HorizonAsk, ProposalAsk, SchedulingActivities
from schemas.audits import AuditKind
from schemas.scheduling import SchedulingPolicy
from schemas.staff import Role
from store import audit_proposals
from store.staff import add_qualification, add_staff
from tests.store.scheduling_rows import certified

TODAY = date(2026, 3, 2)
POLICY = SchedulingPolicy(time_limit_seconds=5, horizon_time_limit_seconds=5)


async def _people(pool, auditors: int = 3) -> list:
    made = []
    for n in range(auditors):
        person, _ = await add_staff(pool, f"审核员{n}", [Role.AUDITOR], email=f"a{n}@body.example")
        for kind in ("training_certificate", "competence_evaluation"):
            await add_qualification(pool, person.id, kind, date(2024, 1, 1), date(2030, 12, 31))
        made.append(person.id)
    await add_staff(pool, "暗访员", [Role.MYSTERY_SHOPPER], email="s@body.example")
    return made


async def test_the_coming_months_are_planned_and_kept_in_versions(pool):
    auditors = await _people(pool)
    cert = await certified(pool, next_due=date(2026, 6, 1), person_days="7")  # due in June
    planner = SchedulingActivities(pool, POLICY)
    ask = HorizonAsk(made_by="test/1", today=TODAY, reason="daily plan")
    done = await ActivityEnvironment().run(planner.plan_horizon, ask)
    assert done.audits >= 1 and done.placed == done.audits and done.unplaced == 0
    [planned] = [p for p in await audit_proposals.upcoming(pool, TODAY) if p.workflow_id == cert.workflow_id]
    assert planned.kind is AuditKind.SURVEILLANCE and planned.task_id is None and planned.proposal is not None
    p = planned.proposal
    assert planned.demand.earliest <= p.onsite_start <= planned.demand.latest < date(2026, 6, 1)  # before due
    assert p.person_days >= Decimal(planned.demand.person_days)  # R-A.n1b
    assert {m.staff_id for m in p.team} <= set(auditors)

    again = await ActivityEnvironment().run(planner.plan_horizon, ask)  # a retry: nothing twice
    assert again == done
    assert len(await audit_proposals.versions(pool, planned.key)) == 1
    await ActivityEnvironment().run(planner.plan_horizon, HorizonAsk(made_by="test/2", today=TODAY, reason="next"))
    versions = await audit_proposals.versions(pool, planned.key)
    assert [v.version for v in versions] == [1, 2] and versions[0] == planned  # the first kept as it was


async def test_the_programme_task_is_offered_the_team_of_the_plan(pool):
    await _people(pool, auditors=4)
    cert = await certified(pool, next_due=date(2026, 6, 1), person_days="7")
    planner = SchedulingActivities(pool, POLICY)
    await ActivityEnvironment().run(planner.plan_horizon, HorizonAsk(made_by="t/1", today=TODAY, reason="plan"))
    planned = await audit_proposals.upcoming_for(pool, cert.workflow_id, "surveillance")
    assert planned is not None and planned.proposal is not None
    later = TODAY + timedelta(days=30)
    made = await ActivityEnvironment().run(planner.propose_programme, ProposalAsk(
        key=f"{cert.workflow_id}/surveillance_programme/1", workflow_id=cert.workflow_id,
        audit_kind=AuditKind.SURVEILLANCE, today=later, minimum_person_days=Decimal("3"), stage1=False,
        visits=False, site_names=["南山店"], end_by=date(2026, 6, 1), window_rule="R-9.2.1"))
    assert made.placed and made.version == 1
    stored = await audit_proposals.current(pool, made.key)
    assert stored is not None and stored.proposal is not None
    assert stored.demand.team_hint == [m.staff_id for m in planned.proposal.team]
    assert stored.proposal.onsite_end <= date(2026, 6, 1)  # on site by the due date


async def _open_task(pool, planner: SchedulingActivities, n: int, today: date) -> str:
    """A programme task open in the inbox, and its proposal as the process asks for it."""
    from datetime import UTC, datetime

    key = f"certification-{n}/programme/1"
    await pool.execute("INSERT INTO tasks (id, workflow_id, kind, role, title, opened_at) "
                       "VALUES ($1, $2, 'programme', 'programme_manager', 'programme', $3)",
                       key, f"certification-{n}", datetime.now(UTC))
    made = await ActivityEnvironment().run(planner.propose_programme, ProposalAsk(
        key=key, workflow_id=f"certification-{n}", audit_kind=AuditKind.INITIAL, today=today,
        minimum_person_days=Decimal("3"), stage1=False, visits=False, site_names=[]))
    assert made.placed
    return key


async def test_a_decided_programme_re_plans_only_the_proposals_it_clashes_with(pool):
    """A programme decided otherwise than proposed takes its people's days: the open proposal that asked
    the same person for the same days is planned again, the one that did not is kept (R-9.1.3)."""
    from activities.scheduling import ReplanAsk

    await _people(pool, auditors=4)
    planner = SchedulingActivities(pool, POLICY)
    first, second = [await _open_task(pool, planner, n, TODAY) for n in (1, 2)]
    a = (await audit_proposals.current(pool, first)).proposal
    b = (await audit_proposals.current(pool, second)).proposal
    assert not ({m.staff_id for m in a.team} & {m.staff_id for m in b.team}) or a.onsite_end < b.onsite_start \
        or b.onsite_end < a.onsite_start  # planned around each other
    # A third audit, programmed by hand, takes b's team on b's days.
    decided = b.model_copy(update={"key": "certification-3/programme/1"})
    done = await ActivityEnvironment().run(planner.replan_proposals, ReplanAsk(
        made_by="planner/1", today=TODAY, reason="programme decided", decided=decided))
    assert done.replanned == [second] and done.unplaced == []
    assert len(await audit_proposals.versions(pool, first)) == 1  # untouched, kept
    [_, again] = await audit_proposals.versions(pool, second)
    c = again.proposal
    clash = {(m.staff_id, d) for m in c.team for d in _days(c)} & {(m.staff_id, d) for m in b.team for d in _days(b)}
    assert not clash


def _days(p) -> list[date]:
    return [p.onsite_start + timedelta(days=n) for n in range((p.onsite_end - p.onsite_start).days + 1)]


def test_the_solver_is_loaded_when_the_worker_is_built_not_at_the_first_proposal(repo_root) -> None:
    """Importing the worker's modules leaves OR-Tools unloaded (the workflows import the planner's models
    alone); load_solver, which build_worker calls for an I/O worker, loads it before any proposal (issue 17:
    loading it during the first proposal held the worker for 3–4 CPU-seconds)."""
    import subprocess
    import sys

    script = ("import sys, workers.main, activities.scheduling as s\n"
              "before = 'ortools' in sys.modules\n"
              "s.load_solver()\n"
              "print(before, 'ortools' in sys.modules and 'planning.solver' in sys.modules)\n")
    found = subprocess.run([sys.executable, "-c", script], cwd=repo_root, capture_output=True, text=True,
                           check=True, env={"PYTHONPATH": str(repo_root), "PATH": "/usr/bin:/bin"})
    assert found.stdout.split() == ["False", "True"]


async def test_building_an_io_worker_loads_the_solver_and_a_core_worker_does_not(temporal_env, pool,
                                                                                  monkeypatch) -> None:
    import workers.main

    loaded: list[str] = []
    monkeypatch.setattr(workers.main, "load_solver", lambda: loaded.append("solver"))
    for role in ("core", "io", "all"):
        workers.main.build_worker(temporal_env.client, pool, f"solver-preload-{role}", role=role)
        loaded.append(role)
    assert loaded == ["core", "solver", "io", "solver", "all"]


async def test_a_planning_activity_beats_while_the_solver_thinks(pool, monkeypatch):
    """So that one whose completion is lost with its worker or server is retried after the proposal's
    heartbeat timeout, not its 11-minute start-to-close (workflows/programme_proposals.py)."""
    import threading

    import activities.scheduling as scheduling
    import planning.solver

    await _people(pool)
    await certified(pool, next_due=date(2026, 6, 1), person_days="7")
    thinking = threading.Event()
    real_solve = planning.solver.solve

    def slow_solve(request):  # the solver, held until the activity has beaten while it thought
        assert thinking.wait(timeout=30), "no heartbeat came while the solver thought"
        return real_solve(request)

    monkeypatch.setattr(planning.solver, "solve", slow_solve)
    monkeypatch.setattr(scheduling, "HEARTBEAT_EVERY", 0.01)
    beats: list[tuple] = []
    environment = ActivityEnvironment()
    environment.on_heartbeat = lambda *details: (beats.append(details), len(beats) >= 2 and thinking.set())
    done = await environment.run(SchedulingActivities(pool, POLICY).plan_horizon,
                                 HorizonAsk(made_by="test/beats", today=TODAY, reason="daily plan"))
    assert done.audits >= 1 and len(beats) >= 2  # one as it began, one or more while the solver thought
