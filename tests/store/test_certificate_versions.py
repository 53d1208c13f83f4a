"""Every version of a certificate kept (migration 0005, issue 12 finding 5): each change of its life is
one append-only version, dated by the day it took effect, written with the change; the row is the
latest version; what a certificate says of its holder changes only by a reissue (R-10.3.4)."""

import shutil
import uuid
from datetime import date

import asyncpg
import pytest

from schemas.applications import ApplicationRecord
from schemas.certificate_versions import VersionChange, certificate_on, status_on
from schemas.certificates import Certificate, CertStatus, StarLevel
from schemas.organizations import Organization, Site
from store.applications import record_application
from store.certificate_versions import versions_of
from store.certificates import (
    add_certificate_site,
    allocate_certificate_number,
    get_certificate,
    record_certificate,
    record_recertification,
    record_reissue,
    reduce_scope,
    set_status,
)
from store.db import connect
from store.migrate import MIGRATIONS_DIR, migrate
from store.organizations import register_organization, register_site, upsert_organization, upsert_site

from .conftest import at, credit_code


async def issue(pool, *, applied_name: str | None = None) -> tuple[Certificate, Organization, list[Site]]:
    """A certificate issued 2026-03-02 on two sites; ``applied_name``: the name its application gave."""
    org = await upsert_organization(pool, Organization(id=uuid.uuid4(), name="上海示例呼叫中心有限公司",
                                                       credit_code=credit_code(), registered_address="浦东大道1号"))
    sites = [await upsert_site(pool, Site(id=uuid.uuid4(), organization_id=org.id, name=name, address=f"{name}路1号",
                                          headcount=50)) for name in ("浦东", "徐汇")]
    app_id = uuid.uuid4()
    data = {"organization": {"name": applied_name}} if applied_name else {}
    application = await record_application(pool, ApplicationRecord(
        id=app_id, organization_id=org.id, workflow_id=f"certification-{app_id}", scope="呼叫中心服务", data=data,
        submitted_at=at(2026, 1, 5, 9)))
    number = await allocate_certificate_number(pool, f"{application.workflow_id}/n", lambda seq: f"CCS2026-{seq:04d}")
    cert = await record_certificate(pool, Certificate(
        number=number, organization_id=org.id, application_id=app_id, workflow_id=application.workflow_id,
        star_level=StarLevel.FOUR_STAR, scope="呼叫中心服务", issued_on=date(2026, 3, 2), valid_from=date(2026, 3, 2),
        valid_to=date(2029, 3, 1)), site_ids=[s.id for s in sites])
    return cert, org, sites


async def test_the_issue_is_the_first_version_with_its_sites_and_its_holder(pool):
    cert, org, _sites = await issue(pool)
    [first] = await versions_of(pool, cert.number)
    assert (first.version, first.change, first.in_force_from, first.in_force_to) == (
        1, VersionChange.ISSUED, date(2026, 3, 2), None)
    assert (first.organization.name, first.organization.credit_code, first.organization.registered_address) == (
        org.name, org.credit_code, "浦东大道1号")
    assert [(s.sub_number, s.name, s.address) for s in first.sites] == [
        (f"{cert.number}-1", "浦东", "浦东路1号"), (f"{cert.number}-2", "徐汇", "徐汇路1号")]


