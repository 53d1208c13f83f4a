"""The append-only versions of each certificate (migration 0005; issue 12, "every version kept").

``store.certificates`` calls :func:`append_version` in the same transaction as every change it makes
to a certificate's row, so the row is always the latest version and no change goes unrecorded. A
version snapshots what the certificate says of its holder; the snapshot is carried from the previous
version, so only a reissue (R-10.3.4) that names a new name or address changes it; never an
application, which keeps its data as its own (``applications.data``).

The first version takes the holder as the certificate's own application named it (falling back on
the organization's record), so a certificate issued on a second application shows that application's
name even though the organization's record was not rewritten by it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from schemas.certificate_versions import CertificateVersion, CertifiedOrganization, CertifiedSite, VersionChange
from schemas.errors import NotFound
from store._sql import Db

SHANGHAI = ZoneInfo("Asia/Shanghai")

_COLUMNS = """certificate_number AS number, version, change, in_force_from, in_force_to, status, star_level, scope,
    issued_on, reissued_on, revision, valid_from, valid_to, suspended_until, organization, sites, recorded_at"""


def shanghai_today() -> date:
    """The body's calendar day, for a change recorded without its own date (tests, the command line)."""
    return datetime.now(SHANGHAI).date()


async def versions_of(db: Db, number: str) -> list[CertificateVersion]:
    """Every version of certificate ``number``, oldest first, each with the last day it was in force."""
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM certificate_versions_dated WHERE certificate_number = $1 ORDER BY version", number)
    return [CertificateVersion.model_validate(dict(r)) for r in rows]


async def versions_of_many(db: Db, numbers: list[str]) -> dict[str, list[CertificateVersion]]:
    rows = await db.fetch(
        f"""SELECT {_COLUMNS} FROM certificate_versions_dated WHERE certificate_number = ANY($1)
            ORDER BY certificate_number, version""", numbers)
    found: dict[str, list[CertificateVersion]] = {}
    for r in rows:
        found.setdefault(r["number"], []).append(CertificateVersion.model_validate(dict(r)))
    return found


async def latest_version(db: Db, number: str) -> CertificateVersion | None:
    row = await db.fetchrow(
        f"""SELECT {_COLUMNS} FROM certificate_versions_dated WHERE certificate_number = $1
            ORDER BY version DESC LIMIT 1""", number)
    return None if row is None else CertificateVersion.model_validate(dict(row))


async def append_version(db: Db, number: str, change: VersionChange, in_force_from: date | None = None, *,
                         organization_name: str | None = None,
                         registered_address: str | None = None) -> CertificateVersion:
    """Append the certificate's row as it stands now as its next version, in force from
    ``in_force_from`` (today in Shanghai when not given). Call it inside the transaction that changed
    the row. A name or address given here is a reissue's (R-10.3.4); otherwise the holder is carried
    from the previous version."""
    cert = await db.fetchrow(
        """SELECT c.*, o.name AS org_name, o.credit_code, o.registered_address AS org_address,
                  o.postcode AS org_postcode, a.data AS application_data
           FROM certificates c JOIN organizations o ON o.id = c.organization_id
                JOIN applications a ON a.id = c.application_id
           WHERE c.number = $1 FOR UPDATE OF c""", number)
    if cert is None:
        raise NotFound(f"no certificate {number}", details={"number": number})
    previous = await latest_version(db, number)
    holder = _holder(cert, previous)
    holder = holder.model_copy(update={k: v for k, v in (("name", organization_name),
                                                         ("registered_address", registered_address)) if v})
    sites = await _sites(db, cert, previous)
    row = await db.fetchrow(
        """INSERT INTO certificate_versions (certificate_number, version, change, in_force_from, status, star_level,
                scope, issued_on, reissued_on, revision, valid_from, valid_to, suspended_until, organization, sites)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
            RETURNING certificate_number AS number, version, change, in_force_from, NULL::date AS in_force_to,
                status, star_level, scope, issued_on, reissued_on, revision, valid_from, valid_to, suspended_until,
                organization, sites, recorded_at""",
        number, (previous.version + 1) if previous else 1, VersionChange(change).value,
        in_force_from or shanghai_today(), cert["status"], cert["star_level"], cert["scope"], cert["issued_on"],
        cert["reissued_on"], cert["revision"], cert["valid_from"], cert["valid_to"], cert["suspended_until"],
        holder.model_dump(mode="json"), [s.model_dump(mode="json") for s in sites],
    )
    assert row is not None  # an INSERT ... RETURNING returns the row
    return CertificateVersion.model_validate(dict(row))


def _holder(cert: Any, previous: CertificateVersion | None) -> CertifiedOrganization:
    if previous is not None:
        return previous.organization
    applied = (cert["application_data"] or {}).get("organization") or {}
    return CertifiedOrganization(
        name=applied.get("name") or cert["org_name"], credit_code=cert["credit_code"],
        registered_address=applied.get("registered_address") or cert["org_address"],
        postcode=applied.get("postcode") or cert["org_postcode"])


async def _sites(db: Db, cert: Any, previous: CertificateVersion | None) -> list[CertifiedSite]:
    """The certificate's sub-certificates now, each site as the previous version showed it, or for a
    site new on the certificate, as the certificate's application described it (else the site's record)."""
    rows = await db.fetch(
        """SELECT cs.site_id, cs.site_index, cs.sub_number, cs.removed_on, s.name, s.address, s.postcode
           FROM certificate_sites cs JOIN sites s ON s.id = cs.site_id
           WHERE cs.certificate_number = $1 ORDER BY cs.site_index""", cert["number"])
    shown = {s.site_id: s for s in previous.sites} if previous else {}
    applied = {s.get("name"): s for s in (cert["application_data"] or {}).get("sites") or [] if isinstance(s, dict)}
    sites = []
    for r in rows:
        before = shown.get(r["site_id"])
        if before is not None:
            sites.append(before.model_copy(update={"removed_on": r["removed_on"]}))
            continue
        described = applied.get(r["name"], {})
        sites.append(CertifiedSite(
            site_id=r["site_id"], site_index=r["site_index"], sub_number=r["sub_number"], name=r["name"],
            address=described.get("address") or r["address"], postcode=described.get("postcode") or r["postcode"],
            removed_on=r["removed_on"]))
    return sites
