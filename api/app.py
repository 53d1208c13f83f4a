"""The FastAPI application: staff API, public registry, process view, health.

It reads the register through a pool and talks to Temporal through a client; it never runs
activities itself (DESIGN.md "Layout").
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.health import router as health_router
from api.problems import install_problem_handlers
from certflow.settings import Settings, get_settings
from certflow.temporal_client import connect_client
from store.db import create_pool


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not settings.database_url:
            raise RuntimeError("the API needs CERTFLOW_DATABASE_URL (certflow up sets it for you)")
        app.state.settings = settings
        app.state.pool = await create_pool(settings.database_url, min_size=settings.db_pool_min,
                                           max_size=settings.db_pool_max)
        app.state.temporal = await connect_client(settings)
        try:
            yield
        finally:
            await app.state.pool.close()

    app = FastAPI(
        title="certflow",
        summary="Call-centre service certification (YD/T 2823-2015) as long-running processes",
        version="0.1.0",
        lifespan=lifespan,
    )
    install_problem_handlers(app)
    app.include_router(health_router)
    return app
