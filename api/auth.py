"""Who is calling: a bearer token per staff member (only its hash is in the register). What they may
do is api/permissions.py's."""

from __future__ import annotations

import asyncpg
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from temporalio.client import Client

from api.problems import Problem
from schemas.tasking import Actor
from store.staff import staff_by_token

_bearer = HTTPBearer(auto_error=False, description="the token `certflow staff add` printed")


def db(request: Request) -> asyncpg.Pool:
    return request.app.state.pool


def temporal(request: Request) -> Client:
    return request.app.state.temporal


async def current_actor(
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer), pool: asyncpg.Pool = Depends(db)
) -> Actor:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Problem(401, "Sign in with your staff token: 'Authorization: Bearer <token>'.",
                      headers={"WWW-Authenticate": "Bearer"})
    person = await staff_by_token(pool, credentials.credentials)
    if person is None:
        raise Problem(401, "This token is not valid (unknown, replaced, or its holder is no longer active).",
                      headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    return Actor(staff_id=person.id, name=person.name, roles=list(person.roles))
