"""Conflicts of interest the body knows of (issue 13): a person who worked for, advised or is related
to an organization is not put on its team (R-9.1.4) nor shown as free to be.

Declared against the organization's unified social credit code, so it can be known before the
organization applies. A conflict that no longer holds is ended with its day, never deleted.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from schemas.base import Day, NonBlank
from schemas.organizations import CreditCode
from schemas.text import Line, Text


class ConflictDeclaration(BaseModel):
    """What an administrator records: with which organization, why, and since when."""

    model_config = ConfigDict(extra="forbid")

    credit_code: CreditCode = Field(description="the organization's 统一社会信用代码")
    organization_name: Line = Field("", description="as the person named it (the register's name is used "
                                                    "once the organization has applied)")
    reason: NonBlank = Field(description="what ties the person to the organization")
    declared_on: Day = Field(description="the day the conflict was made known; not after today")


class ConflictEnd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ended_on: Day = Field(description="the day it stopped holding; not after today, not before it was declared")


class ConflictOfInterest(BaseModel):
    id: UUID
    staff_id: UUID
    credit_code: Line
    organization_name: Line
    reason: Text
    declared_on: date
    ended_on: date | None = Field(description="absent while it holds")
    recorded_by: Line
