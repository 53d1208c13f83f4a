"""Staff tokens for their administrators (issue 13): see a token's state and last use, revoke it,
rotate it (the new token is in this answer only), deactivate someone who left.

Who may is the body's Decision ``staff_admin_roles`` (api/permissions.py). The same is done on the
server by ``certflow staff revoke|rotate|deactivate STAFF_ID``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends, Request

from api.auth import db, now
from api.permissions import Action, permitted
from schemas.tasking import Actor
from schemas.tokens import IssuedToken, TokenState
from store import tokens

router = APIRouter(prefix="/api/v1/staff", tags=["staff tokens"])


@router.get("/{staff_id}/token", response_model=TokenState,
            summary="a staff member's token: issued, expires, revoked, last used (never the token itself)")
async def token(staff_id: UUID, actor: Actor = Depends(permitted(Action.READ_STAFF_TOKEN)),
                pool: asyncpg.Pool = Depends(db), at: datetime = Depends(now)) -> TokenState:
    """The state of a staff member's token as an administrator sees it: when it was issued, when it
    expires, whether it was revoked, when it was last used; the token itself is never shown."""
    return await tokens.token_state(pool, staff_id, at)


@router.post("/{staff_id}/revoke", response_model=TokenState,
             summary="stop the staff member's token from working at once (leaked, lost); rotate gives a new one")
async def revoke(staff_id: UUID, actor: Actor = Depends(permitted(Action.REVOKE_STAFF_TOKEN)),
                 pool: asyncpg.Pool = Depends(db), at: datetime = Depends(now)) -> TokenState:
    """Stop the token at once (leaked or lost); revoking again keeps the first time. A rotation gives
    its holder a new one."""
    return await tokens.revoke(pool, staff_id, at)


@router.post("/{staff_id}/rotate", response_model=IssuedToken,
             summary="a new token for the staff member, shown only in this answer; the old one stops working")
async def rotate(staff_id: UUID, request: Request, actor: Actor = Depends(permitted(Action.ROTATE_STAFF_TOKEN)),
                 pool: asyncpg.Pool = Depends(db), at: datetime = Depends(now)) -> IssuedToken:
    """A new token, shown only in this answer (the register keeps its hash); the old token stops working.
    A deactivated person gets none (409)."""
    lifetime = timedelta(days=request.app.state.settings.token_lifetime_days)
    return await tokens.rotate(pool, staff_id, at, lifetime)


@router.post("/{staff_id}/deactivate", response_model=TokenState,
             summary="someone who left: no token of theirs works, and no task is given to them")
async def deactivate(staff_id: UUID, actor: Actor = Depends(permitted(Action.DEACTIVATE_STAFF)),
                     pool: asyncpg.Pool = Depends(db), at: datetime = Depends(now)) -> TokenState:
    """Someone who left: no token of theirs works any more, and no task is given to them."""
    return await tokens.deactivate(pool, staff_id, at)
