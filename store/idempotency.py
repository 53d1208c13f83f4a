"""Idempotency keys (migration 0011): the first answer to a POST, kept under the caller's key so that a
repeat gets it again instead of starting the same thing twice."""

from __future__ import annotations

from dataclasses import dataclass

from store._sql import Db


@dataclass(frozen=True)
class KeptAnswer:
    request_hash: str
    status_code: int | None  # None: the first request is still being answered
    content_type: str | None
    location: str | None
    body: bytes | None


async def claim(db: Db, caller: str, key: str, method: str, path: str, request_hash: str) -> KeptAnswer | None:
    """Take ``key`` for this request: None when it was free (the caller goes on and answers), else what
    the key already holds."""
    taken = await db.fetchval(
        """INSERT INTO idempotency_keys (caller, key, method, path, request_hash) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (caller, key) DO NOTHING RETURNING true""", caller, key, method, path, request_hash)
    if taken:
        return None
    row = await db.fetchrow(
        """SELECT request_hash, status_code, content_type, location, body FROM idempotency_keys
           WHERE caller = $1 AND key = $2""", caller, key)
    if row is None:  # released meanwhile: take it now
        return await claim(db, caller, key, method, path, request_hash)
    return KeptAnswer(**dict(row))


async def keep(db: Db, caller: str, key: str, status_code: int, content_type: str | None, location: str | None,
               body: bytes) -> None:
    await db.execute(
        """UPDATE idempotency_keys SET status_code = $3, content_type = $4, location = $5, body = $6
           WHERE caller = $1 AND key = $2""", caller, key, status_code, content_type, location, body)


async def release(db: Db, caller: str, key: str) -> None:
    """The first request failed on our side (5xx, or it never answered): the key may be used again."""
    await db.execute("DELETE FROM idempotency_keys WHERE caller = $1 AND key = $2 AND status_code IS NULL",
                     caller, key)
