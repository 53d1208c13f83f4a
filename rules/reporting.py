"""When the regulator's monthly report is due and when the operator is reminded of it.

The certification authority (CNCA) expects the month's certificates and their status by the 10th of
the following month (a calendar day). **Decision**: an operator is reminded on the 5th working day of
each month (Chinese working days, R-dates), for the report of the month before. Pure: the workflow that
opens the reminder task passes the holiday table it read through an activity (DESIGN.md "Dates").
"""

from __future__ import annotations

import datetime as dt

from rules.calendar import HolidayTable, WorkingDayResult, add_working_days
from schemas.errors import InvalidInput

REPORT_DUE_DAY = 10  # the 10th of the month after the month reported
REMINDER_WORKING_DAY = 5


def report_reminder_day(
    month: dt.date, table: HolidayTable, *, working_day: int = REMINDER_WORKING_DAY
) -> WorkingDayResult:
    """The ``working_day``-th (5th) working day of ``month`` (any day of it), counted from its 1st.

    Provisional when the holiday table does not cover the month's year (R-dates): weekends alone decide
    then, and the reminder should say so. Note that around National Day (October) and in a Spring
    Festival February the 5th working day can fall after the 10th, the report's due day.
    """
    if isinstance(month, dt.datetime) or not isinstance(month, dt.date):
        raise InvalidInput("the month is a date (any day of it), not a datetime")
    if not isinstance(table, HolidayTable):
        raise InvalidInput(f"table must be a HolidayTable, not {type(table).__name__}")
    if isinstance(working_day, bool) or not isinstance(working_day, int) or working_day < 1:
        raise InvalidInput(f"the reminder is on the n-th working day, n >= 1, not {working_day!r}")
    first = month.replace(day=1)
    if first == dt.date.min:
        raise InvalidInput("the month is out of range")
    result = add_working_days(first - dt.timedelta(days=1), working_day, table)
    if (result.date.year, result.date.month) != (first.year, first.month):
        raise InvalidInput(f"{first:%Y-%m} has fewer than {working_day} working days",
                           details={"month": f"{first:%Y-%m}", "working_day": working_day})
    return result


def report_due_on(month: dt.date) -> dt.date:
    """The day the report of the month before ``month`` is due: the 10th of ``month`` (a calendar day)."""
    if isinstance(month, dt.datetime) or not isinstance(month, dt.date):
        raise InvalidInput("the month is a date (any day of it), not a datetime")
    return month.replace(day=REPORT_DUE_DAY)


def reminder_date(month: dt.date, table: HolidayTable, *, working_day: int = REMINDER_WORKING_DAY) -> WorkingDayResult:
    """The day the operator is reminded: the 5th working day, unless that comes after the due date
    (National Day in October, the Spring Festival in some Februaries). **Decision**: then the last working
    day before the 10th, so that a reminder always leaves at least one working day to send the report."""
    fifth = report_reminder_day(month, table, working_day=working_day)
    due = report_due_on(month)
    if fifth.date < due:
        return fifth
    before_due = add_working_days(due, -1, table)
    return WorkingDayResult(date=before_due.date, provisional=fifth.provisional or before_due.provisional)
