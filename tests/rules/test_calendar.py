"""Chinese working days (RULES.md "Dates", cited R-dates) for R-9.1.2 (3 working days), R-9.1.6 and
R-9.2.5 (plan >= 3 working days before the on-site audit) and R-9.1.9 (decision within 10)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from rules.calendar import (
    DATA_FILE,
    HolidayTable,
    add_working_days,
    is_working_day,
)
from schemas.errors import DataMissing, InvalidInput
from schemas.holidays import HolidayDay, HolidayYear

D = dt.date
DEFAULT = HolidayTable.default()


def holiday_name(table: HolidayTable, day: dt.date) -> str | None:
    """The name the table gives a declared day (off or make-up working), None for an ordinary day."""
    return table.off_days.get(day, table.working_days.get(day))


def working_days_in(start: dt.date, end: dt.date, table: HolidayTable = DEFAULT) -> dict:
    """The test's own count of the working days in ``(start, end]`` and whether it touched a year the
    table does not cover: an oracle for ``add_working_days``, day by day."""
    days = [start + dt.timedelta(days=k) for k in range(1, (end - start).days + 1)]
    return {"days": sum(table.is_working_day(d) for d in days),
            "provisional": any(not table.covers(d.year) for d in days)}
# 2027 as the body would enter it in the database (illustrative days, not the State Council's).
WITH_2027 = DEFAULT.with_overrides(
    years=[HolidayYear(year=2027, source="test")],
    days=[
        (D(2027, 1, 1), False, "New Year's Day"),
        HolidayDay(day=D(2027, 2, 6), is_working_day=True, name="Spring Festival"),
        HolidayDay(day=D(2027, 2, 8), is_working_day=False, name="Spring Festival"),
    ],
)


def touched_days(start: dt.date, end: dt.date) -> list[dt.date]:
    """The days a count from ``start`` to ``end`` steps over, ``start`` excluded."""
    step = dt.timedelta(days=1 if end >= start else -1)
    days, day = [], start
    while day != end:
        day += step
        days.append(day)
    return days


# --- the shipped table ---------------------------------------------------------------------------


def test_r_dates_default_table_covers_2004_to_2026_only() -> None:
    """R-dates: the shipped table covers what chinese_calendar 1.11 knows, and 2027 is not guessed."""
    assert all(DEFAULT.covers(year) for year in range(2004, 2027))
    assert not DEFAULT.covers(2003)
    assert not DEFAULT.covers(2027)
    assert HolidayTable.default() is DEFAULT  # loaded once


def test_r_dates_json_equals_chinese_calendar_for_every_day() -> None:
    """R-dates: the seeded JSON says what chinese_calendar says about every day of 2004–2026."""
    import chinese_calendar

    day, differences = D(2004, 1, 1), []
    while day <= D(2026, 12, 31):
        if DEFAULT.is_working_day(day) != chinese_calendar.is_workday(day):
            differences.append(day)
        _, name = chinese_calendar.get_holiday_detail(day)
        if holiday_name(DEFAULT, day) != name:
            differences.append(day)
        day += dt.timedelta(days=1)
    assert differences == []
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 1, 4))


def test_r_dates_shipped_file_is_what_the_seed_script_writes() -> None:
    """R-dates: ``python -m certflow.seed_holidays`` reproduces the reviewed file byte for byte."""
    from certflow.seed_holidays import build_table, render

    assert DATA_FILE.read_text(encoding="utf-8") == render(build_table())


# --- examples ------------------------------------------------------------------------------------


def test_r_9_1_2_three_working_days_over_national_day_end_on_a_make_up_saturday() -> None:
    """R-9.1.2 / R-dates: 2026-09-30 + 3 working days skips 1–7 October and lands on Saturday 10 October."""
    assert [DEFAULT.is_working_day(D(2026, 10, d)) for d in range(1, 8)] == [False] * 7
    assert D(2026, 10, 10).weekday() == 5 and DEFAULT.working_days[D(2026, 10, 10)] == "National Day"
    assert add_working_days(D(2026, 9, 30), 3).model_dump() == {"date": D(2026, 10, 10), "provisional": False}


def test_r_9_1_9_ten_working_days_over_mid_autumn_and_national_day() -> None:
    """R-9.1.9 / R-dates: a decision due 10 working days after acceptance on 2026-09-24 is due 2026-10-15."""
    assert add_working_days(D(2026, 9, 24), 10).date == D(2026, 10, 15)


def test_r_dates_make_up_saturday_of_spring_festival_counts() -> None:
    """R-dates: 2026-02-14 is a Saturday worked in lieu (调休), so it is the next working day after Friday."""
    assert add_working_days(D(2026, 2, 13), 1).date == D(2026, 2, 14)
    assert is_working_day(D(2026, 2, 14))


@pytest.mark.parametrize(
    ("on_site", "latest_plan"),
    [(D(2026, 10, 12), D(2026, 10, 8)), (D(2026, 10, 8), D(2026, 9, 28)), (D(2026, 6, 18), D(2026, 6, 15))],
)
def test_r_9_1_6_plan_three_working_days_before_on_site(on_site: dt.date, latest_plan: dt.date) -> None:
    """R-9.1.6 / R-9.2.5: counting backwards gives the last day the plan can be communicated."""
    result = add_working_days(on_site, -3)
    assert (result.date, result.provisional) == (latest_plan, False)


def test_r_dates_zero_working_days_is_the_start() -> None:
    """R-dates: n == 0 steps over nothing, so even a 2027 start is returned as given, not provisional."""
    assert add_working_days(D(2026, 10, 3), 0).model_dump() == {"date": D(2026, 10, 3), "provisional": False}
    assert add_working_days(D(2027, 5, 1), 0).provisional is False


# --- provisional years ---------------------------------------------------------------------------


def test_r_dates_count_within_2026_is_not_provisional() -> None:
    """R-dates: 2026-12-28 + 3 working days ends on 2026-12-31, all inside the table."""
    assert add_working_days(D(2026, 12, 28), 3).model_dump() == {"date": D(2026, 12, 31), "provisional": False}


def test_r_dates_count_into_2027_is_provisional() -> None:
    """R-dates: crossing into 2027 (unknown to the table) decides by weekends alone and says so."""
    result = add_working_days(D(2026, 12, 30), 3)
    assert result.model_dump() == {"date": D(2027, 1, 4), "provisional": True}  # 2027-01-01 guessed working
    assert working_days_in(D(2026, 12, 30), D(2027, 1, 4)) == {"days": 3, "provisional": True}


def test_r_dates_count_back_before_2004_is_provisional() -> None:
    """R-dates: the table's first year is a boundary too."""
    assert add_working_days(D(2004, 1, 5), -3).provisional
    assert not add_working_days(D(2004, 1, 8), -3).provisional