async def test_each_change_is_one_version_dated_by_its_day_and_a_retry_adds_none(pool, count):
    cert, _, sites = await issue(pool)
    n = cert.number
    await set_status(pool, n, CertStatus.SUSPENDED, suspended_until=date(2027, 3, 1), on=date(2026, 9, 1))
    await set_status(pool, n, CertStatus.SUSPENDED, suspended_until=date(2027, 3, 1), on=date(2026, 9, 1))
    await set_status(pool, n, CertStatus.VALID, on=date(2026, 10, 8))
    await record_reissue(pool, n, revision=1, reissued_on=date(2027, 2, 1), scope="呼叫中心服务及外呼")
    await record_reissue(pool, n, revision=1, reissued_on=date(2027, 2, 1), scope="呼叫中心服务及外呼")
    await reduce_scope(pool, n, scope="呼叫中心服务", remove_site_ids=[sites[1].id], removed_on=date(2027, 6, 1),
                       revision=2)
    await reduce_scope(pool, n, scope="呼叫中心服务", remove_site_ids=[sites[1].id], removed_on=date(2027, 6, 1),
                       revision=2)
    await record_recertification(pool, n, issued_on=date(2029, 1, 10), valid_from=date(2029, 3, 2),
                                 valid_to=date(2032, 3, 1), star_level=StarLevel.FIVE_STAR)
    await set_status(pool, n, CertStatus.WITHDRAWN, on=date(2030, 4, 1))
    await set_status(pool, n, CertStatus.WITHDRAWN, on=date(2030, 4, 1))

    versions = await versions_of(pool, n)
    assert [(v.change, v.in_force_from, v.in_force_to, v.status) for v in versions] == [
        (VersionChange.ISSUED, date(2026, 3, 2), date(2026, 8, 31), CertStatus.VALID),
        (VersionChange.SUSPENDED, date(2026, 9, 1), date(2026, 10, 7), CertStatus.SUSPENDED),
        (VersionChange.REINSTATED, date(2026, 10, 8), date(2027, 1, 31), CertStatus.VALID),
        (VersionChange.REISSUED, date(2027, 2, 1), date(2027, 5, 31), CertStatus.VALID),
        (VersionChange.SCOPE_REDUCED, date(2027, 6, 1), date(2029, 1, 9), CertStatus.SCOPE_REDUCED),
        (VersionChange.RENEWED, date(2029, 1, 10), date(2030, 3, 31), CertStatus.VALID),
        (VersionChange.WITHDRAWN, date(2030, 4, 1), None, CertStatus.WITHDRAWN),
    ]
    assert versions[1].suspended_until == date(2027, 3, 1)
    assert [(s.name, s.removed_on) for s in versions[4].sites] == [("浦东", None), ("徐汇", date(2027, 6, 1))]
    assert (versions[5].star_level, versions[5].valid_from, versions[5].revision) == (
        StarLevel.FIVE_STAR, date(2029, 3, 2), 0)
    # The row is the latest version.
    row, last = await get_certificate(pool, n), versions[-1]
    assert (row.status, row.scope, row.star_level, row.issued_on, row.valid_from, row.valid_to, row.revision) == (
        last.status, last.scope, last.star_level, last.issued_on, last.valid_from, last.valid_to, last.revision)


@pytest.mark.parametrize("statement", [
    "UPDATE certificate_versions SET status = 'valid'",
    "UPDATE certificate_versions SET in_force_from = in_force_from - 1",
    "DELETE FROM certificate_versions",
    "TRUNCATE certificate_versions",
])
async def test_a_version_is_never_changed_nor_deleted(pool, statement):
    cert, _, _ = await issue(pool)
    await set_status(pool, cert.number, CertStatus.SUSPENDED, suspended_until=date(2027, 3, 1), on=date(2026, 9, 1))
    with pytest.raises(asyncpg.IntegrityConstraintViolationError, match="kept as it was"):
        await pool.execute(statement)
    assert [v.status for v in await versions_of(pool, cert.number)] == [CertStatus.VALID, CertStatus.SUSPENDED]


async def test_the_holder_changes_only_by_a_reissue_R_10_3_4(pool):
    """Finding 2 of issue 12: the organization's record rewritten (as an application once did) changes
    nothing a certificate says; a reissue naming the new name does, from its day on."""
    cert, org, sites = await issue(pool)
    await upsert_organization(pool, org.model_copy(update={"name": "冒名公司", "registered_address": "别处"}))
    await upsert_site(pool, sites[0].model_copy(update={"address": "别处1号"}))
    await set_status(pool, cert.number, CertStatus.SUSPENDED, suspended_until=date(2027, 3, 1), on=date(2026, 9, 1))
    suspended = (await versions_of(pool, cert.number))[-1]
    assert (suspended.organization.name, suspended.organization.registered_address) == (org.name, "浦东大道1号")
    assert suspended.sites[0].address == "浦东路1号"

    await record_reissue(pool, cert.number, revision=1, reissued_on=date(2026, 11, 2),
                         organization_name="上海新名呼叫中心有限公司", registered_address="世纪大道2号")
    versions = await versions_of(pool, cert.number)
    assert [v.organization.name for v in versions] == [org.name, org.name, "上海新名呼叫中心有限公司"]
    assert versions[-1].organization.registered_address == "世纪大道2号"


async def test_a_certificate_names_its_holder_as_its_own_application_did(pool):
    """A second application of a known organization does not rewrite its record; the certificate issued
    on that application names the holder as the application did."""
    cert, org, _ = await issue(pool, applied_name="上海更名呼叫中心有限公司")
    [first] = await versions_of(pool, cert.number)
    assert first.organization.name == "上海更名呼叫中心有限公司" and first.organization.credit_code == org.credit_code


async def test_an_application_adds_an_unknown_organization_but_never_rewrites_a_known_one(pool):
    code = credit_code()
    first = await register_organization(pool, Organization(id=uuid.uuid4(), name="甲公司", credit_code=code))
    again = await register_organization(pool, Organization(id=uuid.uuid4(), name="乙公司", credit_code=code,
                                                           registered_address="新地址"))
    assert again == first and again.name == "甲公司"
    site = await register_site(pool, Site(id=uuid.uuid4(), organization_id=first.id, name="总部", address="旧址",
                                          headcount=10))
    assert (await register_site(pool, site.model_copy(update={"address": "新址"}))).address == "旧址"


