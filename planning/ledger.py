"""What a plan has taken so far: each person's units a day and half-days a month. The greedy baseline
places audits against it; the solver's result is read back through it for loads. The monthly charge is
the solver's (``charges``), so that a greedy plan is always a solution of the solver's model (its hint).
"""

from __future__ import annotations

from collections import defaultdict
from uuid import UUID

from planning.problem import Placement, Problem


def charges(problem: Problem, placement: Placement) -> list[tuple[UUID, int, int]]:
    """(person, month, half-days) the monthly caps count for ``placement``: on-site days in the start's
    month (an on-site audit never spans two months); stage 1 (2) and each visit (1) in every month their
    window can reach from that month — cautious, never under the true count."""
    job, days, policy = placement.job, problem.days, problem.policy
    assert job.shape is not None
    month = days.months[placement.start]
    out = [(p, month, 2 * job.shape.onsite_days) for p in placement.team]
    if placement.stage1 is not None:
        out += [(placement.team[0], m, 2) for m in job.prep_months(days, month, policy.stage1_window_working_days)]
    for _site, shopper, _day in placement.visits:
        out += [(shopper, m, 1) for m in job.prep_months(days, month, policy.visit_window_working_days)]
    return out


class Ledger:
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.units: dict[UUID, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.month: dict[UUID, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.load: dict[UUID, int] = defaultdict(int)  # half-days of this plan

    def day_free(self, person: UUID, i: int, units: int) -> bool:
        """``units`` more on working index ``i``: not on leave or booked, and within the day's capacity."""
        if self.problem.people[person].blocked[i]:
            return False
        return self.units[person][i] + units <= self.problem.capacity

    def month_room(self, person: UUID, month: int) -> int:
        return self.problem.people[person].month_room(month) - self.month[person][month]

    def fits(self, placement: Placement) -> bool:
        """Whether ``placement`` keeps every monthly cap on top of what is taken."""
        need: dict[tuple[UUID, int], int] = defaultdict(int)
        for person, month, half_days in charges(self.problem, placement):
            need[person, month] += half_days
        return all(self.month_room(p, m) >= h for (p, m), h in need.items())

    def take(self, placement: Placement) -> None:
        full = self.problem.capacity
        for person in placement.team:
            for i in range(placement.start, placement.end + 1):
                self.units[person][i] += full
        if placement.stage1 is not None:
            self.units[placement.team[0]][placement.stage1] += full
        for _site, shopper, day in placement.visits:
            self.units[shopper][day] += 1
        for person, month, half_days in charges(self.problem, placement):
            self.month[person][month] += half_days
        for person, half_days in served_half_days(placement).items():
            self.load[person] += half_days


def served_half_days(placement: Placement) -> dict[UUID, int]:
    """The half-days each person actually works on ``placement`` (loads, not the cautious monthly charge)."""
    job = placement.job
    assert job.shape is not None
    out: dict[UUID, int] = defaultdict(int)
    for person in placement.team:
        out[person] += 2 * job.shape.onsite_days
    if placement.stage1 is not None:
        out[placement.team[0]] += 2
    for _site, shopper, _day in placement.visits:
        out[shopper] += 1
    return out
