import asyncio
import uuid
from datetime import date

import asyncpg
import pytest
from pydantic import ValidationError

from schemas.certificates import Certificate, CertificateSite, CertStatus, StarLevel
from schemas.errors import Conflict, InvalidInput, NotFound
from schemas.organizations import Site
from store.applications import record_application
from store.certificates import (
    add_certificate_site,
    allocate_certificate_number,
    certificate_sites,
    get_certificate,
    list_certificates,
    record_certificate,
    record_recertification,
    record_reissue,
    remove_certificate_site,
    set_status,
)
from store.organizations import upsert_site


def pattern(seq: int) -> str:
    return f"CF-2025-{seq:05d}"


def _certificate(number, application, **kw):
    return Certificate(**{
        "number": number, "organization_id": application.organization_id, "application_id": application.id,
        "workflow_id": application.workflow_id, "star_level": StarLevel.THREE_STAR, "scope": "呼叫中心服务",
        "issued_on": date(2025, 5, 1), "valid_from": date(2025, 5, 1), "valid_to": date(2028, 4, 30), **kw})


@pytest.fixture
async def certificate(pool, application):
    number = await allocate_certificate_number(pool, f"{application.workflow_id}/issue", pattern)
    return await record_certificate(pool, _certificate(number, application))


# Numbers: R-10.3.5 ---------------------------------------------------------------------------------

async def test_r_10_3_5_a_retried_allocation_gets_the_same_number(pool, count):
    first = await allocate_certificate_number(pool, "certification-1/issue", pattern)
    again = await allocate_certificate_number(pool, "certification-1/issue", pattern)
    assert first == again == "CF-2025-00001"
    assert await count("certificate_numbers") == 1
    assert await allocate_certificate_number(pool, "certification-2/issue", pattern) == "CF-2025-00002"


@pytest.mark.parametrize("statement", [
    "UPDATE certificate_numbers SET number = 'CF-X'",
    "UPDATE certificate_numbers SET allocation_key = 'other'",
    "DELETE FROM certificate_numbers",
    "TRUNCATE certificate_numbers CASCADE",
])
async def test_r_10_3_5_a_given_number_cannot_be_changed_or_freed(pool, statement):
    await allocate_certificate_number(pool, "certification-1/issue", pattern)
    with pytest.raises(asyncpg.IntegrityConstraintViolationError, match=r"R-10\.3\.5"):
        await pool.execute(statement)
    assert await pool.fetchval("SELECT number FROM certificate_numbers") == "CF-2025-00001"


async def test_r_10_3_5_a_number_never_comes_back_after_a_rolled_back_transaction(pool):
    async with pool.acquire() as conn:
        with pytest.raises(RuntimeError):
            async with conn.transaction():
                lost = await allocate_certificate_number(conn, "certification-1/issue", pattern)
                raise RuntimeError("the activity failed after allocating")
    assert await pool.fetchval("SELECT count(*) FROM certificate_numbers") == 0
    retried = await allocate_certificate_number(pool, "certification-1/issue", pattern)
    others = [await allocate_certificate_number(pool, f"certification-{n}/issue", pattern) for n in range(2, 6)]
    assert lost not in [retried, *others]
    assert retried == "CF-2025-00002"


async def test_r_10_3_5_concurrent_allocations_with_different_keys_get_distinct_numbers(pool, count):
    numbers = await asyncio.gather(
        *(allocate_certificate_number(pool, f"certification-{n}/issue", pattern) for n in range(24))
    )
    assert len(set(numbers)) == 24
    assert await count("certificate_numbers") == 24


async def test_r_10_3_5_concurrent_allocations_with_the_same_key_get_the_same_number(pool, count):
    numbers = await asyncio.gather(
        *(allocate_certificate_number(pool, "certification-1/issue", pattern) for _ in range(12))
    )
    assert len(set(numbers)) == 1
    assert await count("certificate_numbers") == 1


async def test_r_10_3_5_a_pattern_that_repeats_a_number_is_refused(pool, count):
    await allocate_certificate_number(pool, "certification-1/issue", pattern)
    with pytest.raises(Conflict, match=r"R-10\.3\.5"):
        await allocate_certificate_number(pool, "certification-2/issue", lambda seq: "CF-2025-00001")
    assert await count("certificate_numbers") == 1


