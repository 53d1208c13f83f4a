"""Placements → the planner's answer (``PlanResult``): proposals in the programme's terms, travel, loads."""

from __future__ import annotations

import time
from collections import defaultdict
from decimal import Decimal
from uuid import UUID

from planning.explain import explain
from planning.ledger import served_half_days
from planning.problem import Placement, Problem
from schemas.payloads import TeamAssignment, VisitPlan
from schemas.scheduling import PersonLoad, PlanResult, ProposedAudit

VISIT_PERSON_DAYS = Decimal("0.5")  # 0.5 person-day a site


def proposal(problem: Problem, placement: Placement) -> ProposedAudit:
    job, days = placement.job, problem.days
    assert job.shape is not None
    team = [TeamAssignment(staff_id=p, role="leader" if n == 0 else "auditor") for n, p in enumerate(placement.team)]
    visits = [VisitPlan(site=site, shopper_id=shopper, planned_on=days.working[day], person_days=VISIT_PERSON_DAYS)
              for site, shopper, day in placement.visits]
    return ProposedAudit(
        key=job.key, team=team,
        stage1_on=days.working[placement.stage1] if placement.stage1 is not None else None,
        onsite_start=days.working[placement.start], onsite_end=days.working[placement.end],
        visits=visits, person_days=Decimal(job.shape.person_days),
        onsite_days=Decimal(job.shape.onsite_person_days), travel=travel_of(placement))


def travel_of(placement: Placement) -> int:
    """People who travel from another city: team members to the audit's city, shoppers to the site's."""
    job = placement.job
    sites = {site.name: n for n, site in enumerate(job.demand.sites)}
    return (sum(job.travel[p] for p in placement.team)
            + sum(job.site_travel[sites[site]][shopper] for site, shopper, _day in placement.visits))


def build_result(problem: Problem, placements: list[Placement], status: str, started: float) -> PlanResult:
    """The answer: every placement as a proposal, every other audit explained (planning.explain)."""
    loads: dict[UUID, int] = defaultdict(int)
    for placement in placements:
        for person, half_days in served_half_days(placement).items():
            loads[person] += half_days
    auditors = [loads[p.id] for p in problem.people.values() if p.auditor]
    placed = {p.job.key for p in placements}
    unplaced = [explain(problem, job, placements) for job in problem.jobs if job.key not in placed]
    return PlanResult(
        status=status,  # type: ignore[arg-type]
        proposals=[proposal(problem, p) for p in sorted(placements, key=lambda p: (p.start, p.job.key))],
        unplaced=unplaced,
        travel=sum(travel_of(p) for p in placements),
        load_spread=(max(auditors) - min(auditors)) if auditors else 0,
        loads=[PersonLoad(staff_id=p, half_days=loads[p]) for p in problem.people],
        wall_seconds=round(time.monotonic() - started, 3),
    )
