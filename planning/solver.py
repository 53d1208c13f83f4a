"""``solve``: the audit plan by OR-Tools CP-SAT (planning.model), started from the greedy plan.

The status is CP-SAT's: "optimal" (proved), "feasible" (the best found in ``policy.time_limit_seconds``),
"infeasible" (never expected: every audit may stay unplaced). When CP-SAT finds no plan in its time the
status is "unknown" and the proposals are the greedy plan's, which keeps the same rules.
"""

from __future__ import annotations

import time

from planning.greedy import place_greedily
from planning.model import PlanModel
from planning.problem import prepare
from planning.result import build_result
from schemas.scheduling import PlanRequest, PlanResult

CANDIDATES = 12  # auditors offered to the solver per audit (see planning.model on pruning)
SHOPPER_CANDIDATES = 6  # mystery shoppers offered per site


def solve(request: PlanRequest, *, candidates: int = CANDIDATES,
          shopper_candidates: int = SHOPPER_CANDIDATES) -> PlanResult:
    """The plan for ``request``: a proposal for every audit placed, an explanation for every other."""
    started = time.monotonic()
    problem = prepare(request)
    greedy = place_greedily(problem)
    model = PlanModel(problem, greedy, candidates=candidates, shopper_candidates=shopper_candidates)
    status, placements = model.solve()
    if placements is None:
        return build_result(problem, greedy, "unknown", started)
    return build_result(problem, placements, status, started)
