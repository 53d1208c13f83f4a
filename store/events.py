"""The event log: who did what, when, under which rule (the body's audit trail).

Append-only by trigger (UPDATE, DELETE and TRUNCATE raise), so a row once written can be relied on.
Each event carries an idempotency key derived from workflow id + step: a retried activity finds its
event instead of appending a second one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from schemas.errors import InvalidInput
from schemas.events import Event
from store._sql import Db, require_aware, to_models

_COLUMNS = "id, idempotency_key, occurred_at, workflow_id, subject, actor, kind, rule_id, element_id, data, recorded_at"


async def append_event(
    db: Db,
    idempotency_key: str,
    occurred_at: datetime,
    actor: str,
    kind: str,
    rule_id: str | None = None,
    workflow_id: str | None = None,
    subject: str | None = None,
    element_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> Event:
    """Append one event; with a key already used, return the event already there (as first written)."""
    for name, value in (("idempotency_key", idempotency_key), ("actor", actor), ("kind", kind)):
        if not value.strip():
            raise InvalidInput(f"an event needs {name}")
    require_aware(occurred_at, "occurred_at")
    row = await db.fetchrow(
        f"""INSERT INTO events (idempotency_key, occurred_at, workflow_id, subject, actor, kind, rule_id,
                element_id, data)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (idempotency_key) DO NOTHING
            RETURNING {_COLUMNS}""",
        idempotency_key, occurred_at, workflow_id, subject, actor, kind, rule_id, element_id, data or {},
    )
    if row is None:
        row = await db.fetchrow(f"SELECT {_COLUMNS} FROM events WHERE idempotency_key = $1", idempotency_key)
    assert row is not None  # inserted, or there already
    return Event.model_validate(dict(row))


async def events_for(db: Db, workflow_id: str | None = None, subject: str | None = None) -> list[Event]:
    """A process's or a subject's history in the order things happened (ties in the order written).
    At least one of the two is required: the whole log is not a list anyone reads."""
    if workflow_id is None and subject is None:
        raise InvalidInput("events_for needs a workflow_id or a subject")
    rows = await db.fetch(
        f"""SELECT {_COLUMNS} FROM events
            WHERE ($1::text IS NULL OR workflow_id = $1) AND ($2::text IS NULL OR subject = $2)
            ORDER BY occurred_at, id""",
        workflow_id, subject,
    )
    return to_models(Event, rows)


async def events_of_certification(db: Db, workflow_id: str) -> list[Event]:
    """One certification's timeline: its own events and those of every audit it ordered (child
    processes named ``audit-<workflow id>-<kind>-<n>``), in the order things happened."""
    rows = await db.fetch(
        f"""SELECT {_COLUMNS} FROM events
            WHERE workflow_id = $1 OR workflow_id LIKE 'audit-' || $1 || '-%'
            ORDER BY occurred_at, id""",
        workflow_id,
    )
    return to_models(Event, rows)
