"""Staff, their roles, bearer tokens and auditor qualifications (R-7).

Tokens: ``add_staff`` and ``rotate_token`` mint a random bearer token, return it once and keep only its
SHA-256 hash, so a copy of the register lets no one in. These two are the only writes here that are
not idempotent, on purpose: they are the administrator's (``certflow staff``), never an activity's,
and a second call must not hand out the same secret again. Each token lives ``token_lifetime`` from
its issue (CERTFLOW_TOKEN_LIFETIME_DAYS); ``store.tokens`` judges, revokes and rotates them.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import asyncpg

from schemas.errors import Conflict, InvalidInput, NotFound
from schemas.staff import Qualification, QualificationKind, Role, Staff
from schemas.tokens import DEFAULT_TOKEN_LIFETIME_DAYS
from store._sql import Db, references_must_exist, require_aware, to_model, to_models, transaction

# Qualification ids are derived from their natural key, so recording the same one twice is one row.
_QUALIFICATION_NS = uuid.UUID("6f3c1d0e-7a51-4c59-9d0b-8f1b2a7e0c11")

_STAFF_SELECT = """
    SELECT s.id, s.name, s.email, s.manager_id, s.active, s.created_at,
           coalesce(array_agg(r.role ORDER BY r.role) FILTER (WHERE r.role IS NOT NULL), '{}') AS roles
    FROM staff s LEFT JOIN staff_roles r ON r.staff_id = s.id
"""
_QUALIFICATION_COLUMNS = "id, staff_id, kind, reference, valid_from, valid_to"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _roles(roles: Iterable[Role | str]) -> list[str]:
    try:
        return sorted({Role(r).value for r in roles})
    except ValueError as exc:
        raise InvalidInput(f"unknown role: {exc}", details={"roles": [str(r) for r in roles]}) from exc


async def add_staff(
    db: Db,
    name: str,
    roles: Iterable[Role | str],
    email: str | None = None,
    manager_id: UUID | None = None,
    token_lifetime: timedelta = timedelta(days=DEFAULT_TOKEN_LIFETIME_DAYS),
) -> tuple[Staff, str]:
    """Create a staff member with ``roles``; return them and their bearer token (shown only now).

    An e-mail address already in use is a ``Conflict``; an unknown manager is ``NotFound``.
    """
    if not name.strip():
        raise InvalidInput("a staff member needs a name")
    role_values = _roles(roles)
    token = secrets.token_urlsafe(32)
    staff_id = uuid.uuid4()
    try:
        async with transaction(db) as conn:
            with references_must_exist():
                await conn.execute(
                    """INSERT INTO staff (id, name, email, token_hash, manager_id, token_issued_at, token_expires_at)
                       VALUES ($1, $2, $3, $4, $5, now(), now() + $6::interval)""",
                    staff_id, name, email, hash_token(token), manager_id, token_lifetime,
                )
            await conn.executemany(
                "INSERT INTO staff_roles (staff_id, role) VALUES ($1, $2)", [(staff_id, r) for r in role_values]
            )
            staff = await _get(conn, staff_id)
    except asyncpg.UniqueViolationError as exc:
        raise Conflict(f"a staff member with e-mail {email} already exists", details={"email": email}) from exc
    assert staff is not None
    return staff, token


async def rotate_token(db: Db, staff_id: UUID, *, now: datetime | None = None,
                       lifetime: timedelta = timedelta(days=DEFAULT_TOKEN_LIFETIME_DAYS)) -> str:
    """Replace a staff member's token (lost, leaked, expired): the old one stops working at once; the new
    one lives ``lifetime`` from ``now``, unrevoked and not used yet."""
    token = secrets.token_urlsafe(32)
    issued = require_aware(now, "now") if now is not None else datetime.now(UTC)
    done = await db.fetchval(
        """UPDATE staff SET token_hash = $2, token_issued_at = $3, token_expires_at = $4,
                            token_revoked_at = NULL, token_last_used_at = NULL
           WHERE id = $1 RETURNING id""",
        staff_id, hash_token(token), issued, issued + lifetime,
    )
    if done is None:
        raise NotFound(f"no staff member {staff_id}", details={"staff_id": str(staff_id)})
    return token


async def _get(db: Db, staff_id: UUID) -> Staff | None:
    return to_model(Staff, await db.fetchrow(_STAFF_SELECT + " WHERE s.id = $1 GROUP BY s.id", staff_id))


async def get_staff(db: Db, staff_id: UUID) -> Staff | None:
    return await _get(db, staff_id)


async def list_staff(db: Db) -> list[Staff]:
    """Everyone, active or not, with all their roles, by name."""
    rows = await db.fetch(_STAFF_SELECT + " GROUP BY s.id ORDER BY s.name, s.id")
    return to_models(Staff, rows)


async def staff_by_email(db: Db, email: str) -> Staff | None:
    return to_model(Staff, await db.fetchrow(_STAFF_SELECT + " WHERE s.email = $1 GROUP BY s.id", email))


async def staff_by_token(db: Db, token: str) -> Staff | None:
    """Who holds this bearer token; ``None`` for an unknown token or a staff member no longer active.
    Expiry and revocation are the API's to judge, at its own clock (``store.tokens.holder_of``)."""
    row = await db.fetchrow(
        _STAFF_SELECT + " WHERE s.token_hash = $1 AND s.active GROUP BY s.id", hash_token(token)
    )
    return to_model(Staff, row)


