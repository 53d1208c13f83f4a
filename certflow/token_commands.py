"""``certflow staff revoke|rotate|deactivate STAFF_ID`` and the token columns of ``certflow staff list``:
the server-side twin of the admin endpoints (api/staff_tokens.py), for whoever runs the register, and
the way back in when no administrator's token works any more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from certflow.register_commands import TOKEN_ACTIONS
from schemas.tokens import TokenState
from store import tokens

__all__ = ["TOKEN_ACTIONS", "describe", "run_token_action", "token_lines"]


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


def describe(state: TokenState) -> str:
    """One token's state in a line: its status, until when it lets its holder in, and its last use."""
    return f"token {state.status.value}, expires {_when(state.expires_at)}, last used {_when(state.last_used_at)}"


async def run_token_action(conn, action: str, staff_id: UUID, lifetime_days: int) -> None:
    at = datetime.now(UTC)
    if action == "rotate":
        issued = await tokens.rotate(conn, staff_id, at, timedelta(days=lifetime_days))
        print(f"staff id: {issued.staff_id}\ntoken:    {issued.token}\nexpires:  {_when(issued.expires_at)}")
        print("Keep the token: it is shown only now (the register keeps only its hash). The old one no longer works.")
        return
    state = await (tokens.revoke if action == "revoke" else tokens.deactivate)(conn, staff_id, at)
    print(f"{state.staff_id}  {state.name}: {'' if state.active else 'inactive, '}{describe(state)}")


async def token_lines(conn) -> dict[UUID, str]:
    """Each staff member's token described, by staff id, for ``certflow staff list``."""
    return {state.staff_id: describe(state) for state in await tokens.token_states(conn, datetime.now(UTC))}
