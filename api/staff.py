"""The staff directory: who can be put on a team (issue 13, R-7, R-9.1.4).

The programme needs staff and mystery-shopper ids; before this the only list was ``certflow staff
list`` on the server. Qualifications are judged on ``qualified_on`` (the audit's day) when given, else
on the body's today, because R-7.auditor asks for proofs valid on the audit dates.
"""

from __future__ import annotations

from datetime import date

import asyncpg
from fastapi import APIRouter, Depends, Query

from api.auth import db
from api.permissions import Action, permitted
from api.tasks import today
from schemas.base import Day
from schemas.directory import StaffEntry
from schemas.staff import Role
from schemas.tasking import Actor
from store.staff_directory import staff_directory

router = APIRouter(prefix="/api/v1/staff", tags=["staff"])


@router.get("", response_model=list[StaffEntry],
            summary="who can be put on a team: roles, R-7 qualifications with validity, audits taken part in")
async def directory(
    actor: Actor = Depends(permitted(Action.LIST_STAFF)), pool: asyncpg.Pool = Depends(db),
    role: Role | None = Query(None, description="only people holding this role"),
    qualified_on: Day | None = Query(None, description="only active people holding both R-7.auditor proofs "
                                                        "valid on this day; validity is judged on it too"),
    active: bool | None = Query(None, description="true: active only; false: those who left; absent: everyone"),
    day: date = Depends(today),
) -> list[StaffEntry]:
    """Who can be put on a team (R-9.1.4): each person's roles, R-7.auditor proofs with their periods and
    whether they are valid on the day, and the audits they took part in (R-9.1.9.n1)."""
    return await staff_directory(pool, qualified_on or day, role=role, active=active,
                                 qualified_only=qualified_on is not None)
