"""The year's forecast (issue 18): person-days the audits due will demand, month by month, against what
the body's people can give, with the months over capacity flagged. Pure: the audits due
(store/audit_demand.py) and the people (store/planning_people.py) in, a ``Forecast`` out.

**Decisions** (the scheme is silent):

- *When an audit's time is demanded*: in the month of the last day its on-site audit may start
  (``AuditDemand.latest``): the month by which the body must have the people, so a month flagged is one
  that cannot be saved by moving audits later. An audit whose window closed before today counts in
  today's month; one closing after the horizon is not in the forecast.
- *Auditor demand* is the audit time (R-9.1.2.7, R-A.n1b, R-A.n1c); *shopper demand* is 0.5 person-day
  a site for audits with visits (R-3.10), a site at least.
- *Capacity* of a person in a month: the working days (R-dates) from today in that month on which they
  are neither absent nor already on an audit in force, capped by their monthly audit days less those
  already taken; an auditor's days count only when both R-7.auditor proofs hold that day. A person with
  both roles counts in both capacities (their days may go either way); each side is flagged on its own.
- *Provisional*: a month in a year the holiday table does not cover (working days guessed as Mon–Fri,
  rules/calendar.py).
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from rules.calendar import HolidayTable
from rules.lifecycle import add_months
from schemas.scheduling import AuditDemand, Forecast, MonthForecast, PlanPerson, SchedulingPolicy
from schemas.staff import Role

VISIT_PERSON_DAYS = Decimal("0.5")  # at least 0.5 person-day a site
R7_PROOFS = frozenset({"training_certificate", "competence_evaluation"})  # R-7.auditor


def forecast(demands: list[AuditDemand], people: list[PlanPerson], calendar: HolidayTable, today: date,
             months: int, policy: SchedulingPolicy) -> Forecast:
    """``months`` calendar months from today's, each with its demand and capacity."""
    firsts = [add_months(today.replace(day=1), n) for n in range(months)]
    rows = {_label(first): MonthForecast(month=_label(first), provisional=not calendar.covers(first.year))
            for first in firsts}
    _add_demand(rows, demands, today)
    for first in firsts:
        row = rows[_label(first)]
        days = _working_days(first, today, calendar)
        for person in people:
            if Role.AUDITOR in person.roles:
                row.auditor_capacity += _capacity(person, days, first, calendar, auditor=True)
            if Role.MYSTERY_SHOPPER in person.roles:
                row.shopper_capacity += _capacity(person, days, first, calendar, auditor=False)
        row.over_capacity = row.auditor_demand > row.auditor_capacity or row.shopper_demand > row.shopper_capacity
    return Forecast(today=today, months=[rows[_label(first)] for first in firsts])


def _add_demand(rows: dict[str, MonthForecast], demands: list[AuditDemand], today: date) -> None:
    by_kind: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for demand in demands:
        row = rows.get(_label(max(demand.latest, today)))
        if row is None:  # closes after the horizon
            continue
        row.audits += 1
        row.auditor_demand += demand.person_days
        by_kind[row.month][demand.kind.value] += demand.person_days
        if demand.visits:
            row.shopper_demand += VISIT_PERSON_DAYS * max(len(demand.sites), 1)
    for month, kinds in by_kind.items():
        rows[month].by_kind = dict(sorted(kinds.items()))


def _capacity(person: PlanPerson, working: list[date], first: date, calendar: HolidayTable, *,
              auditor: bool) -> Decimal:
    """What one person can still give in a month: free working days, at most their cap less the working
    days of the month already booked (before today too: they were taken from the same cap)."""
    start, end = _month_days(first)
    booked = {d for d in person.booked if start <= d <= end and calendar.is_working_day(d)}
    free = sum(1 for day in working
               if day not in booked and not any(span.holds(day) for span in person.unavailable)
               and (not auditor or _qualified(person, day)))
    return Decimal(max(0, min(free, person.max_audit_days_per_month - len(booked))))


def _qualified(person: PlanPerson, day: date) -> bool:
    """R-7.auditor: a training certificate and a competence evaluation, both valid that day."""
    held = {q.kind for q in person.qualifications if q.valid_from <= day <= q.valid_to}
    return held >= R7_PROOFS


def _working_days(first: date, today: date, calendar: HolidayTable) -> list[date]:
    """The month's working days from today on (R-dates; weekends alone in a year not covered)."""
    start, end = _month_days(first)
    day, found = max(start, today), []
    while day <= end:
        if calendar.is_working_day(day):
            found.append(day)
        day += timedelta(days=1)
    return found


def _month_days(first: date) -> tuple[date, date]:
    return first, first.replace(day=_stdlib_calendar.monthrange(first.year, first.month)[1])


def _label(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"
