import uuid

import asyncpg
import pytest
from pydantic import ValidationError

from schemas.errors import Conflict, NotFound
from schemas.organizations import Organization, Site
from store.organizations import (
    get_organization,
    get_site,
    organization_by_credit_code,
    sites_of,
    upsert_organization,
    upsert_site,
)

BAD_CODES = [
    "91310000MA1FL0XX1",  # 17 characters
    "91310000MA1FL0XX1KK",  # 19 characters
    "91310000ma1fl0xx1k",  # lower case
    "91310000MA1FL0XXIK",  # I is not used
    "91310000MA1FL0XXOK",  # O is not used
    "91310000MA1FL0XXSK",  # S is not used
    "91310000MA1FL0XXVK",  # V is not used
    "91310000MA1FL0XXZK",  # Z is not used
    "91310000MA1FL0XX-K",
    " 1310000MA1FL0XX1K",
]


def _org(**kw):
    return Organization(**{"id": uuid.uuid4(), "name": "示例公司", "credit_code": "91310000MA1FL0XX1K", **kw})


def test_a_valid_credit_code_is_accepted():
    assert _org().credit_code == "91310000MA1FL0XX1K"


@pytest.mark.parametrize("code", BAD_CODES)
def test_the_model_refuses_a_bad_credit_code(code):
    with pytest.raises(ValidationError, match="credit_code"):
        _org(credit_code=code)


@pytest.mark.parametrize("code", BAD_CODES)
async def test_the_register_refuses_the_same_bad_credit_codes(pool, code):
    """The model and the SQL CHECK agree: what one refuses, the other refuses too."""
    with pytest.raises(asyncpg.CheckViolationError):
        await pool.execute(
            "INSERT INTO organizations (id, name, credit_code) VALUES ($1, 'x', $2)", uuid.uuid4(), code
        )


def test_blank_name_and_empty_site_are_refused():
    with pytest.raises(ValidationError):
        _org(name="  ")
    with pytest.raises(ValidationError, match="headcount"):
        Site(id=uuid.uuid4(), organization_id=uuid.uuid4(), name="A", headcount=0)


async def test_upsert_organization_twice_writes_one_row_and_nothing_the_second_time(pool, count, make_code):
    org = _org(credit_code=make_code(), contact={"name": "张三"})
    first = await upsert_organization(pool, org)
    second = await upsert_organization(pool, org)
    assert await count("organizations") == 1
    assert second == first
    assert first.contact == {"name": "张三"} and first.created_at is not None


async def test_upsert_organization_with_changes_updates_it(pool, make_code):
    org = _org(credit_code=make_code())
    first = await upsert_organization(pool, org)
    changed = await upsert_organization(pool, org.model_copy(update={"name": "新名称", "postcode": "200120"}))
    assert (changed.name, changed.postcode) == ("新名称", "200120")
    assert changed.updated_at >= first.updated_at
    assert await get_organization(pool, org.id) == changed


async def test_a_credit_code_belongs_to_one_organization(pool, make_code):
    code = make_code()
    await upsert_organization(pool, _org(credit_code=code))
    with pytest.raises(Conflict, match=code):
        await upsert_organization(pool, _org(credit_code=code))


async def test_find_by_credit_code(pool, org, make_code):
    assert await organization_by_credit_code(pool, org.credit_code) == org
    assert await organization_by_credit_code(pool, make_code()) is None


async def test_upsert_site_is_idempotent_and_updates_headcount(pool, org, count):
    site = Site(id=uuid.uuid4(), organization_id=org.id, name="徐汇", headcount=30)
    assert await upsert_site(pool, site) == await upsert_site(pool, site)
    assert await count("sites") == 1
    grown = await upsert_site(pool, site.model_copy(update={"headcount": 45}))
    assert grown.headcount == 45
    assert await get_site(pool, site.id) == grown
    assert await sites_of(pool, org.id) == [grown]


async def test_a_site_never_moves_to_another_organization(pool, org, site, make_code):
    other = await upsert_organization(pool, _org(credit_code=make_code()))
    with pytest.raises(Conflict):
        await upsert_site(pool, site.model_copy(update={"organization_id": other.id}))


async def test_two_sites_of_one_organization_do_not_share_a_name(pool, org, site):
    with pytest.raises(Conflict, match=site.name):
        await upsert_site(pool, Site(id=uuid.uuid4(), organization_id=org.id, name=site.name, headcount=5))


async def test_a_site_of_an_unknown_organization_is_not_found(pool):
    with pytest.raises(NotFound):
        await upsert_site(pool, Site(id=uuid.uuid4(), organization_id=uuid.uuid4(), name="A", headcount=5))
