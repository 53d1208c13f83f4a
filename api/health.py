"""Liveness and readiness.

``/healthz`` answers as long as the process serves requests. ``/readyz`` answers 200 only when the
register is reachable and migrated and Temporal answers; otherwise 503 with what is missing, so an
operator (or ``certflow up``) can tell which part is not there yet.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from store.migrate import applied_versions, load_migrations

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the API process answers. Says nothing about the register or Temporal (see /readyz)."""
    return {"status": "ok"}


async def _check_database(request: Request) -> dict[str, Any]:
    pool = request.app.state.pool
    async with pool.acquire() as conn:
        applied = await applied_versions(conn)
    expected = [m.version for m in load_migrations()]
    missing = [v for v in expected if v not in applied]
    if missing:
        return {"ok": False, "detail": f"migrations not applied: {missing} (run 'certflow migrate')"}
    return {"ok": True, "migrations": applied[-1] if applied else 0}


async def _check_temporal(request: Request) -> dict[str, Any]:
    client = request.app.state.temporal
    await client.service_client.check_health()
    return {"ok": True, "namespace": client.namespace}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Readiness: the register and Temporal both answer, so requests can be served (503 otherwise)."""
    checks: dict[str, dict[str, Any]] = {}
    for name, check in (("database", _check_database), ("temporal", _check_temporal)):
        try:
            checks[name] = await asyncio.wait_for(check(request), timeout=5)
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready", reported in words
            checks[name] = {"ok": False, "detail": f"{type(exc).__name__}: {exc}"}
    ready = all(c["ok"] for c in checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                        status_code=200 if ready else 503)
