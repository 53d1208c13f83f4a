"""The staff directory: who can be put on a team, as a programme manager reads it (issue 13).

A read model, not a register row: each person with their roles, their R-7.auditor proofs and the
audits they took part in (R-9.1.9.n1 bars them from deciding on it) and the conflicts of interest the
body knows of (a former employer, a consultancy, a relative: R-9.1.4 keeps them off that auditee's
team), ended ones included with their end day.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, Field

from schemas.conflicts import ConflictOfInterest
from schemas.staff import QualificationKind, Role
from schemas.text import Line


class QualificationHeld(BaseModel):
    kind: QualificationKind
    reference: Line = ""
    valid_from: date
    valid_to: date
    valid_on_day: bool = Field(description="valid on the day asked about (qualified_on, else today)")


class AuditTakenPart(BaseModel):
    """An audit this person was on: R-9.1.9.n1 bars them from its decision."""

    audit_id: Line
    kind: Line
    organization: Line
    team_role: Line = Field(description="leader, auditor, expert or mystery_shopper")


class StaffEntry(BaseModel):
    id: UUID
    name: Line
    active: bool
    roles: list[Role]
    qualifications: list[QualificationHeld]
    auditor_qualified: bool = Field(description="R-7.auditor: a training certificate and a competence "
                                                "evaluation both valid on the day asked about")
    audits: list[AuditTakenPart] = Field(description="the audits they took part in (R-9.1.9.n1)")
    conflicts: list[ConflictOfInterest] = Field(default_factory=list, description=(
        "conflicts of interest declared for them (R-9.1.4: not on that organization's team while one holds); "
        "ended ones keep their ended_on"))