def test_r_dates_is_working_day_refuses_to_guess_an_uncovered_year() -> None:
    """R-dates: a bare bool cannot carry "provisional", so an uncovered year is DataMissing."""
    with pytest.raises(DataMissing) as caught:
        is_working_day(D(2027, 1, 4))
    assert caught.value.details == {"year": 2027}
    assert DEFAULT.is_working_day(D(2027, 1, 4))  # the raw weekday answer, for callers who flag it


# --- the body's overrides ------------------------------------------------------------------------


def test_r_dates_overrides_make_2027_known_and_skip_its_holidays() -> None:
    """R-dates: once the body declares 2027 with its holidays, the same count is exact and skips 1 January."""
    result = add_working_days(D(2026, 12, 30), 3, WITH_2027)
    assert result.model_dump() == {"date": D(2027, 1, 5), "provisional": False}
    assert not is_working_day(D(2027, 1, 1), WITH_2027)
    assert is_working_day(D(2027, 2, 6), WITH_2027)  # a make-up Saturday from the database
    assert working_days_in(D(2027, 2, 5), D(2027, 2, 9), WITH_2027) == {
        "days": 2,  # Sat 6 (make-up) and Tue 9; Mon 8 declared off
        "provisional": False,
    }


def test_r_dates_a_db_declared_holiday_in_a_covered_year_is_skipped() -> None:
    """R-dates: the body's entry replaces the file's answer for that date (here a normal Monday)."""
    table = DEFAULT.with_overrides(days=[(D(2026, 11, 2), False, "local holiday")])
    assert add_working_days(D(2026, 10, 30), 1).date == D(2026, 11, 2)
    assert add_working_days(D(2026, 10, 30), 1, table).date == D(2026, 11, 3)
    assert holiday_name(table, D(2026, 11, 2)) == "local holiday"


def test_r_dates_an_override_can_turn_a_file_holiday_into_a_working_day() -> None:
    """R-dates: an entry replaces the file's entry for its date, whichever way it goes."""
    table = DEFAULT.with_overrides(days=[(D(2026, 10, 7), True, "correction"), (D(2026, 10, 10), False, "correction")])
    assert is_working_day(D(2026, 10, 7), table)
    assert not is_working_day(D(2026, 10, 10), table)
    assert add_working_days(D(2026, 9, 30), 3, table).date == D(2026, 10, 9)


