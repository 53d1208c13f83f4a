"""The notification outbox: a mail is enqueued by the step that decides it (keyed, so a retried step
enqueues it once) and sent later by the sender, which marks it sent or failed.

A message stays due while it is pending or failed with attempts left; ``mark_sent`` is final.
Two senders draining the outbox at once should claim rows with ``pending(..., lock=True)`` inside a
transaction, so that they skip each other's rows instead of sending a mail twice.
"""

from __future__ import annotations

from datetime import datetime

from schemas.errors import InvalidInput, NotFound
from schemas.outbox import OutboxMessage
from store._sql import Db, require_aware, to_model, to_models

_COLUMNS = """id, idempotency_key, recipient, subject, body, template, status, attempts, last_error, message_id,
    created_at, sent_at"""
MAX_ATTEMPTS = 5


async def enqueue(
    db: Db, idempotency_key: str, recipient: str, subject: str, body: str, template: str | None = None
) -> OutboxMessage:
    """Queue one mail; with a key already used, return the message already queued (as first written)."""
    if not idempotency_key.strip() or not recipient.strip():
        raise InvalidInput("a mail needs an idempotency key and a recipient")
    row = await db.fetchrow(
        f"""INSERT INTO outbox (idempotency_key, recipient, subject, body, template) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (idempotency_key) DO NOTHING
            RETURNING {_COLUMNS}""",
        idempotency_key, recipient, subject, body, template,
    )
    if row is None:
        row = await db.fetchrow(f"SELECT {_COLUMNS} FROM outbox WHERE idempotency_key = $1", idempotency_key)
    assert row is not None  # inserted, or there already
    return OutboxMessage.model_validate(dict(row))


async def pending(
    db: Db, limit: int = 100, *, max_attempts: int = MAX_ATTEMPTS, lock: bool = False
) -> list[OutboxMessage]:
    """Messages still to send, oldest first: pending, or failed with fewer than ``max_attempts`` tries.

    ``lock=True`` (inside a transaction) locks the rows returned and skips those another sender holds.
    """
    if limit < 1:
        raise InvalidInput("limit must be at least 1")
    rows = await db.fetch(
        f"""SELECT {_COLUMNS} FROM outbox
            WHERE status <> 'sent' AND attempts < $2
            ORDER BY id
            LIMIT $1 {"FOR UPDATE SKIP LOCKED" if lock else ""}""",
        limit, max_attempts,
    )
    return to_models(OutboxMessage, rows)


async def mark_sent(db: Db, id: int, message_id: str, sent_at: datetime) -> OutboxMessage:
    """Record the mail as sent with the server's message id; marking it sent again writes nothing."""
    require_aware(sent_at, "sent_at")
    await db.execute(
        """UPDATE outbox SET status = 'sent', message_id = $2, sent_at = $3, attempts = attempts + 1, last_error = NULL
           WHERE id = $1 AND status <> 'sent'""",
        id, message_id, sent_at,
    )
    return await _require(db, id)


async def mark_failed(db: Db, id: int, error: str) -> OutboxMessage:
    """Record one failed attempt (attempts + 1, the error kept for operations). Each call is one
    attempt, so the sender calls it once per try; a message already sent is left as it is."""
    await db.execute(
        """UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = $2
           WHERE id = $1 AND status <> 'sent'""",
        id, error,
    )
    return await _require(db, id)


async def get_message(db: Db, id: int) -> OutboxMessage | None:
    return to_model(OutboxMessage, await db.fetchrow(f"SELECT {_COLUMNS} FROM outbox WHERE id = $1", id))


async def message_by_key(db: Db, idempotency_key: str) -> OutboxMessage | None:
    row = await db.fetchrow(f"SELECT {_COLUMNS} FROM outbox WHERE idempotency_key = $1", idempotency_key)
    return to_model(OutboxMessage, row)


async def _require(db: Db, id: int) -> OutboxMessage:
    found = await get_message(db, id)
    if found is None:
        raise NotFound(f"no outbox message {id}", details={"id": id})
    return found
