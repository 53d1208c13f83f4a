"""The public register (R-9.1.9.n3, R-9.6.8): anyone may check a certificate, no token needed.

It reads the certificate's versions (migration 0005), never the organization's record: a certificate
shows the holder and sites as they were when it was issued or last reissued (R-10.3.4), and asked
``?on=`` a past day it answers what it said on that day, the same whenever it is asked.
"""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

import asyncpg
from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from api.auth import db
from api.pages import public_pages
from api.problems import Problem
from api.tasks import today
from schemas.base import Day
from schemas.certificate_versions import CertificateOn, CertificateVersion, certificate_on
from schemas.text import Line
from store.certificate_versions import versions_of, versions_of_many
from store.public_directory import search_directory

PUBLIC_INFORMATION = Path(__file__).resolve().parents[1] / "rules" / "data" / "public_information.json"
# How long a public answer may be kept by a browser or a cache: today's may change with the next event;
# a past day's is a record and stays as it was (issue 12), so it may be kept longer.
TODAY_MAX_AGE, PAST_MAX_AGE, INFORMATION_MAX_AGE = 300, 86400, 3600

router = APIRouter(prefix="/public", tags=["public register"])

STATUS_WORDS = {
    "valid": "有效 valid",
    "suspended": "暂停 suspended — not valid while suspended (R-9.6.4)",
    "withdrawn": "撤销 withdrawn",
    "scope_reduced": "缩小认证范围 scope reduced",
    "expired": "注销 expired",
}


class PublicSite(BaseModel):
    name: str
    address: str
    sub_certificate_number: str
    removed_on: date | None = Field(None, description="taken out of the scope (R-9.6.6); its number stays taken")


class PublicCertificate(BaseModel):
    number: str
    on: date = Field(description="the day this answer is for: today unless asked ?on=YYYY-MM-DD")
    organization: str
    registered_address: str
    scope: str
    sites: list[PublicSite]
    star_level: str
    status: str
    status_words: str
    issued_on: date
    reissued_on: date | None
    revision: int
    valid_from: date = Field(description="the validity in force on the day")
    valid_to: date
    next_valid_from: date | None = Field(
        None, description="R-9.3: after an early recertification, the validity that follows the one in force")
    next_valid_to: date | None = None
    basis: str = "YD/T 2823-2015"
    document_url: str = Field(description="the certificate document (PDF, R-10.2) as last issued")
    requested_sub_certificate: str | None = Field(
        None, description="when a site's sub-certificate number was looked up: that number (R-10.3.3)")


async def _versions_of(pool: asyncpg.Pool, wanted: str) -> tuple[list[CertificateVersion], str | None]:
    """The versions of the certificate numbered ``wanted``, or of the one holding ``wanted`` as a site's
    sub-certificate (number-1, number-2 ..., R-10.3.3), with that sub number."""
    versions = await versions_of(pool, wanted)
    if versions or "-" not in wanted:
        return versions, None
    parent = await versions_of(pool, wanted.rsplit("-", 1)[0])
    if any(s.sub_number == wanted for v in parent for s in v.sites):
        return parent, wanted
    return [], None


class DirectoryEntry(BaseModel):
    number: str
    organization: str
    scope: str
    star_level: str
    status: str
    status_words: str
    valid_to: date


class Directory(BaseModel):
    """R-9.1.9.n3: the certified organizations, as their certificates said on the day."""

    on: date
    q: str
    total: int = Field(description="how many certificates match, over all pages")
    limit: int
    offset: int
    items: list[DirectoryEntry]


class PublicInformation(BaseModel):
    """R-8: the body's certification services, procedure, basis, validity and fees."""

    basis: str = "YD/T 2823-2015"
    validity_years: int
    surveillance_at_most_months_apart: int
    services: list[str]
    procedure: list[str]
    fees: str
    contact: str = ""


