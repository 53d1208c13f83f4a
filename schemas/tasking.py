"""The contract between the API and the workflows for human tasks.

A workflow opens a task and waits; a person completes it through the API, which sends the workflow a
``complete_task`` Update carrying a :class:`TaskCompletion`. The Update's validator refuses, before
anything reaches the history, what the API must turn into 403/409/422; the ``type`` of the
``ApplicationError`` it raises is one of :class:`Refusal` and its details hold a :class:`RefusalDetail`.

The API attaches :class:`TaskFacts` read from the register (roles and qualifications of the people a
payload names), because an Update validator may not do I/O: the workflow checks the rules against
those facts deterministically.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from schemas.staff import Role
from schemas.text import JsonObject, Line, Text

COMPLETE_TASK_UPDATE = "complete_task"


class Actor(BaseModel):
    """Who acts, as the API authenticated them."""

    model_config = ConfigDict(frozen=True)

    staff_id: UUID
    name: Line
    roles: list[Role] = Field(default_factory=list)


class QualificationPeriod(BaseModel):
    kind: Line  # training_certificate | competence_evaluation (R-7.auditor)
    valid_from: date
    valid_to: date


class StaffFacts(BaseModel):
    staff_id: UUID
    name: Line
    active: bool = True
    roles: list[Role] = Field(default_factory=list)
    qualifications: list[QualificationPeriod] = Field(default_factory=list)
    # Known conflicts of interest with the organization the task is about (store/staff_conflicts.py): the
    # reasons. Absent from completions recorded before they were read, so those replay as they ran.
    conflicts: list[Text] = Field(default_factory=list)


class TaskFacts(BaseModel):
    """What the register says about the people a payload names, read by the API at completion time."""

    staff: dict[Line, StaffFacts] = Field(default_factory=dict)  # key: str(staff_id)


class TaskCompletion(BaseModel):
    task_id: Line
    actor: Actor
    payload: JsonObject
    facts: TaskFacts = Field(default_factory=TaskFacts)


class TaskReceipt(BaseModel):
    task_id: Line
    kind: Line
    accepted_at: datetime
    message: Text


class Refusal(StrEnum):
    """ApplicationError types raised by task validators, and the HTTP status each becomes."""

    TASK_NOT_OPEN = "TaskNotOpen"  # 409 (404 when the task never existed: the API knows)
    NOT_ASSIGNED = "NotAssigned"  # 403 wrong person or role
    CONFLICT_OF_IMPARTIALITY = "ConflictOfImpartiality"  # 403 .n1
    INVALID_PAYLOAD = "InvalidPayload"  # 422
    RULE_VIOLATION = "RuleViolation"  # 422 with rule_id
    STATE_CONFLICT = "StateConflict"  # 409 the certificate's state does not allow it (e.g. not suspended)

    @property
    def http_status(self) -> int:
        return {
            Refusal.TASK_NOT_OPEN: 409,
            Refusal.NOT_ASSIGNED: 403,
            Refusal.CONFLICT_OF_IMPARTIALITY: 403,
            Refusal.INVALID_PAYLOAD: 422,
            Refusal.RULE_VIOLATION: 422,
            Refusal.STATE_CONFLICT: 409,
        }[self]


class RefusalDetail(BaseModel):
    message: Text
    rule_id: Line | None = None
    errors: list[JsonObject] = Field(default_factory=list)


class TaskView(BaseModel):
    """An open task as the workflow holds it (query ``open_tasks``)."""

    task_id: Line
    kind: Line
    title: Line
    role: Role
    assignee_id: UUID | None = None
    due_on: date | None = None
    due_provisional: bool = False
    rule_id: Line | None = None
    opened_at: datetime
    # Dates are facts: a task that records something happening on a day can be done from that day on
    # (the programme's date for it); before, the inbox shows it and completing it is refused.
    available_from: date | None = None


class ElementVisit(BaseModel):
    """One pass through a process element (a BPMN element id: a task kind, a gateway, an end): when the
    process entered it and left it; ``left_at`` None while it is there (query ``elements``)."""

    element_id: Line
    entered_at: datetime
    left_at: datetime | None = None
    outcome: Line | None = None  # completed | withdrawn | passed
    due_on: date | None = None
    task_id: Line | None = None