async def test_a_site_added_after_the_issue_is_a_version(pool):
    cert, org, _ = await issue(pool)
    third = await upsert_site(pool, Site(id=uuid.uuid4(), organization_id=org.id, name="静安", headcount=20))
    await add_certificate_site(pool, cert.number, third.id, 3, on=date(2027, 1, 4))
    await add_certificate_site(pool, cert.number, third.id, 3, on=date(2027, 1, 4))
    versions = await versions_of(pool, cert.number)
    assert [(v.change, v.in_force_from, len(v.sites)) for v in versions] == [
        (VersionChange.ISSUED, date(2026, 3, 2), 2), (VersionChange.SITES_CHANGED, date(2027, 1, 4), 3)]


async def test_on_a_day_the_version_in_force_its_status_and_after_an_early_renewal_the_next_validity_R_9_3(pool):
    cert, _, _ = await issue(pool)
    await record_recertification(pool, cert.number, issued_on=date(2029, 1, 10), valid_from=date(2029, 3, 2),
                                 valid_to=date(2032, 3, 1), star_level=StarLevel.FIVE_STAR)
    versions = await versions_of(pool, cert.number)
    assert certificate_on(versions, date(2026, 3, 1)) is None  # not issued yet
    between = certificate_on(versions, date(2029, 2, 1))
    assert (between.status, between.version.issued_on, between.valid_from, between.valid_to) == (
        CertStatus.VALID, date(2029, 1, 10), date(2026, 3, 2), date(2029, 3, 1))
    assert (between.next_valid_from, between.next_valid_to) == (date(2029, 3, 2), date(2032, 3, 1))
    after = certificate_on(versions, date(2029, 3, 2))
    assert (after.valid_from, after.valid_to, after.next_valid_from) == (date(2029, 3, 2), date(2032, 3, 1), None)
    # without the renewal the certificate was expired the day after its validity.
    assert status_on(versions[:1], date(2029, 3, 2)) is CertStatus.EXPIRED
    assert status_on(versions[:1], date(2029, 3, 1)) is CertStatus.VALID


async def test_certificates_recorded_before_0005_carry_over_as_their_first_version(pg_server, tmp_path):
    """Migration 0005 gives every certificate already in the register a first version: its row as it
    stands, in force from its last issue or reissue, with its holder and sites."""
    name = f"m_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(pg_server.admin_dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    conn = await connect(f"postgresql://postgres@{pg_server.host}:{pg_server.port}/{name}")
    try:
        for path in sorted(MIGRATIONS_DIR.glob("000[1-4]_*.sql")):
            shutil.copy(path, tmp_path / path.name)
        assert await migrate(conn, tmp_path) == [1, 2, 3, 4]
        org, site, app = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        await conn.execute("""INSERT INTO organizations (id, name, credit_code, registered_address)
                              VALUES ($1, '旧公司', $2, '旧址')""", org, credit_code())
        await conn.execute("""INSERT INTO sites (id, organization_id, name, address, headcount)
                              VALUES ($1, $2, '总部', '一号', 9)""", site, org)
        await conn.execute("""INSERT INTO applications (id, organization_id, workflow_id, scope, data, submitted_at)
                              VALUES ($1, $2, 'certification-old', 's', '{}', now())""", app, org)
        await conn.execute("INSERT INTO certificate_numbers (number, seq, allocation_key) VALUES ('CCS-OLD', 1, 'k')")
        await conn.execute("""INSERT INTO certificates (number, organization_id, application_id, workflow_id, status,
                                  star_level, scope, issued_on, reissued_on, revision, valid_from, valid_to,
                                  suspended_until)
                              VALUES ('CCS-OLD', $1, $2, 'certification-old', 'suspended', 'three_star', '呼叫中心服务',
                                      '2025-01-06', '2025-08-01', 1, '2025-01-06', '2028-01-05', '2026-12-31')""",
                           org, app)
        await conn.execute("""INSERT INTO certificate_sites (certificate_number, site_id, site_index, sub_number)
                              VALUES ('CCS-OLD', $1, 1, 'CCS-OLD-1')""", site)
        assert 5 in await migrate(conn)  # and any later migration
        [carried] = await versions_of(conn, "CCS-OLD")
        assert (carried.change, carried.in_force_from, carried.status, carried.suspended_until, carried.revision) == (
            VersionChange.CARRIED_OVER, date(2025, 8, 1), CertStatus.SUSPENDED, date(2026, 12, 31), 1)
        assert (carried.organization.name, carried.organization.registered_address) == ("旧公司", "旧址")
        assert [(s.sub_number, s.name, s.address) for s in carried.sites] == [("CCS-OLD-1", "总部", "一号")]
    finally:
        await conn.close()
        admin = await asyncpg.connect(pg_server.admin_dsn)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
