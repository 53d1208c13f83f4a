"""Working-day deadlines over the holiday table as the body keeps it: the shipped file with the
register's edits on top (R-dates). Workflows call these instead of reading the table themselves,
since the table is a file and a database (DESIGN.md "Dates")."""

from __future__ import annotations

from datetime import date

import asyncpg
from pydantic import BaseModel
from temporalio import activity

from rules.calendar import HolidayTable, WorkingDayResult, add_working_days
from store.holidays import holiday_overrides


class WorkingDaysQuery(BaseModel):
    start: date
    days: int


async def current_table(db: asyncpg.Pool | asyncpg.Connection) -> HolidayTable:
    years, days = await holiday_overrides(db)
    return HolidayTable.default().with_overrides(years=years, days=days)


class CalendarActivities:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @activity.defn(name="add_working_days")
    async def add_working_days(self, query: WorkingDaysQuery) -> WorkingDayResult:
        return add_working_days(query.start, query.days, await current_table(self.pool))
