"""When the register or the process engine is away (issue 13): 503 problem+json with Retry-After on
every endpoint that needs it, naming no internal address; nothing lost when it returns. And a payload
too large for Temporal is the request's fault: 413.

Both are stopped for real: a PostgreSQL server and a Temporal dev server of the test's own (never the
session's shared ones).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest_asyncio
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RetryConfig

from api.app import create_app
from certflow.embedded import EmbeddedPostgres, EmbeddedTemporal, free_port
from certflow.settings import SEARCH_ATTRIBUTES, Settings
from certflow.stack import apply_migrations
from schemas.staff import Role
from store.db import create_pool
from store.staff import add_staff
from tests.api.test_applications import complete_application
from tests.conftest import certificate_in_register

PROBLEM = "application/problem+json"
NUMBER = "CN-DOWN-1"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def settings_for(**overrides) -> Settings:
    return Settings(_env_file=None, task_queue=f"down-{uuid.uuid4().hex[:8]}", database_url="postgresql://unused",
                    **overrides)


@pytest_asyncio.fixture
async def own_postgres(tmp_path) -> AsyncIterator[EmbeddedPostgres]:
    server = EmbeddedPostgres(tmp_path / "pg", free_port(), database="certflow")
    await asyncio.to_thread(server.start)
    try:
        await apply_migrations(server.dsn)
        yield server
    finally:
        await asyncio.to_thread(server.stop)


@pytest_asyncio.fixture
async def own_temporal(tmp_path) -> AsyncIterator[EmbeddedTemporal]:
    server = EmbeddedTemporal(tmp_path / "temporal", free_port(), free_port(), SEARCH_ATTRIBUTES)
    await asyncio.to_thread(server.start)
    try:
        yield server
    finally:
        await asyncio.to_thread(server.stop)


def assert_unavailable(response: httpx.Response, server_port: int) -> None:
    assert response.status_code == 503, (response.request.url, response.text)
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["retry-after"] == "5"
    assert "127.0.0.1" not in response.text and str(server_port) not in response.text


async def test_the_register_stopped_is_503_and_nothing_is_lost_when_it_returns(own_postgres, temporal_env):
    pool = await create_pool(own_postgres.dsn, min_size=1, max_size=2)
    try:
        await certificate_in_register(pool, NUMBER, date(2025, 1, 1), date(2028, 1, 1),
                                      credit_code="91110000600037341L")
        _, manager = await add_staff(pool, "经理", [Role.MANAGER], email="m@body.example")
        _, reviewer = await add_staff(pool, "审核员", [Role.REVIEWER], email="r@body.example")
        app = create_app(settings_for(), pool=pool, temporal=temporal_env.client)
        requests = [("GET", f"/public/certificates/{NUMBER}", None, None),
                    ("GET", "/api/v1/certificates", manager, None),
                    ("GET", f"/api/v1/certificates/{NUMBER}", manager, None),
                    ("GET", "/api/v1/tasks", manager, None),
                    ("GET", f"/api/v1/certificates/{NUMBER}/document", None, None),
                    ("POST", "/api/v1/applications", reviewer, complete_application())]
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
            async def ask(method, path, token, body) -> httpx.Response:
                return await http.request(method, path, json=body, headers=bearer(token) if token else {})

            register = "SELECT (SELECT count(*) FROM applications), (SELECT count(*) FROM staff), " \
                       "(SELECT count(*) FROM certificates)"
            before = tuple(await pool.fetchrow(register))
            await asyncio.to_thread(own_postgres.stop)
            for request in requests:
                assert_unavailable(await ask(*request), own_postgres.port)
            ready = await http.get("/readyz")
            assert ready.status_code == 503 and ready.json() == {"status": "not ready"}

            await asyncio.to_thread(own_postgres.start)
            assert (await http.get("/readyz")).status_code == 200
            public = await http.get(f"/public/certificates/{NUMBER}")
            assert public.status_code == 200 and public.json()["status"] == "valid"
            listed = await ask(*requests[1])
            assert [c["number"] for c in listed.json()["items"]] == [NUMBER]
            assert (await ask(*requests[3])).status_code == 200
            assert tuple(await pool.fetchrow(register)) == before  # nothing lost, nothing half-written
            assert (await ask(*requests[5])).status_code == 201  # the refused submission may simply be repeated
    finally:
        await pool.close()


async def engine_client(server: EmbeddedTemporal) -> Client:
    """A client that gives up at once when the server is gone (the default retries for a while)."""
    return await Client.connect(server.address, data_converter=pydantic_data_converter,
                                retry_config=RetryConfig(max_retries=0))


async def test_a_payload_too_large_for_temporal_is_413(own_temporal, pool, staff):
    app = create_app(settings_for(max_body_bytes=16 * 1024 * 1024), pool=pool,
                     temporal=await engine_client(own_temporal))
    await certificate_in_register(pool, NUMBER, date(2025, 1, 1), date(2028, 1, 1), credit_code="91110000600037341L")
    _, manager = await staff(Role.MANAGER)
    _, reviewer = await staff(Role.REVIEWER)
    past_grpc = {"reason": "理由" * 3_000_000}  # beyond gRPC's 4 MiB message limit
    past_blob = {**complete_application(), "scope": "服务" * 600_000}  # beyond Temporal's 2 MB payload limit
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        for path, body, token in ((f"/api/v1/certificates/{NUMBER}/withdraw", past_grpc, manager),
                                  ("/api/v1/applications", past_blob, reviewer)):
            response = await http.post(path, json=body, headers=bearer(token))
            assert response.status_code == 413, response.text
            assert response.headers["content-type"] == PROBLEM
            assert "larger than max" not in response.text  # the engine's words stay in the log


async def test_temporal_stopped_is_503_with_retry_after(own_temporal, pool, staff):
    app = create_app(settings_for(), pool=pool, temporal=await engine_client(own_temporal))
    await certificate_in_register(pool, NUMBER, date(2025, 1, 1), date(2028, 1, 1), credit_code="91110000600037341L")
    _, manager = await staff(Role.MANAGER)
    _, reviewer = await staff(Role.REVIEWER)
    await asyncio.to_thread(own_temporal.stop)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        assert_unavailable(await http.post(f"/api/v1/certificates/{NUMBER}/withdraw", json={"reason": "停业"},
                                           headers=bearer(manager)), own_temporal.port)
        assert_unavailable(await http.post("/api/v1/applications", json=complete_application(),
                                           headers=bearer(reviewer)), own_temporal.port)
        ready = await http.get("/readyz")
        assert ready.status_code == 503 and ready.json() == {"status": "not ready"}
        # What the register alone can answer still answers.
        assert (await http.get(f"/public/certificates/{NUMBER}")).status_code == 200
