"""``solve``: the audit plan by OR-Tools CP-SAT (planning.model), started from the best of a few greedy plans
(the baseline's, and others that weigh travel against the load above an even share, as the objective does;
a greedy plan takes a fraction of a second at 500 audits).

The status is CP-SAT's: "optimal" (proved), "feasible" (the best found in ``policy.time_limit_seconds``),
"infeasible" (never expected: every audit may stay unplaced). When CP-SAT finds no plan in its time the
status is "unknown" and the proposals are the greedy plan's, which keeps the same rules.
"""

from __future__ import annotations

import time

from planning.greedy import place_greedily
from planning.ledger import served_half_days
from planning.model import PlanModel
from planning.problem import Placement, Problem, prepare
from planning.result import build_result, travel_of
from schemas.scheduling import PlanRequest, PlanResult

CANDIDATES = 12  # auditors offered to the solver per audit (see planning.model on pruning)
SHOPPER_CANDIDATES = 6  # mystery shoppers offered per site
# The greedy plans the solver starts from: the baseline (None) and people ranked against 1–2 × an even share.
SHARES = (None, 1.0, 1.25, 1.5, 2.0)


def solve(request: PlanRequest, *, candidates: int = CANDIDATES,
          shopper_candidates: int = SHOPPER_CANDIDATES) -> PlanResult:
    """The plan for ``request``: a proposal for every audit placed, an explanation for every other."""
    started = time.monotonic()
    problem = prepare(request)
    greedy = min((place_greedily(problem, share=share) for share in SHARES), key=lambda p: cost(problem, p))
    model = PlanModel(problem, greedy, candidates=candidates, shopper_candidates=shopper_candidates)
    # The policy's time limit bounds the whole call: the solver has what preparing the model left of it.
    status, placements = model.solve(max(1.0, request.policy.time_limit_seconds - (time.monotonic() - started)))
    if placements is None:
        return build_result(problem, greedy, "unknown", started)
    return build_result(problem, placements, status, started)


def cost(problem: Problem, placements: list[Placement]) -> tuple[int, int]:
    """A plan's objective as the model counts it: audits left unplaced first, then travel and balance."""
    loads = dict.fromkeys((p.id for p in problem.people.values() if p.auditor), 0)
    for placement in placements:
        for person, half_days in served_half_days(placement).items():
            if person in loads:
                loads[person] += half_days
    spread = max(loads.values()) - min(loads.values()) if loads else 0
    policy = problem.policy
    return (-len(placements), policy.travel_weight * sum(travel_of(p) for p in placements)
            + policy.balance_weight * spread)
