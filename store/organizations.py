"""Organizations and their sites (R-9.1.1). Upserts by the caller's id: recording the same
organization again writes nothing; recording it with changed data updates it.

An application only *adds* an organization or site the register does not know
(:func:`register_organization`, :func:`register_site`): what it says of a known one stays the
application's data (``applications.data``) until the scheme's path (a special audit or review, then a
reissue, R-10.3.4 / R-9.4.1 / R-11) makes it the organization's. Anyone who may submit an application
could otherwise rename a certified organization (issue 12, finding 2)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from schemas.errors import Conflict
from schemas.organizations import Organization, Site
from store._sql import Db, references_must_exist, to_model, to_models

_ORG_COLUMNS = "id, name, credit_code, registered_address, postcode, contact, created_at, updated_at"
_SITE_COLUMNS = "id, organization_id, name, address, postcode, headcount, created_at"


async def upsert_organization(db: Db, organization: Organization) -> Organization:
    """Insert, or update when something changed; ``created_at``/``updated_at`` of the input are ignored.

    A credit code already registered to another organization is a ``Conflict``: one legal entity is
    one organization in the register.
    """
    o = organization
    try:
        row = await db.fetchrow(
            f"""INSERT INTO organizations AS t (id, name, credit_code, registered_address, postcode, contact)
                VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (id) DO UPDATE SET
                    name = EXCLUDED.name, credit_code = EXCLUDED.credit_code,
                    registered_address = EXCLUDED.registered_address, postcode = EXCLUDED.postcode,
                    contact = EXCLUDED.contact, updated_at = now()
                WHERE (t.name, t.credit_code, t.registered_address, t.postcode, t.contact)
                      IS DISTINCT FROM
                      (EXCLUDED.name, EXCLUDED.credit_code, EXCLUDED.registered_address, EXCLUDED.postcode,
                       EXCLUDED.contact)
                RETURNING {_ORG_COLUMNS}""",
            o.id, o.name, o.credit_code, o.registered_address, o.postcode, o.contact,
        )
    except asyncpg.UniqueViolationError as exc:
        # No lookup of the other organization here: inside a caller's transaction, which this error
        # has aborted, it would fail and hide the conflict.
        raise Conflict(
            f"credit code {o.credit_code} is already registered to another organization",
            details={"credit_code": o.credit_code},
        ) from exc
    if row is None:  # nothing changed
        return await _get_organization_or_fail(db, o.id)
    return Organization.model_validate(dict(row))


async def get_organization(db: Db, organization_id: UUID) -> Organization | None:
    row = await db.fetchrow(f"SELECT {_ORG_COLUMNS} FROM organizations WHERE id = $1", organization_id)
    return to_model(Organization, row)


async def organization_by_credit_code(db: Db, credit_code: str) -> Organization | None:
    row = await db.fetchrow(f"SELECT {_ORG_COLUMNS} FROM organizations WHERE credit_code = $1", credit_code)
    return to_model(Organization, row)


async def _get_organization_or_fail(db: Db, organization_id: UUID) -> Organization:
    found = await get_organization(db, organization_id)
    assert found is not None, organization_id
    return found


async def upsert_site(db: Db, site: Site) -> Site:
    """Insert, or update name/address/postcode/headcount when changed. A site never moves to another
    organization (``Conflict``), and two sites of one organization do not share a name (``Conflict``)."""
    s = site
    try:
        with references_must_exist():
            row = await db.fetchrow(
                f"""INSERT INTO sites AS t (id, organization_id, name, address, postcode, headcount)
                    VALUES ($1, $2, $3, $4, $5, $6)
                    ON CONFLICT (id) DO UPDATE SET
                        name = EXCLUDED.name, address = EXCLUDED.address, postcode = EXCLUDED.postcode,
                        headcount = EXCLUDED.headcount
                    WHERE t.organization_id = EXCLUDED.organization_id
                      AND (t.name, t.address, t.postcode, t.headcount)
                          IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.address, EXCLUDED.postcode, EXCLUDED.headcount)
                    RETURNING {_SITE_COLUMNS}""",
                s.id, s.organization_id, s.name, s.address, s.postcode, s.headcount,
            )
    except asyncpg.UniqueViolationError as exc:
        raise Conflict(
            f"organization {s.organization_id} already has a site named {s.name!r}",
            details={"organization_id": str(s.organization_id), "name": s.name},
        ) from exc
    if row is not None:
        return Site.model_validate(dict(row))
    existing = await get_site(db, s.id)
    assert existing is not None, s.id
    if existing.organization_id != s.organization_id:
        raise Conflict(
            f"site {s.id} belongs to organization {existing.organization_id}, not {s.organization_id}",
            details={"site_id": str(s.id)},
        )
    return existing


async def get_site(db: Db, site_id: UUID) -> Site | None:
    return to_model(Site, await db.fetchrow(f"SELECT {_SITE_COLUMNS} FROM sites WHERE id = $1", site_id))


async def sites_of(db: Db, organization_id: UUID) -> list[Site]:
    rows = await db.fetch(
        f"SELECT {_SITE_COLUMNS} FROM sites WHERE organization_id = $1 ORDER BY created_at, name", organization_id
    )
    return to_models(Site, rows)


async def register_organization(db: Db, organization: Organization) -> Organization:
    """The organization with this credit code: the one already registered, unchanged, or ``organization``
    added when the register has none. An application's differing name or address is not applied here."""
    existing = await organization_by_credit_code(db, organization.credit_code)
    if existing is not None:
        return existing
    return await upsert_organization(db, organization)


async def register_site(db: Db, site: Site) -> Site:
    """The organization's site with this id or name, unchanged when the register has it, else ``site``
    added (see :func:`register_organization`); a site id of another organization is a ``Conflict``."""
    existing = await get_site(db, site.id) or to_model(Site, await db.fetchrow(
        f"SELECT {_SITE_COLUMNS} FROM sites WHERE organization_id = $1 AND name = $2", site.organization_id, site.name))
    if existing is None:
        return await upsert_site(db, site)
    if existing.organization_id != site.organization_id:
        raise Conflict(
            f"site {site.id} belongs to organization {existing.organization_id}, not {site.organization_id}",
            details={"site_id": str(site.id)},
        )
    return existing
