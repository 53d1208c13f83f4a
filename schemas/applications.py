"""An organization's application for certification (R-9.1.1, R-9.1.2) as the register keeps it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from pydantic import AwareDatetime, Field

from schemas.base import NonBlankLine, Record
from schemas.text import JsonObject, Text


class ApplicationStatus(StrEnum):
    """Where the application stands, for lists; the workflow remains the truth about its process."""

    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    IN_AUDIT = "in_audit"
    AWAITING_DECISION = "awaiting_decision"
    GRANTED = "granted"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class ApplicationRecord(Record):
    """The register's row for an application; ``data`` holds the application form as submitted."""

    id: UUID
    organization_id: UUID
    workflow_id: NonBlankLine
    status: ApplicationStatus = ApplicationStatus.SUBMITTED
    scope: Text
    data: JsonObject = Field(default_factory=dict)
    submitted_at: AwareDatetime
    updated_at: datetime | None = None
