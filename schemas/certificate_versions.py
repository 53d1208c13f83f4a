"""The versions of a certificate: what it said, from which day (issue 12, "every version kept").

A certificate's row in the register says what it says now; its versions say what it said on any day
since its issue, each in force from ``in_force_from`` until the next one. What a certificate says of
its holder is part of the version (``organization``, ``sites``): a later application or change report
reaches it only through a reissue (R-10.3.4), never by rewriting the organization's record.

The functions here answer "on day D" questions from a certificate's versions without I/O, so the
public register, the CNCA report and the certification file all read a day the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, Field

from schemas.certificates import CertStatus, StarLevel
from schemas.text import Line, Text


class VersionChange(StrEnum):
    """What made a new version: the certificate's life (R-9.3, R-9.6, R-10.1, R-10.3.4)."""

    ISSUED = "issued"
    REISSUED = "reissued"
    SCOPE_REDUCED = "scope_reduced"
    SITES_CHANGED = "sites_changed"  # a sub-certificate added or taken out on its own
    SUSPENDED = "suspended"
    REINSTATED = "reinstated"
    WITHDRAWN = "withdrawn"
    RENEWED = "renewed"
    EXPIRED = "expired"
    STATUS_CHANGED = "status_changed"  # any other move of the public status
    CARRIED_OVER = "carried_over"  # a certificate recorded before versions were kept (migration 0005)


class CertifiedOrganization(BaseModel):
    """The holder as the certificate names it (R-10.2.1)."""

    name: Line
    credit_code: Line
    registered_address: Text = ""
    postcode: Line = ""


class CertifiedSite(BaseModel):
    """A site under its sub-certificate (R-10.3.3); ``removed_on`` once taken out of the scope (R-9.6.6)."""

    site_id: UUID
    site_index: int
    sub_number: Line
    name: Line
    address: Text = ""
    postcode: Line = ""
    removed_on: date | None = None


class CertificateVersion(BaseModel):
    number: Line
    version: int = Field(ge=1)
    change: VersionChange
    in_force_from: date
    in_force_to: date | None = Field(None, description="the day before the next version; None while in force")
    status: CertStatus
    star_level: StarLevel
    scope: Text
    issued_on: date
    reissued_on: date | None = None
    revision: int = 0
    valid_from: date
    valid_to: date
    suspended_until: date | None = None
    organization: CertifiedOrganization
    sites: list[CertifiedSite] = []
    recorded_at: datetime | None = None


@dataclass(frozen=True)
class CertificateOn:
    """What a certificate said on ``day``: the version in force, its status that day, the validity in
    force that day and, after an early renewal (R-9.3), the validity that follows it."""

    day: date
    version: CertificateVersion
    status: CertStatus
    valid_from: date
    valid_to: date
    next_valid_from: date | None = None
    next_valid_to: date | None = None


def version_on(versions: list[CertificateVersion], day: date) -> CertificateVersion | None:
    """The version in force at the end of ``day``: the last one recorded from that day or before."""
    in_force = [v for v in versions if v.in_force_from <= day]
    return max(in_force, key=lambda v: v.version) if in_force else None


def status_on(versions: list[CertificateVersion], day: date) -> CertStatus | None:
    """R-9.6.8 on ``day``; past the end of every validity recorded by then, a certificate that was not
    withdrawn is expired (R-10.1) even before its process has written so. None: not issued yet."""
    current = version_on(versions, day)
    if current is None:
        return None
    last_valid_day = max(v.valid_to for v in versions if v.in_force_from <= day)
    if day > last_valid_day and current.status is not CertStatus.WITHDRAWN:
        return CertStatus.EXPIRED
    return current.status


def certificate_on(versions: list[CertificateVersion], day: date) -> CertificateOn | None:
    """The certificate as on ``day``; None before its issue.

    R-9.3: a recertification decided before the old validity ends starts the new one the day after; on
    the days in between the old validity is in force and the new one is shown as the next.
    """
    current = version_on(versions, day)
    if current is None:
        return None
    status = status_on(versions, day)
    assert status is not None
    if current.valid_from <= day:
        return CertificateOn(day, current, status, current.valid_from, current.valid_to)
    started = [v for v in versions if v.in_force_from <= day and v.valid_from <= day]
    if not started:  # issued with a validity that starts later: that validity is the one shown
        return CertificateOn(day, current, status, current.valid_from, current.valid_to)
    before = max(started, key=lambda v: v.version)
    return CertificateOn(day, current, status, before.valid_from, before.valid_to,
                         next_valid_from=current.valid_from, next_valid_to=current.valid_to)
