"""What each person can give the audit planner (issue 18): their home city and monthly cap of audit
days, and their leave and other absences. The programme manager plans the audits' schedule and
resources (R-9.1.3) and forms the teams (R-9.1.4) from them; an absence recorded or cancelled is told
to the planner (api/planning_signals.py), which re-plans what it touches.

Who may is the matrix's (api/permissions.py): staff administrators and programme managers change
anyone's; everyone reads their own capacity and records and cancels their own absences. The POSTs take
an Idempotency-Key (api/idempotency.py); the PUT needs none: sent twice it leaves the same capacity.
"""

from __future__ import annotations

import uuid
from datetime import date
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from api import planning_signals
from api.auth import db
from api.permissions import Action, permitted, permitted_or_own
from api.tasks import today
from schemas.base import Day
from schemas.scheduling import Absence, DateSpan, StaffCapacity
from schemas.tasking import Actor
from schemas.text import Line, Text
from store.staff_capacity import (
    MAX_ABSENCE_DAYS,
    absences_of,
    cancel_absence,
    capacity_of,
    record_absence,
    set_capacity,
)

router = APIRouter(prefix="/api/v1/staff", tags=["staff"])

# The checks that also let the person named in the path through (their own capacity and leave).
_may_read_capacity = permitted_or_own(Action.READ_CAPACITY)
_may_list_absences = permitted_or_own(Action.LIST_ABSENCES)
_may_record_absence = permitted_or_own(Action.RECORD_ABSENCE)
_may_cancel_absence = permitted_or_own(Action.CANCEL_ABSENCE)


class CapacityChange(BaseModel):
    """A person's capacity as a whole: what is left out returns to the body's default."""

    model_config = ConfigDict(extra="forbid")

    home_city: Line = Field("", max_length=100, description="the city the person travels from, e.g. 上海")
    max_audit_days_per_month: int | None = Field(
        None, ge=0, le=31, description="audit days a month at most; absent or null: the body's default")


class CapacityView(StaffCapacity):
    """The capacity as recorded, with the monthly cap the planner uses."""

    effective_max_audit_days_per_month: int = Field(
        description="max_audit_days_per_month, or the body's default (scheduling policy) when that is null")


class AbsenceRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    starts_on: Day = Field(description="the first day away")
    ends_on: Day = Field(description=f"the last day away: not before starts_on, at most {MAX_ABSENCE_DAYS} days on")
    reason: Text = Field("", max_length=500, description="e.g. 年假; seen by those who plan the audits")


def _view(request: Request, capacity: StaffCapacity) -> CapacityView:
    default = request.app.state.settings.scheduling.max_audit_days_per_month
    cap = capacity.max_audit_days_per_month
    return CapacityView(**capacity.model_dump(), effective_max_audit_days_per_month=default if cap is None else cap)


@router.get("/{staff_id}/capacity", response_model=CapacityView,
            summary="a person's home city and audit days a month, with the body's default applied (R-9.1.3)")
async def read_capacity(staff_id: UUID, request: Request,
                        actor: Actor = Depends(_may_read_capacity),
                        pool: asyncpg.Pool = Depends(db)) -> CapacityView:
    """What the planner may ask of the person; a person reads their own whatever their roles. A null
    ``max_audit_days_per_month`` is the body's default, given as ``effective_max_audit_days_per_month``."""
    return _view(request, await capacity_of(pool, staff_id))


@router.put("/{staff_id}/capacity", response_model=CapacityView,
            summary="set a person's home city and audit days a month (R-9.1.3)")
async def change_capacity(staff_id: UUID, change: CapacityChange, request: Request,
                          actor: Actor = Depends(permitted(Action.CHANGE_CAPACITY)),
                          pool: asyncpg.Pool = Depends(db)) -> CapacityView:
    """Replace the person's capacity; a field left out returns to the default. Sending it again leaves
    the same capacity, so it takes no Idempotency-Key. An unknown person is 404."""
    capacity = StaffCapacity(staff_id=staff_id, **change.model_dump())
    return _view(request, await set_capacity(pool, capacity, by=actor.name))


@router.get("/{staff_id}/absences", response_model=list[Absence],
            summary="a person's absences, cancelled ones included, the latest first")
async def list_absences(staff_id: UUID, actor: Actor = Depends(_may_list_absences),
                        pool: asyncpg.Pool = Depends(db)) -> list[Absence]:
    """Every absence on record for the person, the latest first; a cancelled one says when and by whom.
    A person reads their own whatever their roles."""
    return await absences_of(pool, staff_id)


@router.post("/{staff_id}/absences", response_model=Absence, status_code=201,
             summary="record leave or another absence: the planner keeps the person off those days")
async def record(staff_id: UUID, body: AbsenceRequest, request: Request,
                 actor: Actor = Depends(_may_record_absence),
                 pool: asyncpg.Pool = Depends(db)) -> Absence:
    """Record that the person is away from ``starts_on`` to ``ends_on`` (both included, at most a year);
    everyone may record their own. The audit planner re-plans the audits those days touch."""
    absence = await record_absence(pool, Absence(id=uuid.uuid4(), staff_id=staff_id, **body.model_dump()),
                                   by=actor.name)
    await planning_signals.absence_changed(request, staff_id, _span(absence))
    return absence


@router.post("/{staff_id}/absences/{absence_id}/cancel", response_model=Absence,
             summary="cancel an absence that has not ended; it stays on record as cancelled")
async def cancel(staff_id: UUID, absence_id: UUID, request: Request,
                 actor: Actor = Depends(_may_cancel_absence),
                 pool: asyncpg.Pool = Depends(db), day: date = Depends(today)) -> Absence:
    """The person is not away after all; everyone may cancel their own. Cancelling twice, or an absence
    that ended before today, is 409: it stays as it was. The planner may use the days again."""
    absence = await cancel_absence(pool, staff_id, absence_id, by=actor.name, today=day)
    await planning_signals.absence_changed(request, staff_id, _span(absence))
    return absence


def _span(absence: Absence) -> DateSpan:
    return DateSpan(starts_on=absence.starts_on, ends_on=absence.ends_on)
