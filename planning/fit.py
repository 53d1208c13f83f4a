"""Fitting one audit against what a plan has taken (a ``Ledger``): its first start where a team, a stage-1
day and the visits fit, the people chosen by travel, then load. The greedy baseline places audits with
it; the explanations ask it whether an audit would fit alone.
"""

from __future__ import annotations

from uuid import UUID

from planning.eligibility import Job
from planning.ledger import Ledger
from planning.problem import Placement, Problem


def first_fit(problem: Problem, ledger: Ledger, job: Job, *, visits: bool = True,
              target: float | None = None) -> Placement | None:
    """The first start (in order) where ``job`` fits; ``visits=False`` looks at the team alone. People are
    ranked by their cost (travel, decision makers: R-9.1.9.n1), then load; with a ``target`` load
    (half-days), by the solver's own cost: that cost and the half-days above the target the audit would put
    on them."""
    if job.shape is None:
        return None
    policy, added = problem.policy, 2 * job.shape.onsite_days

    def rank(p: UUID) -> tuple:
        if target is None:
            return problem.member_cost(job, p), ledger.load[p], problem.tie_break[p]
        above = max(0.0, ledger.load[p] + added - target)
        weighed = problem.member_cost(job, p) + policy.balance_weight * above
        return weighed, ledger.load[p], problem.tie_break[p]

    allowed = {p: set(starts) for p, starts in job.members.items()}
    for start in job.starts:
        end, month = start + job.shape.onsite_days - 1, problem.days.months[start]
        ready = [p for p in job.members if start in allowed[p]
                 and ledger.month_room(p, month) >= 2 * job.shape.onsite_days
                 and all(ledger.day_free(p, i, problem.capacity) for i in range(start, end + 1))]
        ready.sort(key=rank)
        for placement in teams(problem, ledger, job, start, ready):
            if (not visits or add_visits(problem, ledger, job, placement)) and ledger.fits(placement):
                return placement
    return None


def teams(problem: Problem, ledger: Ledger, job: Job, start: int, ready: list[UUID]):
    """Candidate teams for ``start``, best people first: each leader in turn with the first members
    qualified on the leader's stage-1 day."""
    assert job.shape is not None
    size, days = job.shape.team_size, problem.days
    if len(ready) < size:
        return
    if not job.demand.stage1:
        yield Placement(job, start, ready[:size])
        return
    window = problem.policy.stage1_window_working_days
    for leader in ready:
        person = problem.people[leader]
        # the plan goes out once stage 1 is done, at least the notice before the on-site audit.
        latest = start - problem.policy.plan_notice_working_days
        for day in range(latest, max(days.first_after_today, start - window) - 1, -1):
            on = days.working[day]
            if not (ledger.day_free(leader, day, problem.capacity) and person.qualified(on, on)):
                continue
            members = [p for p in ready if p != leader and problem.people[p].qualified(on, on)][: size - 1]
            if len(members) == size - 1:
                yield Placement(job, start, [leader, *members], stage1=day)
            break  # the leader's latest free day; an earlier one changes nothing for the members


def add_visits(problem: Problem, ledger: Ledger, job: Job, placement: Placement) -> bool:
    """One visit a site (R-3.10) on the latest day before the audit a shopper is free, fewest travels."""
    placement.visits = []
    if not job.demand.visits:
        return True
    days, start = problem.days, placement.start
    used: dict[tuple[UUID, int], int] = {}
    if placement.stage1 is not None:
        used[placement.team[0], placement.stage1] = problem.capacity
    first = max(days.first_after_today, start - problem.policy.visit_window_working_days)
    months = job.prep_months(days, days.months[start], problem.policy.visit_window_working_days)
    for n, site in enumerate(job.demand.sites):
        choice = None
        order = sorted((p for p in job.shoppers if all(ledger.month_room(p, m) >= 1 for m in months)),
                       key=lambda p: (job.site_travel[n][p], ledger.load[p], problem.tie_break[p]))
        for day in range(start - 1, first - 1, -1):
            choice = next((p for p in order if ledger.day_free(p, day, 1 + used.get((p, day), 0))), None)
            if choice is not None:
                used[choice, day] = used.get((choice, day), 0) + 1
                placement.visits.append((site.name, choice, day))
                break
        if choice is None:
            return False
    return True
