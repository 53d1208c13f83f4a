"""What each person can give the audit planner (issue 18, migration 0015): where they live and how many
audit days a month (``staff_capacity``), and when they are away (``staff_absences``). The programme
manager plans the audits' schedule, team and resources (R-9.1.3) and forms the team (R-9.1.4) from
these; the planner (workflows/audit_planning.py) and the forecast read them in bulk.

Absences are records: recorded once (by their id, so a retried write records nothing new), cancelled
with who and when, never deleted. A person without a capacity row has the body's defaults
(``SchedulingPolicy.max_audit_days_per_month``, no home city).
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from schemas.errors import Conflict, InvalidInput, NotFound
from schemas.scheduling import Absence, StaffCapacity
from store._sql import Db, references_must_exist, to_model, to_models

MAX_ABSENCE_DAYS = 366  # a longer absence is not leave but a departure: deactivate the person instead

_CAPACITY = "staff_id, home_city, max_audit_days_per_month"
_ABSENCE = "id, staff_id, starts_on, ends_on, reason, recorded_by, recorded_at, cancelled_at, cancelled_by"


async def _require_person(db: Db, staff_id: UUID) -> None:
    if not await db.fetchval("SELECT EXISTS (SELECT 1 FROM staff WHERE id = $1)", staff_id):
        raise NotFound(f"there is no staff member {staff_id}")


async def capacity_of(db: Db, staff_id: UUID) -> StaffCapacity:
    """The person's capacity as recorded, or the defaults (no city, the body's monthly cap) when nothing
    is; ``NotFound`` for someone the register does not hold."""
    row = await db.fetchrow(
        """SELECT s.id AS staff_id, coalesce(c.home_city, '') AS home_city, c.max_audit_days_per_month
           FROM staff s LEFT JOIN staff_capacity c ON c.staff_id = s.id WHERE s.id = $1""", staff_id)
    if row is None:
        raise NotFound(f"there is no staff member {staff_id}")
    return StaffCapacity.model_validate(dict(row))


async def set_capacity(db: Db, capacity: StaffCapacity, *, by: str) -> StaffCapacity:
    """Replace the person's capacity (one row each, the last writer named in ``updated_by``)."""
    with references_must_exist():
        row = await db.fetchrow(
            f"""INSERT INTO staff_capacity (staff_id, home_city, max_audit_days_per_month, updated_by)
                VALUES ($1, $2, $3, $4)
                ON CONFLICT (staff_id) DO UPDATE
                  SET home_city = EXCLUDED.home_city,
                      max_audit_days_per_month = EXCLUDED.max_audit_days_per_month,
                      updated_by = EXCLUDED.updated_by, updated_at = now()
                RETURNING {_CAPACITY}""",
            capacity.staff_id, capacity.home_city, capacity.max_audit_days_per_month, by)
    assert row is not None  # an upsert ... RETURNING returns the row
    return StaffCapacity.model_validate(dict(row))


async def capacities(db: Db) -> dict[UUID, StaffCapacity]:
    """Every recorded capacity by person; a person missing here has the defaults."""
    rows = await db.fetch(f"SELECT {_CAPACITY} FROM staff_capacity")
    return {r["staff_id"]: StaffCapacity.model_validate(dict(r)) for r in rows}


