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


def solve_greedy(request: PlanRequest) -> PlanResult:
    """A plan for ``request`` by the greedy baseline; status "feasible" (never proved optimal)."""
    started = time.monotonic()
    problem = prepare(request)
    placements = place_greedily(problem)
    return build_result(problem, placements, "feasible", started)


def place_greedily(problem: Problem) -> list[Placement]:
    ledger = Ledger(problem)
    placements = []
    for job in sorted(problem.jobs, key=lambda j: (j.demand.latest, j.demand.earliest, j.key)):
        placement = first_fit(problem, ledger, job)
        if placement is not None:
            ledger.take(placement)
            placements.append(placement)
    return placements
