"""Conflicts of interest for the staff administrators (issue 13): declare that someone is tied to an
organization, end it when it no longer holds. The staff directory shows them; a programme naming a
person with a conflict that holds is refused (R-9.1.4, rules/programme.py).

Who may is the body's Decision ``staff_admin_roles`` (api/permissions.py), as for tokens.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends

from api.auth import db
from api.permissions import Action, permitted
from api.tasks import today
from schemas.conflicts import ConflictDeclaration, ConflictEnd, ConflictOfInterest
from schemas.tasking import Actor
from store.staff_conflicts import declare_conflict, end_conflict

router = APIRouter(prefix="/api/v1/staff", tags=["staff"])


@router.post("/{staff_id}/conflicts", response_model=ConflictOfInterest, status_code=201,
             summary="record a conflict of interest: the person is kept off that organization's teams (R-9.1.4)")
async def declare(staff_id: UUID, declaration: ConflictDeclaration,
                  actor: Actor = Depends(permitted(Action.DECLARE_CONFLICT)), pool: asyncpg.Pool = Depends(db),
                  day: date = Depends(today)) -> ConflictOfInterest:
    """Record that a staff member is tied to an organization (by its unified social credit code, so before
    it applies too). From ``declared_on`` no programme may put them on its team or send them on its
    visits (R-9.1.4). An unknown staff id is 404; a day after today 422."""
    return await declare_conflict(pool, staff_id, declaration, by=actor.name, today=day)


@router.post("/{staff_id}/conflicts/{conflict_id}/end", response_model=ConflictOfInterest,
             summary="a conflict of interest no longer holds from a day; the declaration stays on record")
async def end(staff_id: UUID, conflict_id: UUID, body: ConflictEnd,
              actor: Actor = Depends(permitted(Action.END_CONFLICT)), pool: asyncpg.Pool = Depends(db),
              day: date = Depends(today)) -> ConflictOfInterest:
    """The conflict no longer holds from ``ended_on`` (between its declaration and today); it stays in the
    directory with that day. Ending it twice is 409."""
    return await end_conflict(pool, staff_id, conflict_id, body.ended_on, by=actor.name, today=day)
