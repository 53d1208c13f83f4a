"""Bearer tokens over their life (issue 13): who holds one and whether it still lets them in, rotation,
revocation, deactivation of the holder, and the last time a token was used.

Only the token's SHA-256 hash is stored (``store.staff.hash_token``). A revoked token keeps its hash, so
that its holder is told "revoked" rather than "unknown"; a rotated one is replaced, and the old one is
then unknown. Every function takes the time it works at (``now``) from its caller, so that the API's
clock, which a test may set, decides what has expired.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import asyncpg

from schemas.errors import Conflict, NotFound
from schemas.staff import Staff
from schemas.tokens import DEFAULT_TOKEN_LIFETIME_DAYS, IssuedToken, TokenState, TokenStatus
from store._sql import Db, require_aware, transaction
from store.staff import hash_token, rotate_token, set_active

_STATE_SELECT = """
    SELECT id AS staff_id, name, active, token_hash IS NOT NULL AS has_token,
           token_issued_at AS issued_at, token_expires_at AS expires_at,
           token_revoked_at AS revoked_at, token_last_used_at AS last_used_at
    FROM staff
"""
# One query per request that presents a token: the holder, their roles and the token's state.
_HOLDER_SELECT = """
    SELECT s.id AS staff_id, s.name, s.email, s.manager_id, s.active, s.created_at,
           array(SELECT r.role FROM staff_roles r WHERE r.staff_id = s.id ORDER BY r.role) AS roles,
           true AS has_token, s.token_issued_at AS issued_at, s.token_expires_at AS expires_at,
           s.token_revoked_at AS revoked_at, s.token_last_used_at AS last_used_at
    FROM staff s WHERE s.token_hash = $1
"""
_STATE_FIELDS = ("staff_id", "name", "active", "issued_at", "expires_at", "revoked_at", "last_used_at")


def _state(row: asyncpg.Record, now: datetime) -> TokenState:
    """The row's token as of ``now``. A deactivated holder outranks revocation and expiry: a rotation
    undoes those two, but gives a deactivated person nothing (``rotate`` refuses them)."""
    if not row["has_token"]:
        status = TokenStatus.NONE
    elif not row["active"]:
        status = TokenStatus.INACTIVE
    elif row["revoked_at"] is not None:
        status = TokenStatus.REVOKED
    elif row["expires_at"] <= now:
        status = TokenStatus.EXPIRED
    else:
        status = TokenStatus.VALID
    return TokenState.model_validate({**{k: row[k] for k in _STATE_FIELDS}, "status": status})


def _not_found(staff_id: UUID) -> NotFound:
    return NotFound(f"no staff member {staff_id}", details={"staff_id": str(staff_id)})


async def token_state(db: Db, staff_id: UUID, now: datetime) -> TokenState:
    row = await db.fetchrow(_STATE_SELECT + " WHERE id = $1", staff_id)
    if row is None:
        raise _not_found(staff_id)
    return _state(row, require_aware(now, "now"))


async def token_states(db: Db, now: datetime) -> list[TokenState]:
    """Everyone's token, by name (``certflow staff list``)."""
    rows = await db.fetch(_STATE_SELECT + " ORDER BY name, id")
    return [_state(row, require_aware(now, "now")) for row in rows]


async def holder_of(db: Db, token: str, now: datetime) -> tuple[Staff, TokenState] | None:
    """Whose token this is and whether it lets them in at ``now``; ``None`` when no one's token hashes
    to it (never issued, or replaced by a rotation)."""
    row = await db.fetchrow(_HOLDER_SELECT, hash_token(token))
    if row is None:
        return None
    person = Staff(id=row["staff_id"], name=row["name"], email=row["email"], manager_id=row["manager_id"],
                   active=row["active"], roles=tuple(row["roles"]), created_at=row["created_at"])
    return person, _state(row, require_aware(now, "now"))


async def record_use(db: Db, staff_id: UUID, now: datetime) -> None:
    """Remember that the token let its holder in at ``now``. Never moves the mark backwards, so two
    requests finishing out of order leave the later time."""
    await db.execute(
        """UPDATE staff SET token_last_used_at = $2
           WHERE id = $1 AND (token_last_used_at IS NULL OR token_last_used_at < $2)""",
        staff_id, require_aware(now, "now"),
    )


async def rotate(db: Db, staff_id: UUID, now: datetime,
                 lifetime: timedelta = timedelta(days=DEFAULT_TOKEN_LIFETIME_DAYS)) -> IssuedToken:
    """A new token for a staff member, valid for ``lifetime`` from ``now``; the old one stops working.
    Refused (``Conflict``) for someone deactivated: a token they could not use would only be a secret
    lying around."""
    async with transaction(db) as conn:
        state = await token_state(conn, staff_id, now)
        if not state.active:
            raise Conflict(f"{state.name} is no longer active: no token of theirs would let them in",
                           details={"staff_id": str(staff_id)})
        token = await rotate_token(conn, staff_id, now=now, lifetime=lifetime)
    return IssuedToken(staff_id=staff_id, token=token, expires_at=now + lifetime)


async def revoke(db: Db, staff_id: UUID, now: datetime) -> TokenState:
    """Stop the staff member's token from working, without a new one (a leak, a lost laptop). Revoking
    again keeps the first time; only a rotation gives them a token again."""
    await db.execute(
        "UPDATE staff SET token_revoked_at = $2 WHERE id = $1 AND token_revoked_at IS NULL",
        staff_id, require_aware(now, "now"),
    )
    return await token_state(db, staff_id, now)


async def deactivate(db: Db, staff_id: UUID, now: datetime) -> TokenState:
    """Someone who left: no token of theirs works any more, and they are no one's candidate for a task
    (``store.staff.staff_with_role``). Idempotent."""
    try:
        await set_active(db, staff_id, False)
    except NotFound:
        raise _not_found(staff_id) from None
    return await token_state(db, staff_id, now)
