"""The staff directory: who can be put on a team, as a programme manager reads it (issue 13).

A read model, not a register row: each person with their roles, their R-7.auditor proofs and the
audits they took part in. The register keeps no declared conflicts of interest (no table for a
former employer or consultancy); what it does know is who took part in which audit, and R-9.1.9.n1
bars them from deciding on it, so that is what ``audits`` shows.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, Field

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
    audits: list[AuditTakenPart] = Field(description="the audits they took part in (R-9.1.9.n1); "
                                                     "the register keeps no other conflicts of interest")
