"""The FastAPI application: staff API, public registry, process view, health.

It reads the register through a pool and talks to Temporal through a client; it never runs
activities itself (DESIGN.md "Layout").
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from temporalio.client import Client

from api import (
    applications,
    audits,
    catalogue,
    certificates,
    incidents,
    process_page,
    process_view,
    proposals,
    public,
    reports,
    scheduling,
    staff,
    staff_capacity,
    staff_conflicts,
    staff_tokens,
    tasks,
)
from api.body_limit import BodySizeLimit
from api.health import router as health_router
from api.idempotency import IdempotencyKeys
from api.metrics import Metrics, RequestMetrics
from api.metrics import router as metrics_router
from api.openapi import install_openapi
from api.pages import applications as application_pages
from api.pages import certificates as certificate_pages
from api.pages import inbox as inbox_page
from api.pages import incidents as incident_pages
from api.pages import leave as leave_pages
from api.pages import planning as planning_page
from api.pages import programme_page, public_pages, reference_pages, sign_in, staff_admin, task_page, team
from api.pages.errors import install_page_errors
from api.pages.render import STATIC
from api.problems import install_problem_handlers
from api.rate_limits import Clock, RateLimitMiddleware, RateLimits
from api.security_headers import SecurityHeaders
from api.text_guard import UnsafeTextGuard
from certflow.settings import Settings, get_settings
from certflow.temporal_client import connect_client
from store.db import create_pool


def create_app(settings: Settings | None = None, *, pool: asyncpg.Pool | None = None,
               temporal: Client | None = None, clock: Clock = time.monotonic) -> FastAPI:
    """The app; tests hand in a pool and a client they own (then the app neither opens nor closes them),
    and a clock they can move for the rate limits' windows."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_pool = pool is None
        if pool is not None:
            app.state.pool = pool
        elif settings.database_url:
            app.state.pool = await create_pool(settings.database_url, min_size=settings.db_pool_min,
                                               max_size=settings.db_pool_max)
        else:
            raise RuntimeError("the API needs CERTFLOW_DATABASE_URL (certflow up sets it for you)")
        app.state.temporal = temporal or await connect_client(settings, service="certflow-api")
        try:
            yield
        finally:
            if own_pool:
                await app.state.pool.close()

    app = FastAPI(
        title="certflow",
        summary="Call-centre service certification (YD/T 2823-2015) as long-running processes",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # api/openapi.py serves /docs from the pinned swagger-ui-dist, not a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    if pool is not None:
        app.state.pool = pool
    if temporal is not None:
        app.state.temporal = temporal
    install_problem_handlers(app)
    install_page_errors(app)
    install_openapi(app)
    # Outermost last: every answer is counted and gets the security headers, a flood is refused before its body is read,
    # and an Idempotency-Key is looked at only for a request every guard let through.
    app.add_middleware(IdempotencyKeys)
    app.add_middleware(UnsafeTextGuard)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.state.rate_limits = RateLimits.from_settings(settings, clock)
    app.add_middleware(RateLimitMiddleware, limits=app.state.rate_limits)
    app.add_middleware(SecurityHeaders)
    app.state.metrics = Metrics()
    app.add_middleware(RequestMetrics, metrics=app.state.metrics)  # outermost: every answer is counted
    app.include_router(health_router)
    app.include_router(metrics_router)
    app.include_router(applications.router)
    app.include_router(tasks.router)
    app.include_router(audits.router)
    app.include_router(certificates.router)
    app.include_router(incidents.router)
    app.include_router(staff_tokens.router)
    app.include_router(staff_conflicts.router)
    app.include_router(proposals.router)
    app.include_router(staff_capacity.router)
    app.include_router(process_view.router)
    app.include_router(process_page.router)
    if process_page.BPMN_JS_DIR.is_dir():  # installed by make install (web/package.json)
        app.mount("/static/bpmn-js", StaticFiles(directory=process_page.BPMN_JS_DIR), name="bpmn-js")
    app.mount("/static/pages", StaticFiles(directory=STATIC), name="pages")
    app.include_router(sign_in.router)
    app.include_router(inbox_page.router)
    app.include_router(task_page.router)
    app.include_router(staff_admin.router)
    app.include_router(leave_pages.router)
    app.include_router(programme_page.router)
    app.include_router(reference_pages.router)
    app.include_router(public_pages.router)
    app.include_router(team.router)
    app.include_router(incident_pages.router)
    app.include_router(application_pages.router)
    app.include_router(certificate_pages.router)
    app.include_router(planning_page.router)
    app.include_router(public.router)
    app.include_router(reports.router)
    app.include_router(staff.router)
    app.include_router(catalogue.router)
    app.include_router(scheduling.router)
    return app
