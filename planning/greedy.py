"""The greedy baseline: audits in order of their last start day (earliest due first), each at its first
start where a team, a stage-1 day and the visits fit (planning.fit), the people chosen by travel, then
load. It keeps the same rules as the solver (planning.eligibility, planning.ledger), without looking
ahead; the benchmark compares the solver with it, and the solver starts from its plan (a hint).
"""

from __future__ import annotations

import time

from planning.fit import first_fit
from planning.ledger import Ledger
from planning.problem import Placement, Problem, prepare
from planning.result import build_result
from schemas.scheduling import PlanRequest, PlanResult


def solve_greedy(request: PlanRequest, *, share: float | None = None) -> PlanResult:
    """A plan for ``request`` by the greedy baseline; status "feasible" (never proved optimal). ``share``:
    one of the solver's balanced starting points instead (see ``place_greedily``)."""
    started = time.monotonic()
    problem = prepare(request)
    placements = place_greedily(problem, share=share)
    return build_result(problem, placements, "feasible", started)


def place_greedily(problem: Problem, *, share: float | None = None) -> list[Placement]:
    """The greedy plan; with ``share``, people are ranked by the solver's cost against ``share`` × an even
    share of the audits' half-days (the solver's other starting points, not the baseline)."""
    ledger = Ledger(problem)
    placements = []
    target = share * even_share(problem) if share is not None else None
    for job in sorted(problem.jobs, key=lambda j: (j.demand.latest, j.demand.earliest, j.key)):
        placement = first_fit(problem, ledger, job, target=target)
        if placement is not None:
            ledger.take(placement)
            placements.append(placement)
    return placements


def even_share(problem: Problem) -> float:
    """Half-days per auditor if every audit were placed and shared evenly."""
    auditors = sum(1 for p in problem.people.values() if p.auditor) or 1
    return sum(2 * j.shape.person_days for j in problem.jobs if j.shape is not None) / auditors
