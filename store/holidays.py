"""The holiday table the body edits (RULES.md "Dates"): days and declared years that override the
shipped ``rules/data/holidays_cn.json``. ``rules.calendar.HolidayTable.with_overrides`` consumes what
``holiday_overrides`` returns; the reading runs in an activity, never in workflow code."""

from __future__ import annotations

from datetime import date

from schemas.holidays import HolidayDay, HolidayYear
from store._sql import Db, to_models


async def holiday_overrides(db: Db) -> tuple[list[int], list[HolidayDay]]:
    """The years the body declares complete and every day it has entered, both in order."""
    years = [r["year"] for r in await db.fetch("SELECT year FROM holiday_years ORDER BY year")]
    days = to_models(HolidayDay, await db.fetch("SELECT day, is_working_day, name FROM holidays ORDER BY day"))
    return years, days


async def set_holiday(db: Db, day: date, is_working_day: bool, name: str = "") -> HolidayDay:
    """Enter or correct one day: a day off (``is_working_day=False``) or a make-up working day (调休).
    The same entry again writes nothing."""
    entry = HolidayDay(day=day, is_working_day=is_working_day, name=name)
    await db.execute(
        """INSERT INTO holidays AS t (day, is_working_day, name) VALUES ($1, $2, $3)
           ON CONFLICT (day) DO UPDATE SET is_working_day = EXCLUDED.is_working_day, name = EXCLUDED.name,
               updated_at = now()
           WHERE (t.is_working_day, t.name) IS DISTINCT FROM (EXCLUDED.is_working_day, EXCLUDED.name)""",
        entry.day, entry.is_working_day, entry.name,
    )
    return entry


async def clear_holiday(db: Db, day: date) -> None:
    """Remove a day entered by mistake (the shipped data, or the weekday rule, decides it again)."""
    await db.execute("DELETE FROM holidays WHERE day = $1", day)


async def declare_year(db: Db, year: int, source: str = "", published_on: date | None = None) -> HolidayYear:
    """Declare ``year``'s days complete (e.g. once the State Council notice is entered), so dates in it
    stop being provisional. Again with the same values: nothing is written; with new ones: corrected."""
    entry = HolidayYear(year=year, source=source, published_on=published_on)
    await db.execute(
        """INSERT INTO holiday_years AS t (year, source, published_on) VALUES ($1, $2, $3)
           ON CONFLICT (year) DO UPDATE SET source = EXCLUDED.source, published_on = EXCLUDED.published_on
           WHERE (t.source, t.published_on) IS DISTINCT FROM (EXCLUDED.source, EXCLUDED.published_on)""",
        entry.year, entry.source, entry.published_on,
    )
    return entry


async def holiday_years(db: Db) -> list[HolidayYear]:
    rows = await db.fetch("SELECT year, source, published_on FROM holiday_years ORDER BY year")
    return to_models(HolidayYear, rows)


async def undeclare_year(db: Db, year: int) -> None:
    """Withdraw a declaration made too early: dates in that year become provisional again."""
    await db.execute("DELETE FROM holiday_years WHERE year = $1", year)