async def test_r_10_3_5_a_restarted_sequence_does_not_hand_a_number_out_again(pool):
    given = await allocate_certificate_number(pool, "certification-1/issue", pattern)
    await pool.execute("ALTER SEQUENCE certificate_number_seq RESTART")
    with pytest.raises(Conflict, match=given):
        await allocate_certificate_number(pool, "certification-2/issue", pattern)


async def test_a_number_the_register_cannot_hold_is_refused_before_it_is_written(pool, count):
    with pytest.raises(InvalidInput, match=r"R-10\.3\.2"):
        await allocate_certificate_number(pool, "certification-1/issue", lambda seq: f"cf {seq}")
    with pytest.raises(InvalidInput):
        await allocate_certificate_number(pool, " ", pattern)
    assert await count("certificate_numbers") == 0


# Certificates -------------------------------------------------------------------------------------

async def test_record_certificate_twice_writes_one_row(pool, application, count):
    number = await allocate_certificate_number(pool, "k", pattern)
    cert = _certificate(number, application)
    first = await record_certificate(pool, cert)
    assert await record_certificate(pool, cert) == first
    assert await count("certificates") == 1
    assert first.status is CertStatus.VALID and await get_certificate(pool, number) == first


async def test_r_10_3_5_a_certificate_needs_an_allocated_number(pool, application):
    with pytest.raises(NotFound):
        await record_certificate(pool, _certificate("CF-NEVER-GIVEN", application))


async def test_r_10_3_5_a_number_carries_one_certification(pool, org, application, certificate):
    other = await record_application(
        pool, application.model_copy(update={"id": uuid.uuid4(), "workflow_id": "certification-other"})
    )
    with pytest.raises(Conflict, match=r"R-10\.3\.5"):
        await record_certificate(pool, _certificate(certificate.number, other))


@pytest.mark.parametrize("statement", [
    "DELETE FROM certificates",
    "TRUNCATE certificates CASCADE",
    "UPDATE certificates SET number = number || '-X'",
])
async def test_r_10_3_5_a_certificate_is_never_deleted_nor_renumbered(pool, certificate, statement):
    with pytest.raises(asyncpg.IntegrityConstraintViolationError, match=r"R-10\.3\.5"):
        await pool.execute(statement)


def test_certificate_model_mirrors_the_register_checks(application):
    with pytest.raises(ValidationError, match="valid_to"):
        _certificate("CF-1", application, valid_to=date(2025, 5, 1))
    with pytest.raises(ValidationError, match="suspended_until"):
        _certificate("CF-1", application, suspended_until=date(2025, 11, 1))
    with pytest.raises(ValidationError, match="number"):
        _certificate("cf-1", application)
    with pytest.raises(ValidationError):
        _certificate("CF-1", application, status="revoked")


async def test_set_status_is_idempotent_and_a_suspension_has_an_end(pool, certificate):
    with pytest.raises(InvalidInput, match=r"R-9\.6\.3"):
        await set_status(pool, certificate.number, CertStatus.SUSPENDED)
    suspended = await set_status(pool, certificate.number, CertStatus.SUSPENDED, suspended_until=date(2026, 1, 31))
    again = await set_status(pool, certificate.number, "suspended", suspended_until=date(2026, 1, 31))
    assert again == suspended and suspended.suspended_until == date(2026, 1, 31)
    restored = await set_status(pool, certificate.number, CertStatus.VALID)
    assert restored.status is CertStatus.VALID and restored.suspended_until is None
    with pytest.raises(NotFound):
        await set_status(pool, "CF-NONE", CertStatus.VALID)


async def test_r_10_3_5_a_withdrawn_certificate_stays_withdrawn(pool, certificate):
    withdrawn = await set_status(pool, certificate.number, CertStatus.WITHDRAWN)
    assert await set_status(pool, certificate.number, CertStatus.WITHDRAWN) == withdrawn
    with pytest.raises(Conflict, match=r"R-10\.3\.5"):
        await set_status(pool, certificate.number, CertStatus.VALID)
    with pytest.raises(Conflict):
        await record_recertification(pool, certificate.number, issued_on=date(2028, 4, 1), valid_from=date(2028, 5, 1),
                                     valid_to=date(2031, 4, 30), star_level=StarLevel.FOUR_STAR)


async def test_list_certificates_by_status_and_organization(pool, org, application, certificate):
    second = await record_certificate(
        pool, _certificate(await allocate_certificate_number(pool, "k2", pattern), application)
    )
    await set_status(pool, second.number, CertStatus.EXPIRED)
    assert [c.number for c in await list_certificates(pool)] == [certificate.number, second.number]
    assert [c.number for c in await list_certificates(pool, status=CertStatus.EXPIRED)] == [second.number]
    assert len(await list_certificates(pool, organization_id=org.id)) == 2
    assert await list_certificates(pool, status="valid", organization_id=uuid.uuid4()) == []


