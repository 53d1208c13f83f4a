"""The task inbox: the register's projection of the human tasks the workflows have open.

The workflow is the truth about a task; this row exists so that staff can list their work without
asking every workflow. ``role`` is usually a staff Role but is plain text: a task may wait on the
applicant, who has no staff role.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, Field

from schemas.base import NonBlank, Record


class TaskStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class TaskRecord(Record):
    id: NonBlank  # derived from workflow id + step
    workflow_id: NonBlank
    kind: NonBlank
    role: NonBlank
    assignee_id: UUID | None = None
    status: TaskStatus = TaskStatus.OPEN
    rule_id: str | None = None
    due_on: date | None = None
    # The due date fell in a year the holiday table does not cover yet (R-dates): shown as provisional.
    due_provisional: bool = False
    subject: str | None = None
    title: str = ""
    payload_schema: dict[str, Any] = Field(default_factory=dict)
    context: dict[str, Any] = Field(default_factory=dict)
    opened_at: AwareDatetime
    reminded_at: datetime | None = None
    escalated_at: datetime | None = None
    completed_at: datetime | None = None
    completed_by: UUID | None = None
    # Dates are facts: what the task records cannot have happened before this day (the programme's date).
    available_from: date | None = None

    def overdue_on(self, day: date) -> bool:
        """Open and past its due date on ``day`` (the workflow's today, never the wall clock)."""
        return self.status is TaskStatus.OPEN and self.due_on is not None and self.due_on < day
