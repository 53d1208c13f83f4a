"""Audit scheduling (issue 18): the year's forecast of person-days demanded against capacity.

The audits due come from the register's certificates, applications and open programme tasks
(store/audit_demand.py), the people from the staff register (store/planning_people.py), the working days
from the holiday table as the body keeps it (R-dates); ``planning.forecast`` weighs one against the
other. Who may read it: ``scheduling.read`` (api/permissions.py). "Today" is the body's (Asia/Shanghai).
"""

from __future__ import annotations

from datetime import date, timedelta

import asyncpg
from fastapi import APIRouter, Depends, Query, Request

from api.auth import db
from api.permissions import Action, permitted
from api.tasks import today
from planning.forecast import forecast
from rules.calendar import HolidayTable
from rules.lifecycle import add_months
from schemas.scheduling import Forecast, SchedulingPolicy
from schemas.tasking import Actor
from store.audit_demand import audits_due
from store.holidays import holiday_overrides
from store.planning_people import planning_people

router = APIRouter(prefix="/api/v1/scheduling", tags=["scheduling"])


async def month_forecast(pool: asyncpg.Pool, day: date, months: int, policy: SchedulingPolicy) -> Forecast:
    """The forecast for ``months`` calendar months from ``day``'s, read in one transaction (one snapshot)."""
    until = add_months(day.replace(day=1), months) - timedelta(days=1)
    async with pool.acquire() as conn, conn.transaction(readonly=True, isolation="repeatable_read"):
        years, holidays = await holiday_overrides(conn)
        table = HolidayTable.default().with_overrides(years=years, days=holidays)  # as activities/calendar.py
        demands = await audits_due(conn, day, until, policy, table)
        people = await planning_people(conn, day, until, policy)
    return forecast(demands, people, table, day, months, policy)


@router.get("/forecast", response_model=Forecast,
            summary="person-days the audits due demand, month by month, against what the people can give")
async def get_forecast(request: Request,
                       months: int = Query(12, ge=1, le=24, description="how many calendar months, from this one"),
                       actor: Actor = Depends(permitted(Action.READ_SCHEDULING)), pool: asyncpg.Pool = Depends(db),
                       day: date = Depends(today)) -> Forecast:
    """Each month: the audits whose on-site window closes in it (surveillance R-9.2.1, recertification R-9.3,
    initial audits of accepted applications R-9.1.3, programmes being planned), their audit time (R-A.n1b,
    R-A.n1c) and mystery-shopper visits (R-3.10, 0.5 person-day a site), against the auditors' and shoppers'
    free working days (leave, audits in force, monthly caps, R-7 proofs); ``over_capacity`` when either
    demand is above its capacity, ``provisional`` when the holiday table does not cover the year yet."""
    return await month_forecast(pool, day, months, request.app.state.settings.scheduling)
