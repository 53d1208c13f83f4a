"""Prometheus metrics on ``GET /metrics`` (issue 16): the API's requests and latencies, and what the
register holds now — open and overdue tasks by kind, certificates by status, incidents by state, the
outbox's backlog — read from the register when scraped.

prometheus_client is the field's client library: its text format, its histogram buckets and its
registry are what every Prometheus server and Grafana dashboard expects; nothing here is hand-made.
Each app has a registry of its own (tests build several apps in one process). The Temporal SDK's own
metrics are the worker's, on its own port (CERTFLOW_WORKER_METRICS_ADDRESS, workers/main.py).

Counts only: no name, number or token is a label, so the page may be scraped without a token.
"""

from __future__ import annotations

import time
from datetime import date

import asyncpg
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import db
from api.tasks import today

router = APIRouter(tags=["operations"])


class Metrics:
    """The app's metrics and their registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("certflow_api_requests", "API requests answered, by route template and status",
                                ["method", "route", "status"], registry=r)
        self.latency = Histogram("certflow_api_request_seconds", "time to answer an API request, by route template",
                                 ["method", "route"], registry=r)
        self.open_tasks = Gauge("certflow_open_tasks", "tasks open in the inbox, by kind", ["kind"], registry=r)
        self.overdue_tasks = Gauge("certflow_overdue_tasks", "open tasks past their due date, by kind", ["kind"],
                                   registry=r)
        self.certificates = Gauge("certflow_certificates", "certificates in the register, by status", ["status"],
                                  registry=r)
        self.incidents = Gauge("certflow_incidents", "incidents (steps failed for good), by state", ["state"],
                               registry=r)
        self.outbox = Gauge("certflow_outbox_messages", "mails in the outbox not sent, by status", ["status"],
                            registry=r)

    async def read_register(self, pool: asyncpg.Pool, day: date) -> None:
        """Set the register's gauges from what it holds now."""
        async with pool.acquire() as conn:
            tasks = await conn.fetch(
                """SELECT kind, count(*) AS open, count(*) FILTER (WHERE due_on < $1) AS overdue
                   FROM tasks WHERE status = 'open' GROUP BY kind""", day)
            certificates = await conn.fetch("SELECT status, count(*) AS n FROM certificates GROUP BY status")
            incidents = await conn.fetch("SELECT state, count(*) AS n FROM incidents GROUP BY state")
            outbox = await conn.fetch("SELECT status, count(*) AS n FROM outbox WHERE status <> 'sent' GROUP BY status")
        _set(self.open_tasks, {r["kind"]: r["open"] for r in tasks})
        _set(self.overdue_tasks, {r["kind"]: r["overdue"] for r in tasks})
        _set(self.certificates, {r["status"]: r["n"] for r in certificates})
        _set(self.incidents, {r["state"]: r["n"] for r in incidents})
        _set(self.outbox, {r["status"]: r["n"] for r in outbox})


def _set(gauge: Gauge, values: dict[str, int]) -> None:
    """Exactly ``values``: a label gone from the register (no open task of a kind any more) goes too."""
    gauge.clear()
    for label, value in values.items():
        gauge.labels(label).set(value)


class RequestMetrics:
    """ASGI middleware: each HTTP request counted and timed under its route's template (``/api/v1/tasks/{task_id}``,
    never the concrete path, so the label set stays small); a path no route takes is ``unmatched``."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def remember(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, remember)
        finally:
            route = _template(scope)
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            self.metrics.latency.labels(scope["method"], route).observe(time.perf_counter() - started)


def _template(scope: Scope) -> str:
    """The template of the route that answered (the router leaves it in the scope), else ``unmatched``."""
    route = scope.get("route")
    return getattr(route, "path_format", None) or getattr(route, "path", None) or "unmatched"


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, pool: asyncpg.Pool = Depends(db), day: date = Depends(today)) -> Response:
    """Prometheus's text format: the API's requests, and the register's counts read now."""
    state: Metrics = request.app.state.metrics
    await state.read_register(pool, day)
    return Response(generate_latest(state.registry), media_type=CONTENT_TYPE_LATEST)
