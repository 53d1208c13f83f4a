"""The public register (R-9.1.9.n3, R-9.6.8): anyone may check a certificate, no token needed."""

from __future__ import annotations

from datetime import date

import asyncpg
from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.auth import db
from api.problems import Problem
from store.certificates import certificate_sites, get_certificate
from store.organizations import get_organization, get_site

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
    organization: str
    scope: str
    sites: list[PublicSite]
    star_level: str
    status: str
    status_words: str
    issued_on: date
    reissued_on: date | None
    valid_from: date
    valid_to: date
    basis: str = "YD/T 2823-2015"
    document_url: str = Field(description="the certificate document (PDF, R-10.2) as last issued")
    requested_sub_certificate: str | None = Field(
        None, description="when a site's sub-certificate number was looked up: that number (R-10.3.3)")


@router.get("/certificates/{number}", response_model=PublicCertificate,
            summary="the true status of a certificate (R-9.6.8); a site's sub-certificate number also finds it")
async def certificate(number: str, pool: asyncpg.Pool = Depends(db)) -> PublicCertificate:
    wanted = number.strip().upper()
    cert, requested = await get_certificate(pool, wanted), None
    if cert is None and "-" in wanted:  # perhaps a site's sub-certificate, number-1, number-2 ...
        parent = await get_certificate(pool, wanted.rsplit("-", 1)[0])
        if parent is not None and wanted in {s.sub_number for s in await certificate_sites(
                pool, parent.number, include_removed=True)}:
            cert, requested = parent, wanted
    if cert is None:
        raise Problem(404, f"No certificate {number} is in the register.")
    org = await get_organization(pool, cert.organization_id)
    sites = []
    # Sites taken out of the scope stay listed with the day they left: the true scope is public.
    for s in await certificate_sites(pool, cert.number, include_removed=True):
        site = await get_site(pool, s.site_id)
        sites.append(PublicSite(name=site.name if site else "", address=site.address if site else "",
                                sub_certificate_number=s.sub_number, removed_on=s.removed_on))
    return PublicCertificate(
        number=cert.number, organization=org.name if org else "", scope=cert.scope, sites=sites,
        star_level=cert.star_level.value, status=cert.status.value, status_words=STATUS_WORDS[cert.status.value],
        issued_on=cert.issued_on, reissued_on=cert.reissued_on, valid_from=cert.valid_from, valid_to=cert.valid_to,
        document_url=f"/api/v1/certificates/{cert.number}/document", requested_sub_certificate=requested,
    )
