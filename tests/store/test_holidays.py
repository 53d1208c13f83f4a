from datetime import date

import pytest
from pydantic import ValidationError

from rules.calendar import HolidayTable
from schemas.holidays import HolidayDay, HolidayYear
from store.holidays import clear_holiday, declare_year, holiday_overrides, holiday_years, set_holiday, undeclare_year


async def test_the_register_starts_with_no_overrides(pool):
    assert await holiday_overrides(pool) == ([], [])


async def test_set_holiday_twice_writes_one_row_and_a_correction_replaces_it(pool, count):
    await set_holiday(pool, date(2027, 2, 6), False, "春节")
    await set_holiday(pool, date(2027, 2, 6), False, "春节")
    before = await pool.fetchval("SELECT updated_at FROM holidays")
    await set_holiday(pool, date(2027, 2, 6), False, "春节")
    assert await pool.fetchval("SELECT updated_at FROM holidays") == before  # nothing written
    assert await count("holidays") == 1
    await set_holiday(pool, date(2027, 2, 6), True, "春节调休")
    corrected = HolidayDay(day=date(2027, 2, 6), is_working_day=True, name="春节调休")
    assert (await holiday_overrides(pool))[1] == [corrected]


async def test_declare_year_is_idempotent_and_overrides_list_years_and_days_in_order(pool, count):
    await set_holiday(pool, date(2027, 10, 1), False, "国庆节")
    await set_holiday(pool, date(2027, 1, 1), False, "元旦")
    await set_holiday(pool, date(2028, 1, 1), False, "元旦")
    await declare_year(pool, 2028, "placeholder")
    await declare_year(pool, 2027, "国务院办公厅通知", date(2026, 11, 10))
    assert await declare_year(pool, 2027, "国务院办公厅通知", date(2026, 11, 10)) == HolidayYear(
        year=2027, source="国务院办公厅通知", published_on=date(2026, 11, 10))
    assert await count("holiday_years") == 2
    years, days = await holiday_overrides(pool)
    assert years == [2027, 2028]
    assert [d.day for d in days] == [date(2027, 1, 1), date(2027, 10, 1), date(2028, 1, 1)]
    await undeclare_year(pool, 2028)
    await clear_holiday(pool, date(2028, 1, 1))
    assert await holiday_overrides(pool) == ([2027], days[:2])
    assert [y.year for y in await holiday_years(pool)] == [2027]


def test_a_year_outside_the_register_range_is_refused():
    with pytest.raises(ValidationError):
        HolidayYear(year=1999)


async def test_the_overrides_plug_into_the_calendar(pool):
    """What the register returns is what rules.calendar consumes: 2027 becomes covered, its days count."""
    await set_holiday(pool, date(2027, 10, 1), False, "国庆节")
    await set_holiday(pool, date(2027, 9, 26), True, "国庆节调休")  # a Sunday worked
    await declare_year(pool, 2027, "国务院办公厅通知")
    years, days = await holiday_overrides(pool)
    table = HolidayTable.default().with_overrides(years=years, days=days)
    assert table.covers(2027)
    assert not table.is_working_day(date(2027, 10, 1))
    assert table.is_working_day(date(2027, 9, 26))
