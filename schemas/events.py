"""The event log: who did what, when, under which rule. Append-only, so it can be trusted as a record."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, Field

from schemas.base import NonBlankLine, Record
from schemas.text import JsonObject, Line


class Event(Record):
    id: int
    # Derived from workflow id + step: a retried activity finds its event instead of writing another.
    idempotency_key: NonBlankLine
    # When it happened in the process (from workflow.now()); ``recorded_at`` is when the row was written.
    occurred_at: AwareDatetime
    workflow_id: Line | None = None
    subject: Line | None = None  # application id, certificate number, audit id ...
    actor: NonBlankLine  # a staff id, "system" or "applicant"
    kind: NonBlankLine
    rule_id: Line | None = None
    element_id: Line | None = None  # the BPMN element the step belongs to
    data: JsonObject = Field(default_factory=dict)
    recorded_at: datetime
