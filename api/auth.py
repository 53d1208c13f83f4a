"""Who is calling: a bearer token per staff member (only its hash is in the register). What they may
do is api/permissions.py's.

A token lets its holder in while it is neither expired, revoked nor replaced and its holder is active
(store/tokens.py). Each refusal says which it is and how to get a new token, because the holder can do
nothing about it alone. The last successful use is written at most once per
``token_last_use_resolution_seconds``, so that a busy client does not make every read a write.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from temporalio.client import Client

from api.problems import Problem
from schemas.tasking import Actor
from schemas.tokens import TokenState, TokenStatus
from store.tokens import holder_of, record_use

_bearer = HTTPBearer(auto_error=False, description="the token `certflow staff add` printed")


def db(request: Request) -> asyncpg.Pool:
    return request.app.state.pool


def temporal(request: Request) -> Client:
    return request.app.state.temporal


def now() -> datetime:
    """The time tokens are judged at. A dependency, so a test can move it on
    (``app.dependency_overrides``) to see a token expire without waiting for it."""
    return datetime.now(UTC)


def _unauthorized(detail: str, *, title: str = "Unauthorized", description: str = "", **extra) -> Problem:
    challenge = 'Bearer error="invalid_token"' + (f', error_description="{description}"' if description else "")
    return Problem(401, detail, title=title, headers={"WWW-Authenticate": challenge}, **extra)


def _refusal(state: TokenState, admin_roles: tuple) -> Problem:
    """Why a known token no longer lets its holder in, and who gives them a new one."""
    who = " or ".join(sorted(str(r) for r in admin_roles))
    renew = (f"Ask a {who} for a new token: `certflow staff rotate {state.staff_id}` or "
             f"POST /api/v1/staff/{state.staff_id}/rotate.")
    if state.status is TokenStatus.INACTIVE:
        return _unauthorized(f"The holder of this token is no longer active; a {who} can say why.",
                             title="Staff member not active", description="holder deactivated",
                             token_status=state.status.value)
    if state.status is TokenStatus.REVOKED:
        assert state.revoked_at is not None  # a revoked token records when
        return _unauthorized(f"This token was revoked at {state.revoked_at.isoformat()}. {renew}",
                             title="Token revoked", description="token revoked",
                             token_status=state.status.value, staff_id=str(state.staff_id))
    assert state.expires_at is not None  # neither inactive nor revoked: expired, which a token records when
    return _unauthorized(f"This token expired at {state.expires_at.isoformat()}. {renew}",
                         title="Token expired", description="token expired",
                         token_status=state.status.value, staff_id=str(state.staff_id),
                         expired_at=state.expires_at.isoformat())


async def current_actor(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
    pool: asyncpg.Pool = Depends(db),
    at: datetime = Depends(now),
) -> Actor:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Problem(401, "Sign in with your staff token: 'Authorization: Bearer <token>'.",
                      headers={"WWW-Authenticate": "Bearer"})
    found = await holder_of(pool, credentials.credentials, at)
    if found is None:
        raise _unauthorized("This token is not valid (unknown, or replaced by a newer one).")
    person, state = found
    settings = request.app.state.settings
    if state.status is not TokenStatus.VALID:
        raise _refusal(state, settings.staff_admin_roles)
    resolution = timedelta(seconds=settings.token_last_use_resolution_seconds)
    if state.last_used_at is None or at - state.last_used_at >= resolution:
        await record_use(pool, person.id, at)
    return Actor(staff_id=person.id, name=person.name, roles=list(person.roles))
