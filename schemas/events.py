"""The event log: who did what, when, under which rule. Append-only, so it can be trusted as a record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, Field

from schemas.base import NonBlank, Record


class Event(Record):
    id: int
    # Derived from workflow id + step: a retried activity finds its event instead of writing another.
    idempotency_key: NonBlank
    # When it happened in the process (from workflow.now()); ``recorded_at`` is when the row was written.
    occurred_at: AwareDatetime
    workflow_id: str | None = None
    subject: str | None = None  # application id, certificate number, audit id ...
    actor: NonBlank  # a staff id, "system" or "applicant"
    kind: NonBlank
    rule_id: str | None = None
    element_id: str | None = None  # the BPMN element the step belongs to
    data: dict[str, Any] = Field(default_factory=dict)
    recorded_at: datetime