@router.get("/certificates", response_model=Directory,
            summary="the directory of certified organizations (R-9.1.9.n3), searched by name, credit code or number")
async def directory(
    request: Request, response: Response, pool: asyncpg.Pool = Depends(db), this_day: date = Depends(today),
    q: Line = Query("", max_length=100, description="part of the holder's name, its credit code, or a certificate "
                                                   "number (or its beginning); empty: every certificate"),
    status: Literal["valid", "suspended", "withdrawn", "scope_reduced", "expired"] | None = Query(None),
    on: Day | None = Query(None, description="the day to answer for (YYYY-MM-DD); default today"),
    limit: int = Query(20, ge=1, le=100), offset: int = Query(0, ge=0, le=100_000),
) -> Directory | Response:
    """Each certificate as its version in force on the day says it (the same holder, status and validity
    as its own page), ordered by the holder's name. A browser gets the directory page (same answer)."""
    day = on or this_day
    page = await search_directory(pool, q, day, status=status, limit=limit, offset=offset)
    versions = await versions_of_many(pool, page.numbers)
    items = []
    for number in page.numbers:
        found = certificate_on(versions[number], day)
        if found is None:
            continue
        v = found.version
        items.append(DirectoryEntry(number=v.number, organization=v.organization.name, scope=v.scope,
                                    star_level=v.star_level.value, status=found.status.value,
                                    status_words=STATUS_WORDS[found.status.value], valid_to=found.valid_to))
    listing = Directory(on=day, q=q.strip(), total=page.total, limit=limit, offset=offset, items=items)
    if public_pages.prefers_html(request):
        return public_pages.directory_page(request, listing, status=status, past=day < this_day,
                                           max_age=_max_age(day, this_day))
    _cache_for(response, day, this_day)
    return listing


@router.get("/scheme", response_model=PublicInformation,
            summary="what the body publishes about its certification (R-8): services, procedure, basis, validity, fees")
async def public_information(request: Request, response: Response) -> PublicInformation:
    """The body's own text (``CERTFLOW_PUBLIC_INFORMATION_FILE``), with the validity and the surveillance
    interval of the configuration in force, so the published figures are the ones the processes use."""
    settings = request.app.state.settings
    content = _information(settings.public_information_file or PUBLIC_INFORMATION)
    lifecycle = settings.scheme.lifecycle
    response.headers["Cache-Control"] = f"public, max-age={INFORMATION_MAX_AGE}"
    return PublicInformation(validity_years=lifecycle.validity_years,
                             surveillance_at_most_months_apart=lifecycle.surveillance_interval_months,
                             services=content["services"], procedure=content["procedure"], fees=content["fees"],
                             contact=content.get("contact", ""))


