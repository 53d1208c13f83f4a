"""The reminder of the regulator's monthly report: the 5th Chinese working day of each month (R-dates),
provisional when the holiday table does not cover the year."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.calendar import HolidayTable
from rules.reporting import REPORT_DUE_DAY, report_due_on, report_reminder_day
from schemas.errors import InvalidInput
from schemas.holidays import HolidayYear

D = dt.date
DEFAULT = HolidayTable.default()


@pytest.mark.parametrize(("month", "expected"), [
    (D(2026, 11, 1), D(2026, 11, 6)),   # an ordinary month: Mon 2 to Fri 6
    (D(2026, 10, 1), D(2026, 10, 13)),  # National Day 1-7 off; Sat 10 a make-up working day: 8, 9, 10, 12, 13
    (D(2026, 1, 1), D(2026, 1, 8)),     # New Year 1-3 off; Sun 4 a make-up working day: 4, 5, 6, 7, 8
    (D(2025, 2, 1), D(2025, 2, 10)),    # Spring Festival to the 4th; Sat 8 a make-up working day: 5, 6, 7, 8, 10
    (D(2025, 10, 1), D(2025, 10, 14)),  # National Day and Mid-autumn 1-8 off; Sat 11 worked: 9, 10, 11, 13, 14
])
def test_the_fifth_working_day_of_the_month(month, expected):
    result = report_reminder_day(month, DEFAULT)
    assert (result.date, result.provisional) == (expected, False)


def test_any_day_of_the_month_names_the_month():
    assert report_reminder_day(D(2026, 10, 27), DEFAULT) == report_reminder_day(D(2026, 10, 1), DEFAULT)


def test_a_year_the_table_does_not_cover_is_provisional_until_the_body_enters_it():
    """R-dates: 2027 is not in the shipped table: weekends alone decide, and the date says so."""
    guessed = report_reminder_day(D(2027, 1, 1), DEFAULT)
    assert (guessed.date, guessed.provisional) == (D(2027, 1, 7), True)  # Fri 1 ... Thu 7, by weekends alone
    entered = DEFAULT.with_overrides(years=[HolidayYear(year=2027, source="test")],
                                     days=[(D(2027, 1, 1), False, "New Year's Day")])
    known = report_reminder_day(D(2027, 1, 1), entered)
    assert (known.date, known.provisional) == (D(2027, 1, 8), False)
    # January 2027 counted from 31 December 2026 is provisional for 2027 only; December 2026 is not.
    assert report_reminder_day(D(2026, 12, 1), DEFAULT).provisional is False


def test_the_reminder_in_october_comes_after_the_due_day():
    """The report is due on the 10th (a calendar day); around National Day the 5th working day is later.
    Recorded here so that the reminder workflow decides what to do about it."""
    assert report_due_on(D(2026, 10, 1)) == D(2026, 10, REPORT_DUE_DAY)
    assert report_reminder_day(D(2026, 10, 1), DEFAULT).date > report_due_on(D(2026, 10, 1))
    assert report_reminder_day(D(2026, 11, 1), DEFAULT).date <= report_due_on(D(2026, 11, 1))


@given(st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 12, 31)))
def test_it_is_a_working_day_of_the_month_with_four_before_it(day):
    result = report_reminder_day(day, DEFAULT)
    first = day.replace(day=1)
    assert (result.date.year, result.date.month) == (first.year, first.month)
    assert DEFAULT.is_working_day(result.date)
    days = [first + dt.timedelta(days=k) for k in range((result.date - first).days + 1)]
    assert sum(DEFAULT.is_working_day(d) for d in days) == 5


def test_bad_input_is_refused():
    with pytest.raises(InvalidInput):
        report_reminder_day(dt.datetime(2026, 10, 1, 9), DEFAULT)
    with pytest.raises(InvalidInput):
        report_reminder_day(D(2026, 10, 1), None)
    with pytest.raises(InvalidInput):
        report_reminder_day(D(2026, 10, 1), DEFAULT, working_day=0)
    with pytest.raises(InvalidInput, match="fewer than 30 working days"):
        report_reminder_day(D(2026, 10, 1), DEFAULT, working_day=30)


def test_the_reminder_never_comes_after_the_due_date_R_dates():
    """Decision: the 5th working day, or the last working day before the 10th when National Day pushes it
    later (2026-10: the 5th working day is the 13th, the reminder goes out on the 9th)."""
    from datetime import date

    from rules.calendar import HolidayTable, is_working_day
    from rules.reporting import reminder_date, report_reminder_day

    table = HolidayTable.default()
    assert report_reminder_day(date(2026, 10, 1), table).date > date(2026, 10, 10)
    october = reminder_date(date(2026, 10, 1), table)
    assert october.date < date(2026, 10, 10) and is_working_day(october.date, table) and not october.provisional
    november = reminder_date(date(2026, 11, 1), table)
    assert november.date == report_reminder_day(date(2026, 11, 1), table).date  # the usual 5th working day
    assert reminder_date(date(2027, 1, 1), table).provisional  # 2027 is not in the table yet
