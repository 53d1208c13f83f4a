"""Inputs, outputs and queries of the workflows: what the API and the worker agree on.

Kept apart from the workflow code so the API can import them without the workflow's sandbox rules.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from rules.policy import SchemePolicy
from schemas.intake import ApplicationSubmission
from schemas.tasking import Actor, TaskView

CERTIFICATION_WORKFLOW = "CertificationWorkflow"
AUDIT_WORKFLOW = "AuditWorkflow"
STATUS_QUERY = "status"


def certification_workflow_id(application_id: UUID) -> str:
    return f"certification-{application_id}"


class CertificationInput(BaseModel):
    application_id: UUID
    submission: ApplicationSubmission
    submitted_at: datetime
    submitted_by: Actor
    policy: SchemePolicy = Field(default_factory=SchemePolicy)


Stage = Literal[
    "application_review", "contract", "programme", "audit", "materials_review", "decision",
    "more_information", "granted", "rejected", "refused", "expired",
]


class ProcessStatus(BaseModel):
    """Where one certification stands, for the API and the Temporal UI."""

    workflow_id: str
    application_id: UUID
    organization: str
    stage: Stage
    summary: str
    open_tasks: list[TaskView] = Field(default_factory=list)
    audit_workflow_id: str | None = None
    computed_level: str | None = None
    certificate_number: str | None = None
    valid_to: date | None = None
    programme_version: int = 0
