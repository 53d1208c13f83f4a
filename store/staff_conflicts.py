"""Conflicts of interest the body knows of (migration 0013, schemas/conflicts.py): declared, ended with
their day, never deleted; read by the staff directory and by the facts a programme is checked against
(R-9.1.4: a team is formed for the auditee, and no one is on it who is tied to it).

Administrative writes (the API's staff administrators), not activities: declaring twice records two
declarations, as the register of what was said and when.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from uuid import UUID

from schemas.conflicts import ConflictDeclaration, ConflictOfInterest
from schemas.errors import Conflict, InvalidInput, NotFound
from store._sql import Db, references_must_exist, to_model, to_models

_COLUMNS = "id, staff_id, credit_code, organization_name, reason, declared_on, ended_on, recorded_by"


async def declare_conflict(db: Db, staff_id: UUID, declaration: ConflictDeclaration, *, by: str,
                           today: date) -> ConflictOfInterest:
    """Record that ``staff_id`` is tied to the organization of ``declaration.credit_code``. A day after
    ``today`` is refused: the register records what is known, not what is expected."""
    if declaration.declared_on > today:
        raise InvalidInput(f"declared_on {declaration.declared_on} is after today ({today})",
                           details={"declared_on": declaration.declared_on.isoformat()})
    with references_must_exist():
        row = await db.fetchrow(
            f"""INSERT INTO staff_conflicts (id, staff_id, credit_code, organization_name, reason, declared_on,
                                             recorded_by)
                VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {_COLUMNS}""",
            uuid.uuid4(), staff_id, declaration.credit_code, declaration.organization_name, declaration.reason,
            declaration.declared_on, by)
    assert row is not None  # an INSERT ... RETURNING returns the row
    return ConflictOfInterest.model_validate(dict(row))


async def end_conflict(db: Db, staff_id: UUID, conflict_id: UUID, ended_on: date, *, by: str,
                       today: date) -> ConflictOfInterest:
    """Say from which day a conflict no longer holds; the declaration itself stays. Ending one already
    ended is 409 (its first end stays on record)."""
    current = to_model(ConflictOfInterest, await db.fetchrow(
        f"SELECT {_COLUMNS} FROM staff_conflicts WHERE id = $1 AND staff_id = $2", conflict_id, staff_id))
    if current is None:
        raise NotFound(f"staff member {staff_id} has no conflict of interest {conflict_id}")
    if current.ended_on is not None:
        raise Conflict(f"this conflict of interest already ended on {current.ended_on}",
                       details={"ended_on": current.ended_on.isoformat()})
    if ended_on > today or ended_on < current.declared_on:
        raise InvalidInput(f"ended_on {ended_on} must fall between its declaration ({current.declared_on}) "
                           f"and today ({today})", details={"ended_on": ended_on.isoformat()})
    row = await db.fetchrow(
        f"""UPDATE staff_conflicts SET ended_on = $3, ended_by = $4
            WHERE id = $1 AND staff_id = $2 AND ended_on IS NULL RETURNING {_COLUMNS}""",
        conflict_id, staff_id, ended_on, by)
    if row is None:  # ended by someone else between the read and the write
        raise Conflict("this conflict of interest was ended at the same moment by someone else")
    return ConflictOfInterest.model_validate(dict(row))


async def conflicts_of(db: Db, staff_id: UUID) -> list[ConflictOfInterest]:
    return to_models(ConflictOfInterest, await db.fetch(
        f"SELECT {_COLUMNS} FROM staff_conflicts WHERE staff_id = $1 ORDER BY declared_on, id", staff_id))


async def conflicts_with(db: Db, staff_ids: Iterable[UUID], credit_code: str, day: date) -> dict[UUID, list[str]]:
    """The reasons each of ``staff_ids`` is tied to the organization ``credit_code`` on ``day``."""
    rows = await db.fetch(
        """SELECT staff_id, reason FROM staff_conflicts
           WHERE staff_id = ANY($1::uuid[]) AND credit_code = $2 AND declared_on <= $3
             AND (ended_on IS NULL OR ended_on > $3)
           ORDER BY staff_id, declared_on, id""",
        sorted(set(staff_ids), key=str), credit_code, day)
    found: dict[UUID, list[str]] = {}
    for r in rows:
        found.setdefault(r["staff_id"], []).append(r["reason"])
    return found
