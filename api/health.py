"""Liveness and readiness.

``/healthz`` answers as long as the process serves requests. ``/readyz`` answers 200 only when the
register is reachable and migrated and Temporal answers; otherwise 503. Anyone (a load balancer,
``certflow up``) gets the bare status; what is missing, in words that may name internal addresses,
only an operator's token gets (issue 13). A token that is not valid is 401 like anywhere else.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.auth import current_actor, now
from schemas.staff import Role
from store.migrate import applied_versions, load_migrations

router = APIRouter(tags=["health"])

_operator_token = HTTPBearer(auto_error=False, description="an operator's token shows what is missing")


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


async def _shows_details(request: Request, credentials: HTTPAuthorizationCredentials | None) -> bool:
    if credentials is None:
        return False
    actor = await current_actor(request, credentials, request.app.state.pool, now())
    return Role.OPERATOR in actor.roles


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Readiness: the register and Temporal both answer, so requests can be served (503 otherwise). Open to
    anyone; an operator's bearer token also gets what is missing (read here, not declared as a security
    requirement, since the answer needs none)."""
    details = await _shows_details(request, await _operator_token(request))
    checks: dict[str, dict[str, Any]] = {}
    for name, check in (("database", _check_database), ("temporal", _check_temporal)):
        try:
            checks[name] = await asyncio.wait_for(check(request), timeout=5)
        except Exception as exc:
            checks[name] = {"ok": False, "detail": f"{type(exc).__name__}: {exc}"}
    ready = all(c["ok"] for c in checks.values())
    body: dict[str, Any] = {"status": "ready" if ready else "not ready"}
    if details:
        body["checks"] = checks
    return JSONResponse(body, status_code=200 if ready else 503)
