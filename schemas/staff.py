"""The body's people, what they may do (roles) and what qualifies them to audit (R-7)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Self
from uuid import UUID

from pydantic import field_validator, model_validator

from schemas.base import NonBlankLine, Record
from schemas.text import Email, Line


class Role(StrEnum):
    """What a person may do; exactly the values the register's staff_roles CHECK accepts."""

    REVIEWER = "reviewer"
    PROGRAMME_MANAGER = "programme_manager"
    AUDITOR = "auditor"
    TECHNICAL_EXPERT = "technical_expert"
    MYSTERY_SHOPPER = "mystery_shopper"
    DECISION_MAKER = "decision_maker"
    MANAGER = "manager"
    OPERATOR = "operator"


class Staff(Record):
    """A member of the body's staff. The bearer token's hash never leaves the store."""

    id: UUID
    name: NonBlankLine
    email: Email | None = None
    manager_id: UUID | None = None
    active: bool = True
    # A sorted tuple rather than a set: it serializes the same way every time, which keeps payloads
    # in Temporal histories stable.
    roles: tuple[Role, ...] = ()
    created_at: datetime | None = None

    @field_validator("roles")
    @classmethod
    def _sorted_unique(cls, roles: tuple[Role, ...]) -> tuple[Role, ...]:
        return tuple(sorted(set(roles)))

    def has_role(self, role: Role | str) -> bool:
        return Role(role) in self.roles


class QualificationKind(StrEnum):
    """R-7.auditor names two proofs, and an auditor needs both."""

    TRAINING_CERTIFICATE = "training_certificate"
    COMPETENCE_EVALUATION = "competence_evaluation"


class Qualification(Record):
    """One proof of R-7.auditor, valid from ``valid_from`` to ``valid_to`` inclusive."""

    id: UUID
    staff_id: UUID
    kind: QualificationKind
    reference: Line = ""
    valid_from: date
    valid_to: date

    @model_validator(mode="after")
    def _period(self) -> Self:
        if self.valid_to < self.valid_from:
            raise ValueError("valid_to must not be before valid_from")
        return self

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to