@lru_cache(maxsize=4)
def _information(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise Problem(503, f"The public information is not available: {path.name} cannot be read ({exc}); "
                           "check CERTFLOW_PUBLIC_INFORMATION_FILE.") from None


def _max_age(day: date, this_day: date) -> int:
    """A past day's answer is kept as recorded; today's may change with the next event."""
    return PAST_MAX_AGE if day < this_day else TODAY_MAX_AGE


def _cache_for(response: Response, day: date, this_day: date) -> None:
    response.headers["Cache-Control"] = f"public, max-age={_max_age(day, this_day)}"
    response.headers["Vary"] = public_pages.VARY  # a browser gets a page at the same address


class NotInRegister(Exception):
    """No certificate answers to the number on the day: ``reason`` "unknown", "not_yet_issued" or
    "sub_not_yet" (a site's sub-certificate given later than the day)."""

    def __init__(self, detail: str, reason: str, day: date | None = None) -> None:
        super().__init__(detail)
        self.detail, self.reason, self.day = detail, reason, day


async def _certificate_as_on(pool: asyncpg.Pool, number: str, on: date | None,
                             this_day: date) -> tuple[CertificateOn, str | None]:
    """The certificate numbered (or holding the sub-certificate) ``number`` as on the day asked, with
    the sub-certificate number when one was asked; ``NotInRegister`` otherwise."""
    wanted = number.strip().upper()
    versions, requested = await _versions_of(pool, wanted)
    if not versions:
        raise NotInRegister(f"No certificate {number} is in the register.", "unknown")
    day = on or max(this_day, max(v.in_force_from for v in versions))
    found = certificate_on(versions, day)
    if found is None:
        raise NotInRegister(f"Certificate {versions[0].number} was not yet issued on {day.isoformat()}.",
                            "not_yet_issued", day)
    if requested and not any(s.sub_number == requested for s in found.version.sites):
        raise NotInRegister(f"Sub-certificate {requested} was not yet given on {day.isoformat()}.", "sub_not_yet", day)
    return found, requested


def _public_certificate(found: CertificateOn, requested: str | None) -> PublicCertificate:
    v = found.version
    # Sites taken out of the scope stay listed with the day they left: the true scope is public.
    sites = [PublicSite(name=s.name, address=s.address, sub_certificate_number=s.sub_number, removed_on=s.removed_on)
             for s in v.sites]
    return PublicCertificate(
        number=v.number, on=found.day, organization=v.organization.name,
        registered_address=v.organization.registered_address, scope=v.scope, sites=sites,
        star_level=v.star_level.value, status=found.status.value, status_words=STATUS_WORDS[found.status.value],
        issued_on=v.issued_on, reissued_on=v.reissued_on, revision=v.revision, valid_from=found.valid_from,
        valid_to=found.valid_to, next_valid_from=found.next_valid_from, next_valid_to=found.next_valid_to,
        document_url=f"/api/v1/certificates/{v.number}/document", requested_sub_certificate=requested,
    )


@router.get("/certificates/{number}", response_model=PublicCertificate,
            summary="the true status of a certificate (R-9.6.8), today or as on a day; a site's sub-certificate "
                    "number also finds it")
async def certificate(
    number: str, request: Request, response: Response, pool: asyncpg.Pool = Depends(db),
    this_day: date = Depends(today),
    on: Day | None = Query(None, description="the day to answer for (YYYY-MM-DD); default today"),
) -> PublicCertificate | Response:
    """What the certificate said on the day: its version in force then (issue 12: the same answer
    whenever it is asked). Without ``on``, today, or the day of its latest recorded change when the
    register is ahead of this clock (a process on a test clock). A browser (it asks for HTML: a phone
    that scanned the certificate's QR code) gets the verification page of the same answer."""
    html = public_pages.prefers_html(request)
    try:
        found, requested = await _certificate_as_on(pool, number, on, this_day)
    except NotInRegister as missing:
        if html:
            return public_pages.not_found_page(request, number.strip().upper(), missing.reason,
                                               missing.day)
        raise Problem(404, missing.detail, headers={"Vary": public_pages.VARY}) from None
    answer = _public_certificate(found, requested)
    if html:
        return public_pages.verification_page(
            request, answer, suspended_until=found.version.suspended_until if found.status == "suspended" else None,
            past=on is not None and on < this_day, max_age=_max_age(found.day, this_day))
    _cache_for(response, found.day, this_day)
    return answer


@router.get("/certificates/{number}/{revision}", response_model=PublicCertificate, include_in_schema=False)
async def reissued_certificate(
    number: str, revision: str, request: Request, response: Response, pool: asyncpg.Pool = Depends(db),
    this_day: date = Depends(today), on: Day | None = Query(None),
) -> PublicCertificate | Response:
    """A reissued document's printed reference, "number/R1" (R-10.3.4), as QR codes printed before the
    code named the bare number carried it: the certificate's own answer."""
    if not public_pages.REVISION_SUFFIX.fullmatch(f"/{revision}"):
        raise Problem(404, f"No certificate {number}/{revision} is in the register.")
    return await certificate(number, request, response, pool, this_day, on)