async def test_r_10_3_4_reissue_keeps_number_and_validity_and_is_idempotent(pool, certificate):
    reissued = await record_reissue(pool, certificate.number, revision=1, reissued_on=date(2026, 2, 2),
                                    scope="新范围")
    assert await record_reissue(pool, certificate.number, revision=1, reissued_on=date(2026, 2, 2),
                                scope="新范围") == reissued
    assert (reissued.revision, reissued.reissued_on, reissued.scope) == (1, date(2026, 2, 2), "新范围")
    assert (reissued.valid_from, reissued.valid_to) == (certificate.valid_from, certificate.valid_to)
    with pytest.raises(Conflict):
        await record_reissue(pool, certificate.number, revision=1, reissued_on=date(2026, 3, 3))


async def test_r_9_3_recertification_keeps_the_number_and_is_idempotent(pool, certificate):
    await record_reissue(pool, certificate.number, revision=1, reissued_on=date(2026, 2, 2))
    renewal = dict(issued_on=date(2028, 4, 1), valid_from=date(2028, 5, 1), valid_to=date(2031, 4, 30),
                   star_level=StarLevel.FOUR_STAR)
    renewed = await record_recertification(pool, certificate.number, **renewal)
    assert await record_recertification(pool, certificate.number, **renewal) == renewed
    assert (renewed.number, renewed.star_level, renewed.revision, renewed.reissued_on) == (
        certificate.number, StarLevel.FOUR_STAR, 0, None)


# Sites and sub-certificates: R-10.3.3 --------------------------------------------------------------

async def test_r_10_3_3_site_sub_numbers_and_idempotency(pool, org, site, certificate, count):
    first = await add_certificate_site(pool, certificate.number, site.id, 1)
    assert await add_certificate_site(pool, certificate.number, site.id, 1) == first
    assert first.sub_number == f"{certificate.number}-1"
    assert await count("certificate_sites") == 1
    with pytest.raises(Conflict, match=r"R-10\.3\.5"):
        await add_certificate_site(pool, certificate.number, site.id, 2)


async def test_r_10_3_5_a_removed_site_keeps_its_sub_number_taken(pool, org, site, certificate):
    other = await upsert_site(pool, Site(id=uuid.uuid4(), organization_id=org.id, name="徐汇", headcount=10))
    await add_certificate_site(pool, certificate.number, site.id, 1)
    removed = await remove_certificate_site(pool, certificate.number, site.id, date(2026, 6, 1))
    assert await remove_certificate_site(pool, certificate.number, site.id, date(2026, 7, 1)) == removed
    assert removed.removed_on == date(2026, 6, 1)
    assert await certificate_sites(pool, certificate.number) == []
    assert await certificate_sites(pool, certificate.number, include_removed=True) == [removed]
    with pytest.raises(Conflict, match=r"R-10\.3\.5"):
        await add_certificate_site(pool, certificate.number, other.id, 1)
    back = await add_certificate_site(pool, certificate.number, site.id, 1)
    assert back.removed_on is None and back.sub_number == removed.sub_number


@pytest.mark.parametrize("statement", [
    "DELETE FROM certificate_sites",
    "TRUNCATE certificate_sites",
    "UPDATE certificate_sites SET site_index = 2, sub_number = certificate_number || '-2'",
])
async def test_r_10_3_5_a_sub_certificate_is_never_freed_nor_renumbered(pool, site, certificate, statement):
    await add_certificate_site(pool, certificate.number, site.id, 1)
    with pytest.raises(asyncpg.IntegrityConstraintViolationError, match=r"R-10\.3\.5"):
        await pool.execute(statement)


def test_r_10_3_3_the_sub_number_follows_the_rule():
    with pytest.raises(ValidationError, match=r"R-10\.3\.3"):
        CertificateSite(certificate_number="CF-1", site_id=uuid.uuid4(), site_index=1, sub_number="CF-1-2")


async def test_a_site_on_an_unknown_certificate_is_not_found(pool, site):
    with pytest.raises(NotFound):
        await add_certificate_site(pool, "CF-NONE", site.id, 1)
    with pytest.raises(NotFound):
        await remove_certificate_site(pool, "CF-NONE", site.id, date(2026, 1, 1))
