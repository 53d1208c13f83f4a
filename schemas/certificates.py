"""Certificates (R-10), their public status (R-9.6.8), rating (R-6) and per-site sub-certificates."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Self
from uuid import UUID

from pydantic import AfterValidator, Field, model_validator

from schemas.base import NonBlankLine, Record
from schemas.text import Line, Text

# The register's CHECK on certificate_numbers.number: the body's pattern may vary, but a
# number is always upper-case letters, digits, ".", "_" and "-", so it can be printed, typed and searched;
# "/" is kept for the reissue marker, which is shown beside the number, never part of it.
CERTIFICATE_NUMBER_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9._-]*$")


def _certificate_number(value: str) -> str:
    if not CERTIFICATE_NUMBER_PATTERN.fullmatch(value):
        raise ValueError("a certificate number starts with a letter or digit and holds only A-Z, 0-9, '.', '_' and '-'")
    return value


CertificateNumber = Annotated[Line, AfterValidator(_certificate_number)]


class CertStatus(StrEnum):
    """R-9.6.8: anyone may learn a certificate's true status. **Decision**: valid and expired are added
    to the scheme's three so that every certificate has exactly one status at every moment."""

    VALID = "valid"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    SCOPE_REDUCED = "scope_reduced"
    EXPIRED = "expired"


class StarLevel(StrEnum):
    """R-6 service levels, lowest first (CC-CMM L2 to L5)."""

    COMPLIANT = "compliant"
    THREE_STAR = "three_star"
    FOUR_STAR = "four_star"
    FIVE_STAR = "five_star"


class Certificate(Record):
    """One certificate; its number comes from ``certificate_numbers`` and is never reused (R-10.3.5)."""

    number: CertificateNumber
    organization_id: UUID
    application_id: UUID
    workflow_id: NonBlankLine
    status: CertStatus = CertStatus.VALID
    star_level: StarLevel
    scope: Text
    issued_on: date
    # a reissue keeps number and validity and notes its date; ``revision`` counts reissues.
    reissued_on: date | None = None
    revision: int = Field(default=0, ge=0)
    valid_from: date
    valid_to: date
    # when a suspension must be resolved; only while suspended.
    suspended_until: date | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @model_validator(mode="after")
    def _dates(self) -> Self:
        if self.valid_to <= self.valid_from:
            raise ValueError("valid_to must be after valid_from")
        if self.reissued_on is not None and self.reissued_on < self.issued_on:
            raise ValueError("reissued_on must not be before issued_on")
        if self.suspended_until is not None and self.status is not CertStatus.SUSPENDED:
            raise ValueError("suspended_until is only set while the certificate is suspended")
        return self


def sub_number(number: str, site_index: int) -> str:
    """R-10.3.3: a site's sub-certificate is the certificate number followed by -1, -2, ..."""
    return f"{number}-{site_index}"


class CertificateSite(Record):
    """A site covered by a certificate, with its sub-certificate number (R-10.3.3)."""

    certificate_number: CertificateNumber
    site_id: UUID
    site_index: int = Field(ge=1)
    sub_number: NonBlankLine
    # Set when a scope reduction takes the site out; the sub number stays taken.
    removed_on: date | None = None

    @model_validator(mode="after")
    def _sub_number(self) -> Self:
        if self.sub_number != sub_number(self.certificate_number, self.site_index):
            raise ValueError(f"sub_number must be {sub_number(self.certificate_number, self.site_index)!r} (R-10.3.3)")
        return self
