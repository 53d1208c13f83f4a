"""The planner's calendar: working days by index, the first day an on-site audit may start (R-9.1.6), and
the calendar month of each working day (the monthly caps)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date

from schemas.scheduling import SchedulingPolicy


def month_of(day: date) -> int:
    """A month as one increasing number (2027-03 → 2027 × 12 + 2)."""
    return day.year * 12 + day.month - 1


def month_name(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


@dataclass
class Days:
    """``working[i]`` is the i-th working day of the request (today included when it is one)."""

    today: date
    working: list[date]
    policy: SchedulingPolicy
    index: dict[date, int] = field(init=False)
    months: list[int] = field(init=False)
    first_after_today: int = field(init=False)  # stage 1 and visits fall on this index or later
    plan_sent: int = field(init=False)  # the first working index whose date is on or after the plan's sending
    earliest_start: int = field(init=False)

    def __post_init__(self) -> None:
        self.working = sorted(set(self.working))
        self.index = {day: i for i, day in enumerate(self.working)}
        self.months = [month_of(day) for day in self.working]
        self.first_after_today = bisect_right(self.working, self.today)
        preparation = self.policy.preparation_working_days
        if preparation:
            self.plan_sent = self.first_after_today + preparation - 1
        else:  # sent today: the notice counts back to a working day on or after today
            self.plan_sent = bisect_left(self.working, self.today)
        # the plan reaches the auditee at least ``plan_notice_working_days`` working days before the
        # on-site audit, i.e. no later than the working day that many before it (rules.calendar).
        self.earliest_start = max(self.plan_sent + self.policy.plan_notice_working_days, self.first_after_today)

    def __len__(self) -> int:
        return len(self.working)

    def span(self, first: date, last: date) -> tuple[int, int]:
        """The working indices from the first on or after ``first`` to the last on or before ``last``
        (empty when lo > hi)."""
        return bisect_left(self.working, first), bisect_right(self.working, last) - 1

    def plan_sent_on(self) -> date:
        """The day the plan can be sent (today when no preparation is asked)."""
        return self.working[self.plan_sent] if self.policy.preparation_working_days else self.today


def runs(indices: list[int]) -> list[list[int]]:
    """Sorted indices as [first, last] runs, the form ``cp_model.Domain.FromIntervals`` takes."""
    out: list[list[int]] = []
    for i in indices:
        if out and out[-1][1] == i - 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return out
