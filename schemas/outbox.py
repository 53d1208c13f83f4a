"""The notification outbox: one row per mail, keyed so that nothing is sent twice."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from schemas.base import NonBlankLine, Record
from schemas.text import Email, Line, Scrubbed, Text


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    # The last attempt failed; the message is tried again until it has used its attempts.
    FAILED = "failed"


class StaffMail(StrEnum):
    """**Decision** (issue 13): how staff hear of the tasks put on them. One mail per task tells at once;
    a daily digest keeps a team leader, who may get dozens of tasks in one audit, to one mail a day."""

    PER_TASK = "per_task"  # a "task assigned" mail as each task for one person opens
    DAILY_DIGEST = "daily_digest"  # one mail each working morning listing the person's open tasks


class OutboxMessage(Record):
    id: int
    idempotency_key: NonBlankLine
    recipient: Email
    subject: Text
    body: Text
    template: Line | None = None
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = Field(default=0, ge=0)
    last_error: Scrubbed | None = None  # a mail server's reply: kept, never refused
    message_id: Line | None = None
    created_at: datetime
    sent_at: datetime | None = None
