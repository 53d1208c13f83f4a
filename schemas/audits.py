"""Audits of every kind (R-4), their teams (R-7.team), item scores (R-6) and findings (R-9.1.7)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Self
from uuid import UUID

from pydantic import Field, model_validator

from schemas.base import NonBlank, NonBlankLine, Record
from schemas.certificates import StarLevel
from schemas.text import Line


class AuditKind(StrEnum):
    """R-4: the four kinds of audit; a special audit is always on-site."""

    INITIAL = "initial"
    SURVEILLANCE = "surveillance"
    RECERTIFICATION = "recertification"
    SPECIAL = "special"


class Audit(Record):
    """One audit; ``id`` is its AuditWorkflow id and ``workflow_id`` the CertificationWorkflow that
    ordered it. ``status`` is free text for lists: the AuditWorkflow is the truth about progress."""

    id: NonBlankLine
    workflow_id: NonBlankLine
    organization_id: UUID
    kind: AuditKind
    status: NonBlank = "planned"
    person_days: Decimal | None = Field(default=None, gt=0, max_digits=6, decimal_places=1)
    onsite_days: Decimal | None = Field(default=None, ge=0, max_digits=6, decimal_places=1)
    onsite_start: date | None = None
    onsite_end: date | None = None
    computed_level: StarLevel | None = None
    recommendation: Line | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @model_validator(mode="after")
    def _onsite(self) -> Self:
        if self.onsite_start and self.onsite_end and self.onsite_end < self.onsite_start:
            raise ValueError("onsite_end must not be before onsite_start")
        return self


class TeamRole(StrEnum):
    """A person's part in one audit. R-7.expert: an expert never counts as an auditor and never leads."""

    LEADER = "leader"
    AUDITOR = "auditor"
    EXPERT = "expert"
    MYSTERY_SHOPPER = "mystery_shopper"


class TeamMember(Record):
    audit_id: NonBlankLine
    staff_id: UUID
    role: TeamRole


class ItemScore(Record):
    """One item (control point) as assessed: method compliance and execution, each with its score (R-6)."""

    audit_id: NonBlankLine
    item_id: NonBlankLine
    method_compliant: bool
    executed: bool
    method_score: Decimal = Field(ge=0, max_digits=8, decimal_places=2)
    execution_score: Decimal = Field(ge=0, max_digits=8, decimal_places=2)


class FindingKind(StrEnum):
    MAJOR_NONCONFORMITY = "major_nonconformity"
    MINOR_NONCONFORMITY = "minor_nonconformity"
    OBSERVATION = "observation"


class Finding(Record):
    """A nonconformity or observation; ``id`` is derived from the audit and the step that recorded it.
    The three dates follow it from the organization's acknowledgement to the team's verification."""

    id: NonBlankLine
    audit_id: NonBlankLine
    kind: FindingKind
    clause: Line = ""
    department: Line = ""
    description: NonBlank
    acknowledged_on: date | None = None
    corrected_on: date | None = None
    verified_on: date | None = None
    created_at: datetime | None = None
