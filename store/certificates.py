"""Certificate numbers, certificates and their per-site sub-certificates (R-10).

R-10.3.5 (a number once given is never used again) is the register's, not this module's, to keep:
``certificate_numbers`` refuses UPDATE, DELETE and TRUNCATE by trigger, its numbers take their ``seq``
from ``certificate_number_seq`` (never rolled back, so a number taken in a transaction that rolled
back is skipped, not handed out again), and ``number`` and ``seq`` are both unique. Since 0002 a
certificate row and a site's sub-certificate are never deleted either. This module adds idempotency:
an allocation is keyed by ``allocation_key`` (derived from workflow id + step), so a retried activity
finds the number it was given instead of taking a second one.

Every change to a certificate appends its version (``store.certificate_versions``, migration 0005) in
the same transaction, dated by the day the change took effect: the row is what the certificate says
now, the versions what it said on every day since its issue. A call that changes nothing appends nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from uuid import UUID

import asyncpg

from schemas.certificate_versions import VersionChange
from schemas.certificates import (
    CERTIFICATE_NUMBER_PATTERN,
    Certificate,
    CertificateSite,
    CertStatus,
    StarLevel,
    sub_number,
)
from schemas.errors import Conflict, InvalidInput, NotFound
from store._sql import Db, references_must_exist, to_model, to_models, transaction
from store.certificate_versions import append_version

_COLUMNS = """number, organization_id, application_id, workflow_id, status, star_level, scope, issued_on,
    reissued_on, revision, valid_from, valid_to, suspended_until, created_at, updated_at"""
_SITE_COLUMNS = "certificate_number, site_id, site_index, sub_number, removed_on"


# Numbers (R-10.3.2, R-10.3.5) ---------------------------------------------------------------------

async def allocate_certificate_number(db: Db, allocation_key: str, make_number: Callable[[int], str]) -> str:
    """The number for ``allocation_key``: the one already given to it, or a new one made by
    ``make_number`` (the body's pattern, R-10.3.2) from the next value of ``certificate_number_seq``.

    Safe under retries and concurrency: two calls with one key get one number (the loser's sequence
    value is skipped, which R-10.3.5 allows: numbers need not be consecutive, only never reused).
    A pattern that makes a number already given is a ``Conflict``, never a reuse.
    """
    if not allocation_key.strip():
        raise InvalidInput("an allocation key is required: it is what makes a retried allocation find its number")
    existing = await allocated_number(db, allocation_key)
    if existing is not None:
        return existing
    seq = await db.fetchval("SELECT nextval('certificate_number_seq')")
    number = make_number(seq)
    if not isinstance(number, str) or not CERTIFICATE_NUMBER_PATTERN.fullmatch(number):
        raise InvalidInput(
            f"the numbering pattern made {number!r}: a number holds only A-Z, 0-9, '/' and '-' (R-10.3.2)",
            details={"seq": seq},
        )
    try:
        given = await db.fetchval(
            """INSERT INTO certificate_numbers (number, seq, allocation_key) VALUES ($1, $2, $3)
               ON CONFLICT (allocation_key) DO NOTHING
               RETURNING number""",
            number, seq, allocation_key,
        )
    except asyncpg.UniqueViolationError as exc:
        raise Conflict(
            f"R-10.3.5: the numbering pattern made {number}, a number already given; numbers are never reused",
            details={"number": number, "seq": seq},
        ) from exc
    if given is None:  # a concurrent call with the same key won; its number is ours
        given = await allocated_number(db, allocation_key)
        assert given is not None, allocation_key
    return given


async def allocated_number(db: Db, allocation_key: str) -> str | None:
    return await db.fetchval("SELECT number FROM certificate_numbers WHERE allocation_key = $1", allocation_key)


# Certificates (R-10.1, R-10.3.1, R-10.3.4, R-9.6.8) -------------------------------------------------

async def record_certificate(db: Db, certificate: Certificate, *, site_ids: Sequence[UUID] = ()) -> Certificate:
    """Record an issued certificate with its sites as sub-certificates 1, 2, ... (R-10.3.3), keyed by its
    number: a retry returns the row already there. Its first version (issued) is in force from its
    issue date and names the holder as the certificate's application did.

    The number must have been allocated (``NotFound`` otherwise), and a number already carrying another
    organization's or application's certificate is a ``Conflict`` (R-10.3.1, R-10.3.5).
    """
    async with transaction(db) as conn:
        row = await _insert_certificate(conn, certificate)
        if row is not None:
            for index, site_id in enumerate(site_ids, start=1):
                await _add_site_row(conn, number=certificate.number, site_id=site_id, site_index=index)
            await append_version(conn, certificate.number, VersionChange.ISSUED, certificate.issued_on)
            return Certificate.model_validate(dict(row))
    c = certificate
    existing = await _require(db, c.number)
    if (existing.organization_id, existing.application_id) != (c.organization_id, c.application_id):
        raise Conflict(
            f"R-10.3.5: certificate number {c.number} already belongs to another certification",
            details={"number": c.number},
        )
    return existing


async def _insert_certificate(db: Db, c: Certificate):
    with references_must_exist():
        return await db.fetchrow(
            f"""INSERT INTO certificates (number, organization_id, application_id, workflow_id, status, star_level,
                    scope, issued_on, reissued_on, revision, valid_from, valid_to, suspended_until)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                ON CONFLICT (number) DO NOTHING
                RETURNING {_COLUMNS}""",
            c.number, c.organization_id, c.application_id, c.workflow_id, c.status.value, c.star_level.value,
            c.scope, c.issued_on, c.reissued_on, c.revision, c.valid_from, c.valid_to, c.suspended_until,
        )


async def get_certificate(db: Db, number: str) -> Certificate | None:
    return to_model(Certificate, await db.fetchrow(f"SELECT {_COLUMNS} FROM certificates WHERE number = $1", number))


async def list_certificates(
    db: Db, status: CertStatus | str | None = None, organization_id: UUID | None = None
) -> list[Certificate]:
    """By number; each filter given narrows the list (the public registry lists by status, R-9.6.8)."""
    rows = await db.fetch(
        f"""SELECT {_COLUMNS} FROM certificates
            WHERE ($1::text IS NULL OR status = $1) AND ($2::uuid IS NULL OR organization_id = $2)
            ORDER BY number""",
        None if status is None else CertStatus(status).value, organization_id,
    )
    return to_models(Certificate, rows)


_STATUS_CHANGES = {
    CertStatus.SUSPENDED: VersionChange.SUSPENDED, CertStatus.WITHDRAWN: VersionChange.WITHDRAWN,
    CertStatus.EXPIRED: VersionChange.EXPIRED, CertStatus.SCOPE_REDUCED: VersionChange.SCOPE_REDUCED,
}


async def set_status(
    db: Db, number: str, status: CertStatus | str, *, suspended_until: date | None = None, on: date | None = None
) -> Certificate:
    """Set the public status (R-9.6.8) from the day ``on`` (today in Shanghai when not given); setting
    the status it already has writes nothing.

    A suspension states when it must be resolved (R-9.6.3: ``suspended_until``); any other status
    clears it. A withdrawn certificate stays withdrawn: its number is never used again (R-10.3.5).
    """
    status = CertStatus(status)
    if status is CertStatus.SUSPENDED and suspended_until is None:
        raise InvalidInput("R-9.6.3: a suspension states the date by which it must be resolved (suspended_until)")
    if status is not CertStatus.SUSPENDED and suspended_until is not None:
        raise InvalidInput("suspended_until is only given with a suspension")
    async with transaction(db) as conn:
        before = await conn.fetchval("SELECT status FROM certificates WHERE number = $1 FOR UPDATE", number)
        row = await _set_status_row(conn, number, status, suspended_until)
        if row is not None:
            change = _STATUS_CHANGES.get(status) or (
                VersionChange.REINSTATED if before == CertStatus.SUSPENDED.value else VersionChange.STATUS_CHANGED)
            await append_version(conn, number, change, on)
            return Certificate.model_validate(dict(row))
    existing = await _require(db, number)
    if existing.status is CertStatus.WITHDRAWN and status is not CertStatus.WITHDRAWN:
        raise Conflict(
            f"R-10.3.5: certificate {number} is withdrawn and cannot become {status.value}",
            details={"number": number, "status": existing.status.value},
        )
    return existing


async def _set_status_row(db: Db, number: str, status: CertStatus, suspended_until: date | None):
    return await db.fetchrow(
        f"""UPDATE certificates SET status = $2, suspended_until = $3, updated_at = now()
            WHERE number = $1 AND status <> 'withdrawn'
              AND (status, suspended_until) IS DISTINCT FROM ($2, $3)
            RETURNING {_COLUMNS}""",
        number, status.value, suspended_until,
    )


async def record_reissue(
    db: Db, number: str, *, revision: int, reissued_on: date, scope: str | None = None,
    organization_name: str | None = None, registered_address: str | None = None,
) -> Certificate:
    """R-10.3.4: a reissue (change of name, address, scope ...) keeps number and validity and notes its
    date. ``revision`` is the reissue's own number (1 for the first), which makes a retry a no-op; an
    older or different reissue under the same revision is a ``Conflict``. A new name or address is the
    holder's from this reissue on (its version); earlier versions keep the old one."""
    if revision < 1:
        raise InvalidInput("a reissue's revision starts at 1")
    async with transaction(db) as conn:
        row = await _reissue_row(conn, number, revision, reissued_on, scope)
        if row is not None:
            await append_version(conn, number, VersionChange.REISSUED, reissued_on,
                                 organization_name=organization_name, registered_address=registered_address)
            return Certificate.model_validate(dict(row))
    return await _reissued_already(db, number, revision, reissued_on, scope)


async def _reissue_row(db: Db, number: str, revision: int, reissued_on: date, scope: str | None):
    return await db.fetchrow(
        f"""UPDATE certificates SET revision = $2, reissued_on = $3, scope = coalesce($4, scope), updated_at = now()
            WHERE number = $1 AND revision < $2 AND status <> 'withdrawn'
            RETURNING {_COLUMNS}""",
        number, revision, reissued_on, scope,
    )


async def _reissued_already(db: Db, number: str, revision: int, reissued_on: date, scope: str | None) -> Certificate:
    existing = await _require(db, number)
    if existing.revision == revision and existing.reissued_on == reissued_on and scope in (None, existing.scope):
        return existing
    raise Conflict(
        f"certificate {number} is at revision {existing.revision} ({existing.status.value}); "
        f"reissue {revision} of {reissued_on} does not follow",
        details={"number": number, "revision": existing.revision},
    )


async def reduce_scope(db: Db, number: str, *, scope: str, remove_site_ids: Sequence[UUID], removed_on: date,
                       revision: int) -> Certificate:
    """R-9.6.6: sites and scope taken out, the certificate reissued with what remains (R-10.3.4) and its
    status scope_reduced: one change, one version. A retry writes nothing."""
    if revision < 1:
        raise InvalidInput("a reissue's revision starts at 1")
    async with transaction(db) as conn:
        for site_id in remove_site_ids:
            await _remove_site_row(conn, number, site_id, removed_on)
        row = await _reissue_row(conn, number, revision, reissued_on=removed_on, scope=scope)
        if row is None:
            return await _reissued_already(conn, number, revision, removed_on, scope)
        await _set_status_row(conn, number, CertStatus.SCOPE_REDUCED, None)
        await append_version(conn, number, VersionChange.SCOPE_REDUCED, removed_on)
        return await _require(conn, number)


async def record_recertification(
    db: Db,
    number: str,
    *,
    issued_on: date,
    valid_from: date,
    valid_to: date,
    star_level: StarLevel | str,
    scope: str | None = None,
) -> Certificate:
    """R-9.3 **Decision**: a successful recertification keeps the number (R-10.3.1) and starts a new
    validity; the issue date is the decision date, the reissue count starts again, the status is valid.
    Its version is in force from the decision date; before ``valid_from`` the old validity still runs
    (``schemas.certificate_versions.certificate_on``). Idempotent: recorded again, it writes nothing."""
    if valid_to <= valid_from:
        raise InvalidInput("valid_to must be after valid_from")
    level = StarLevel(star_level)
    async with transaction(db) as conn:
        row = await conn.fetchrow(
            f"""UPDATE certificates AS c
                SET issued_on = $2, valid_from = $3, valid_to = $4, star_level = $5, scope = coalesce($6, scope),
                    status = 'valid', suspended_until = NULL, reissued_on = NULL, revision = 0, updated_at = now()
                WHERE number = $1 AND status <> 'withdrawn'
                  AND (issued_on, valid_from, valid_to, star_level, scope, status, reissued_on, revision)
                      IS DISTINCT FROM ($2, $3, $4, $5, coalesce($6, c.scope), 'valid', NULL::date, 0)
                RETURNING {_COLUMNS}""",
            number, issued_on, valid_from, valid_to, level.value, scope,
        )
        if row is not None:
            await append_version(conn, number, VersionChange.RENEWED, issued_on)
            return Certificate.model_validate(dict(row))
    existing = await _require(db, number)
    if existing.status is CertStatus.WITHDRAWN:
        raise Conflict(f"R-10.3.5: certificate {number} is withdrawn and cannot be renewed", details={"number": number})
    return existing


async def _require(db: Db, number: str) -> Certificate:
    found = await get_certificate(db, number)
    if found is None:
        raise NotFound(f"no certificate {number}", details={"number": number})
    return found


# Sites and sub-certificates (R-10.2.2, R-10.3.3) ---------------------------------------------------

async def add_certificate_site(db: Db, number: str, site_id: UUID, site_index: int, *,
                               on: date | None = None) -> CertificateSite:
    """Put a site on the certificate as sub-certificate ``{number}-{site_index}`` (R-10.3.3).

    Idempotent by (certificate, site). The index is the caller's (the workflow orders the sites), and
    an index once given to one site is never given to another (R-10.3.5): that is a ``Conflict``.
    A site taken out earlier comes back under its old sub number. Added to an issued certificate, it
    makes a version in force from ``on`` (by default the day of the version it joins).
    """
    async with transaction(db) as conn:
        row = await _add_site_row(conn, number=number, site_id=site_id, site_index=site_index)
        if row is not None:
            latest = await conn.fetchval(
                """SELECT in_force_from FROM certificate_versions WHERE certificate_number = $1
                   ORDER BY version DESC LIMIT 1""", number)
            if latest is not None:
                await append_version(conn, number, VersionChange.SITES_CHANGED, on or latest)
            return CertificateSite.model_validate(dict(row))
    existing = to_model(
        CertificateSite,
        await db.fetchrow(
            f"SELECT {_SITE_COLUMNS} FROM certificate_sites WHERE certificate_number = $1 AND site_id = $2",
            number, site_id,
        ),
    )
    assert existing is not None
    if existing.site_index != site_index:
        raise Conflict(
            f"R-10.3.5: site {site_id} already holds sub-certificate {existing.sub_number}",
            details={"sub_number": existing.sub_number},
        )
    return existing


async def _add_site_row(db: Db, *, number: str, site_id: UUID, site_index: int):
    sub = sub_number(number, site_index)
    try:
        with references_must_exist():
            return await db.fetchrow(
                f"""INSERT INTO certificate_sites (certificate_number, site_id, site_index, sub_number)
                    VALUES ($1, $2, $3, $4)
                    ON CONFLICT (certificate_number, site_id) DO UPDATE SET removed_on = NULL
                    WHERE certificate_sites.removed_on IS NOT NULL
                      AND certificate_sites.site_index = EXCLUDED.site_index
                    RETURNING {_SITE_COLUMNS}""",
                number, site_id, site_index, sub,
            )
    except asyncpg.UniqueViolationError as exc:
        raise Conflict(
            f"R-10.3.5: sub-certificate {sub} was already given to another site", details={"sub_number": sub},
        ) from exc


async def remove_certificate_site(db: Db, number: str, site_id: UUID, removed_on: date) -> CertificateSite:
    """Take a site out of the scope (R-9.6.6) keeping its sub number taken; idempotent (the first date
    stays). On its own (not within ``reduce_scope``) it makes a version in force from ``removed_on``."""
    async with transaction(db) as conn:
        if await _remove_site_row(conn, number, site_id, removed_on):
            await append_version(conn, number, VersionChange.SITES_CHANGED, removed_on)
    row = await db.fetchrow(
        f"SELECT {_SITE_COLUMNS} FROM certificate_sites WHERE certificate_number = $1 AND site_id = $2",
        number, site_id,
    )
    if row is None:
        raise NotFound(f"site {site_id} is not on certificate {number}", details={"number": number})
    return CertificateSite.model_validate(dict(row))


async def _remove_site_row(db: Db, number: str, site_id: UUID, removed_on: date) -> bool:
    done = await db.execute(
        """UPDATE certificate_sites SET removed_on = $3
           WHERE certificate_number = $1 AND site_id = $2 AND removed_on IS NULL""",
        number, site_id, removed_on,
    )
    return done != "UPDATE 0"


async def certificate_sites(db: Db, number: str, *, include_removed: bool = False) -> list[CertificateSite]:
    rows = await db.fetch(
        f"""SELECT {_SITE_COLUMNS} FROM certificate_sites
            WHERE certificate_number = $1 AND ($2 OR removed_on IS NULL)
            ORDER BY site_index""",
        number, include_removed,
    )
    return to_models(CertificateSite, rows)