def test_r_dates_years_may_be_declared_as_plain_ints() -> None:
    """R-dates: a year declared complete, even with no entries, is no longer provisional."""
    table = DEFAULT.with_overrides(years=[2027])
    assert add_working_days(D(2026, 12, 30), 3, table).model_dump() == {"date": D(2027, 1, 4), "provisional": False}
    assert holiday_name(table, D(2027, 1, 4)) is None


def test_r_dates_entries_without_a_declared_year_stay_provisional() -> None:
    """R-dates: some 2027 days entered but the year not declared complete: used, yet still provisional."""
    table = DEFAULT.with_overrides(days=[(D(2027, 1, 1), False, "New Year's Day")])
    result = add_working_days(D(2026, 12, 30), 3, table)
    assert result.model_dump() == {"date": D(2027, 1, 5), "provisional": True}


def test_r_dates_overrides_leave_the_original_table_unchanged() -> None:
    """R-dates: tables are values, so a request's overrides never leak into the shared default."""
    assert not DEFAULT.covers(2027)
    assert D(2027, 1, 1) not in DEFAULT.off_days
    with pytest.raises(ValidationError):
        DEFAULT.years = frozenset({2027})  # type: ignore[misc]


def test_r_dates_a_day_cannot_be_both_off_and_working() -> None:
    """R-dates: one answer per day, or the table is refused."""
    with pytest.raises(ValidationError, match="both off and working"):
        HolidayTable(years=frozenset({2026}), off_days={D(2026, 1, 1): "a"}, working_days={D(2026, 1, 1): "b"})


# --- input validation ----------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [dt.datetime(2026, 9, 30, 9, 0), "2026-09-30", None, 20260930])
def test_r_dates_refuse_anything_but_a_date(bad: object) -> None:
    """R-dates: a datetime (a date subclass) is refused, since its date depends on a time zone."""
    with pytest.raises(InvalidInput):
        add_working_days(bad, 3)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        is_working_day(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [3.0, "3", True, None])
def test_r_dates_refuse_a_count_that_is_not_an_int(bad: object) -> None:
    """R-dates: working days are counted whole."""
    with pytest.raises(InvalidInput):
        add_working_days(D(2026, 9, 30), bad)  # type: ignore[arg-type]


def test_r_dates_refuse_a_table_that_is_not_a_holiday_table() -> None:
    with pytest.raises(InvalidInput):
        add_working_days(D(2026, 9, 30), 3, {"years": [2026]})  # type: ignore[arg-type]


def test_r_dates_running_off_the_calendar_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        add_working_days(D(9999, 12, 30), 5)


# --- properties ----------------------------------------------------------------------------------

dates = st.dates(min_value=D(2002, 6, 1), max_value=D(2028, 6, 30))
counts = st.integers(min_value=-80, max_value=80)
tables = st.sampled_from([DEFAULT, WITH_2027])


@given(dates, counts.filter(bool), tables)
def test_r_dates_property_result_is_a_working_day(start: dt.date, n: int, table: HolidayTable) -> None:
    """R-dates: the n-th working day after (or before) a date is a working day."""
    assert table.is_working_day(add_working_days(start, n, table).date)


@given(dates, st.integers(min_value=0, max_value=80), tables)
def test_r_dates_property_between_inverts_add(start: dt.date, n: int, table: HolidayTable) -> None:
    """R-dates: there are exactly n working days in (start, start + n working days]."""
    assert working_days_in(start, add_working_days(start, n, table).date, table)["days"] == n


@given(dates, counts, counts)
def test_r_dates_property_add_is_monotone(start: dt.date, a: int, b: int) -> None:
    """R-dates: more working days never give an earlier date, and a different count a different date."""
    low, high = sorted((a, b))
    first, second = add_working_days(start, low).date, add_working_days(start, high).date
    assert first < second if low < high else first == second


@given(dates, counts, tables)
def test_r_dates_property_provisional_iff_an_uncovered_year_is_touched(
    start: dt.date, n: int, table: HolidayTable
) -> None:
    """R-dates: provisional exactly when a day stepped over lies in a year the table does not cover."""
    result = add_working_days(start, n, table)
    touched = touched_days(start, result.date)
    assert result.provisional == any(not table.covers(d.year) for d in touched)




def test_r_dates_results_and_tables_survive_a_json_round_trip() -> None:
    """R-dates: a deadline (and a table) travels through Temporal's pydantic converter unchanged."""
    result = add_working_days(D(2026, 12, 30), 3)
    assert type(result).model_validate_json(result.model_dump_json()) == result
    assert HolidayTable.model_validate_json(WITH_2027.model_dump_json()) == WITH_2027
