"""The API in-process (httpx over ASGI) against the register and a time-skipping Temporal server, plus
staff with tokens.

``http``: the app on the session's test server with no worker, for what the API decides itself
(tokens, roles, input, the inbox, the public register); a test that needs a process to answer runs a
worker of its own on ``api_settings.task_queue``. ``stack``: the real worker on a test server of its
own, for end-to-end journeys that move time.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from api.app import create_app
from certflow.settings import Settings
from schemas.staff import Role
from schemas.tasking import Actor
from store.staff import add_qualification, add_staff
from workers.main import build_worker

StaffFactory = Callable[..., Awaitable[tuple[Actor, str]]]


@pytest.fixture
def api_settings() -> Settings:
    """Settings of the app under test: a task queue of the test's own (no other test's worker takes its
    workflows); the pool is injected, so the database URL is never used."""
    return Settings(_env_file=None, task_queue=f"api-{uuid.uuid4().hex[:8]}", database_url="postgresql://unused")


@pytest.fixture
def app(temporal_env, pool, api_settings) -> FastAPI:
    """The app on the session's test server; a test may set ``app.dependency_overrides``."""
    return create_app(api_settings, pool=pool, temporal=temporal_env.client)


@pytest_asyncio.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client


@pytest.fixture
def staff(pool) -> StaffFactory:
    """``await staff(Role.REVIEWER, ...)`` → (Actor, token): a staff member in the register with those
    roles; ``qualified=True`` adds both R-7.auditor proofs, valid 2024–2030."""

    async def make(*roles: Role | str, name: str | None = None, qualified: bool = False,
                   manager: Actor | None = None) -> tuple[Actor, str]:
        person, token = await add_staff(pool, name or f"员工{uuid.uuid4().hex[:4]}", roles,
                                        email=f"{uuid.uuid4().hex[:8]}@body.example",
                                        manager_id=manager.staff_id if manager else None)
        if qualified:
            for kind in ("training_certificate", "competence_evaluation"):
                await add_qualification(pool, person.id, kind, date(2024, 1, 1), date(2030, 12, 31))
        return Actor(staff_id=person.id, name=person.name, roles=list(person.roles)), token

    return make


@pytest_asyncio.fixture
async def stack(own_temporal_env, pool, smtp) -> AsyncIterator[dict]:
    queue = f"api-{uuid.uuid4().hex[:8]}"
    settings = Settings(_env_file=None, task_queue=queue, database_url="postgresql://unused")
    app = create_app(settings, pool=pool, temporal=own_temporal_env.client)
    async with (
        build_worker(own_temporal_env.client, pool, queue, smtp.mail),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http,
    ):
        yield {"http": http, "env": own_temporal_env, "pool": pool, "queue": queue}