def check_span(starts_on: date, ends_on: date) -> None:
    """An absence runs forwards and for at most a year (``MAX_ABSENCE_DAYS``, both days counted)."""
    if ends_on < starts_on:
        raise InvalidInput(f"ends_on {ends_on} is before starts_on {starts_on}",
                           details={"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()})
    if (ends_on - starts_on).days + 1 > MAX_ABSENCE_DAYS:
        raise InvalidInput(f"an absence lasts at most {MAX_ABSENCE_DAYS} days; {starts_on} – {ends_on} is longer",
                           details={"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()})


def _same_record(kept: Absence, asked: Absence) -> bool:
    return (kept.staff_id, kept.starts_on, kept.ends_on, kept.reason) == (
        asked.staff_id, asked.starts_on, asked.ends_on, asked.reason)


async def record_absence(db: Db, absence: Absence, *, by: str) -> Absence:
    """Record ``absence`` under its id. Recording the same id again with the same days and reason
    answers the first record (a retry writes nothing); the same id with anything else is 409."""
    check_span(absence.starts_on, absence.ends_on)
    with references_must_exist():
        row = await db.fetchrow(
            f"""INSERT INTO staff_absences (id, staff_id, starts_on, ends_on, reason, recorded_by)
                VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING RETURNING {_ABSENCE}""",
            absence.id, absence.staff_id, absence.starts_on, absence.ends_on, absence.reason, by)
    if row is not None:
        return Absence.model_validate(dict(row))
    kept = to_model(Absence, await db.fetchrow(f"SELECT {_ABSENCE} FROM staff_absences WHERE id = $1", absence.id))
    assert kept is not None  # the insert met this id
    if not _same_record(kept, absence):
        raise Conflict(f"absence {absence.id} is already recorded with other days or another person",
                       details={"starts_on": kept.starts_on.isoformat(), "ends_on": kept.ends_on.isoformat()})
    return kept


async def cancel_absence(db: Db, staff_id: UUID, absence_id: UUID, *, by: str, today: date) -> Absence:
    """Cancel an absence that has not ended before ``today``; it stays on record with who cancelled it
    and when. Cancelling twice, or an absence already over, is 409: what was, was."""
    current = to_model(Absence, await db.fetchrow(
        f"SELECT {_ABSENCE} FROM staff_absences WHERE id = $1 AND staff_id = $2", absence_id, staff_id))
    if current is None:
        raise NotFound(f"staff member {staff_id} has no absence {absence_id}")
    if current.cancelled_at is not None:
        raise Conflict(f"this absence was already cancelled by {current.cancelled_by} at "
                       f"{current.cancelled_at.isoformat()}",
                       details={"cancelled_at": current.cancelled_at.isoformat()})
    if current.ends_on < today:
        raise Conflict(f"this absence ended on {current.ends_on}, before today ({today}); an absence that has "
                       "happened stays on record and cannot be cancelled",
                       details={"ends_on": current.ends_on.isoformat()})
    row = await db.fetchrow(
        f"""UPDATE staff_absences SET cancelled_at = now(), cancelled_by = $3
            WHERE id = $1 AND staff_id = $2 AND cancelled_at IS NULL RETURNING {_ABSENCE}""",
        absence_id, staff_id, by)
    if row is None:  # cancelled by someone else between the read and the write
        raise Conflict("this absence was cancelled at the same moment by someone else")
    return Absence.model_validate(dict(row))


async def absences_of(db: Db, staff_id: UUID) -> list[Absence]:
    """All of a person's absences, cancelled ones included, the latest first; ``NotFound`` for someone
    the register does not hold (an empty list would say they are never away)."""
    await _require_person(db, staff_id)
    return to_models(Absence, await db.fetch(
        f"""SELECT {_ABSENCE} FROM staff_absences WHERE staff_id = $1
            ORDER BY starts_on DESC, recorded_at DESC, id""", staff_id))


async def absences_between(db: Db, starts_on: date, ends_on: date) -> dict[UUID, list[Absence]]:
    """The absences in force (not cancelled) that overlap ``starts_on``–``ends_on``, by person, each
    person's in order of their first day: what the planner and the forecast keep people off."""
    rows = await db.fetch(
        f"""SELECT {_ABSENCE} FROM staff_absences
            WHERE cancelled_at IS NULL AND starts_on <= $2 AND ends_on >= $1
            ORDER BY staff_id, starts_on, id""", starts_on, ends_on)
    found: dict[UUID, list[Absence]] = {}
    for absence in to_models(Absence, rows):
        found.setdefault(absence.staff_id, []).append(absence)
    return found