async def staff_with_role(db: Db, role: Role | str, *, include_inactive: bool = False) -> list[Staff]:
    """Everyone who holds ``role`` (active only unless asked), by name: the candidates for a task."""
    rows = await db.fetch(
        _STAFF_SELECT
        + """ WHERE EXISTS (SELECT 1 FROM staff_roles x WHERE x.staff_id = s.id AND x.role = $1)
                AND (s.active OR $2)
              GROUP BY s.id ORDER BY s.name, s.id""",
        Role(role).value, include_inactive,
    )
    return to_models(Staff, rows)


async def set_active(db: Db, staff_id: UUID, active: bool) -> Staff:
    """Deactivate someone who left (their token stops working) or reactivate them; idempotent."""
    await db.execute("UPDATE staff SET active = $2 WHERE id = $1 AND active <> $2", staff_id, active)
    return await _require(db, staff_id)


async def grant_role(db: Db, staff_id: UUID, role: Role | str) -> Staff:
    with references_must_exist():
        await db.execute(
            "INSERT INTO staff_roles (staff_id, role) VALUES ($1, $2) ON CONFLICT (staff_id, role) DO NOTHING",
            staff_id, Role(role).value,
        )
    return await _require(db, staff_id)


async def revoke_role(db: Db, staff_id: UUID, role: Role | str) -> Staff:
    await db.execute("DELETE FROM staff_roles WHERE staff_id = $1 AND role = $2", staff_id, Role(role).value)
    return await _require(db, staff_id)


async def _require(db: Db, staff_id: UUID) -> Staff:
    staff = await _get(db, staff_id)
    if staff is None:
        raise NotFound(f"no staff member {staff_id}", details={"staff_id": str(staff_id)})
    return staff


async def add_qualification(
    db: Db,
    staff_id: UUID,
    kind: QualificationKind | str,
    valid_from: date,
    valid_to: date,
    reference: str = "",
) -> Qualification:
    """Record a training certificate or competence evaluation (R-7.auditor).

    Keyed by (staff, kind, valid_from): recording it again writes nothing; recording it with another
    ``valid_to`` or ``reference`` corrects it.
    """
    kind = QualificationKind(kind)
    qualification = Qualification(
        id=uuid.uuid5(_QUALIFICATION_NS, f"{staff_id}/{kind.value}/{valid_from.isoformat()}"),
        staff_id=staff_id, kind=kind, reference=reference, valid_from=valid_from, valid_to=valid_to,
    )
    q = qualification
    with references_must_exist():
        row = await db.fetchrow(
            f"""INSERT INTO auditor_qualifications AS t (id, staff_id, kind, reference, valid_from, valid_to)
                VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (staff_id, kind, valid_from) DO UPDATE
                    SET reference = EXCLUDED.reference, valid_to = EXCLUDED.valid_to
                    WHERE (t.reference, t.valid_to) IS DISTINCT FROM (EXCLUDED.reference, EXCLUDED.valid_to)
                RETURNING {_QUALIFICATION_COLUMNS}""",
            q.id, q.staff_id, q.kind.value, q.reference, q.valid_from, q.valid_to,
        )
    if row is None:
        row = await db.fetchrow(
            f"""SELECT {_QUALIFICATION_COLUMNS} FROM auditor_qualifications
                WHERE staff_id = $1 AND kind = $2 AND valid_from = $3""",
            q.staff_id, q.kind.value, q.valid_from,
        )
    assert row is not None  # inserted, or there already
    return Qualification.model_validate(dict(row))


async def qualifications_of(db: Db, staff_id: UUID) -> list[Qualification]:
    rows = await db.fetch(
        f"""SELECT {_QUALIFICATION_COLUMNS} FROM auditor_qualifications
            WHERE staff_id = $1 ORDER BY kind, valid_from""",
        staff_id,
    )
    return to_models(Qualification, rows)


async def auditor_qualified_on(db: Db, staff_id: UUID, dates: list[date]) -> bool:
    """R-7.auditor: on *every* one of ``dates`` (the audit dates) the person, still active, holds a
    training certificate and a competence evaluation both valid that day. Either proof may be renewed
    between two of the dates; what counts is that no date is left uncovered.

    An empty list is refused: "qualified on no dates" would be true of anyone.
    """
    if not dates:
        raise InvalidInput("R-7.auditor: a qualification is checked on the audit dates, and none were given")
    qualified = await db.fetchval(
        """SELECT s.active AND bool_and(
                      EXISTS (SELECT 1 FROM auditor_qualifications q
                              WHERE q.staff_id = s.id AND q.kind = 'training_certificate'
                                AND d BETWEEN q.valid_from AND q.valid_to)
                  AND EXISTS (SELECT 1 FROM auditor_qualifications q
                              WHERE q.staff_id = s.id AND q.kind = 'competence_evaluation'
                                AND d BETWEEN q.valid_from AND q.valid_to))
           FROM staff s CROSS JOIN unnest($2::date[]) AS d
           WHERE s.id = $1
           GROUP BY s.id, s.active""",
        staff_id, list(dates),
    )
    return bool(qualified)
