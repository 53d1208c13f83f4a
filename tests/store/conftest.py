"""Register fixtures for the store tests: an organization, a site and an application already stored,
and ``count`` to see how many rows a table holds (idempotency is "the second call writes nothing")."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import asyncpg
import pytest
import pytest_asyncio

from schemas.applications import ApplicationRecord
from schemas.organizations import Organization, Site
from store.applications import record_application
from store.organizations import upsert_organization, upsert_site

SHANGHAI = ZoneInfo("Asia/Shanghai")
_codes = itertools.count(1)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def credit_code() -> str:
    return f"9131000{next(_codes):011d}"


@pytest.fixture
def make_code() -> Callable[[], str]:
    """A fresh, valid unified social credit code each call."""
    return credit_code


@pytest.fixture
def count(pool: asyncpg.Pool) -> Callable[[str], Awaitable[int]]:
    async def _count(table: str) -> int:
        return await pool.fetchval(f"SELECT count(*) FROM {table}")

    return _count


@pytest_asyncio.fixture
async def org(pool: asyncpg.Pool) -> Organization:
    return await upsert_organization(
        pool, Organization(id=uuid.uuid4(), name="上海示例呼叫中心有限公司", credit_code=credit_code())
    )


@pytest_asyncio.fixture
async def site(pool: asyncpg.Pool, org: Organization) -> Site:
    return await upsert_site(pool, Site(id=uuid.uuid4(), organization_id=org.id, name="浦东", headcount=120))


@pytest_asyncio.fixture
async def application(pool: asyncpg.Pool, org: Organization) -> ApplicationRecord:
    app_id = uuid.uuid4()
    return await record_application(
        pool,
        ApplicationRecord(
            id=app_id, organization_id=org.id, workflow_id=f"certification-{app_id}", scope="呼叫中心服务",
            data={"headcount": 120}, submitted_at=at(2025, 3, 3, 9, 0),
        ),
    )
