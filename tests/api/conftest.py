"""The API in-process (httpx over ASGI) against the register and a time-skipping Temporal server with a
worker, plus staff with tokens."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest_asyncio

from api.app import create_app
from certflow.settings import Settings
from workers.main import build_worker


@pytest_asyncio.fixture
async def stack(own_temporal_env, pool) -> AsyncIterator[dict]:
    queue = f"api-{uuid.uuid4().hex[:8]}"
    settings = Settings(_env_file=None, task_queue=queue, database_url="postgresql://unused")
    app = create_app(settings, pool=pool, temporal=own_temporal_env.client)
    async with build_worker(own_temporal_env.client, pool, queue):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
            yield {"http": http, "env": own_temporal_env, "pool": pool, "queue": queue}
