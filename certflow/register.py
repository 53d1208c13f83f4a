"""The register (PostgreSQL) for the commands that read or change it: the one the running stack uses,
never a second one. Where it does not answer, the command stops with what it tried and how to start
the stack, so that nobody adds staff to an empty register whose tokens the API would refuse."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from certflow.settings import Settings

if TYPE_CHECKING:
    import asyncpg

NOT_RUNNING = 3  # the exit code when the register does not answer (1: the command failed, 2: usage)
CONNECT_TIMEOUT = 5.0


class RegisterUnreachable(RuntimeError):
    """The register did not answer; the message says what was tried and how to start it."""


class RegisterEmpty(RuntimeError):
    """The register answers but has no tables (never migrated)."""


def register_dsn(settings: Settings) -> str:
    """The external register, or the embedded one `certflow up` runs on ``host:postgres_port``."""
    return settings.database_url or (
        f"postgresql://postgres@{settings.host}:{settings.postgres_port}/{settings.database_name}")


def shown(dsn: str) -> str:
    """The DSN without its password, for messages."""
    parts = urlsplit(dsn)
    if parts.password is None:
        return dsn
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def unreachable_message(settings: Settings, why: str) -> str:
    dsn = shown(register_dsn(settings))
    if settings.database_url:
        where = f"the register at {dsn} (CERTFLOW_DATABASE_URL) did not answer: {why}."
        start = "Start that PostgreSQL server, or correct CERTFLOW_DATABASE_URL."
    else:
        where = (f"the register did not answer at {dsn}, where `certflow up` runs it (CERTFLOW_DATABASE_URL "
                 f"is unset; CERTFLOW_POSTGRES_PORT={settings.postgres_port}): {why}.")
        start = ("Start the stack first with `make run` or `certflow up` (with the same CERTFLOW_* settings), "
                 "or point CERTFLOW_DATABASE_URL at the register's PostgreSQL.")
    return f"{where}\n{start} No register is started for this command."


async def _open(settings: Settings) -> asyncpg.Connection:
    from store.db import connect

    try:
        return await asyncio.wait_for(connect(register_dsn(settings)), timeout=CONNECT_TIMEOUT)
    except TimeoutError:
        raise RegisterUnreachable(unreachable_message(settings, f"no answer within {CONNECT_TIMEOUT:.0f} s")) from None
    except OSError as exc:  # refused, no route, unknown host
        raise RegisterUnreachable(unreachable_message(settings, exc.strerror or str(exc))) from None
    except Exception as exc:  # the server answered but refused us (no such database, authentication)
        if type(exc).__module__.startswith("asyncpg"):
            raise RegisterUnreachable(unreachable_message(settings, str(exc))) from None
        raise


async def run_on_register(settings: Settings, work: Callable[[asyncpg.Connection], Awaitable[None]]) -> None:
    from asyncpg import UndefinedTableError

    conn = await _open(settings)
    try:
        await work(conn)
    except UndefinedTableError:
        raise RegisterEmpty("the register has no tables yet: run 'certflow migrate' (or `certflow up`) "
                            "first") from None
    finally:
        await conn.close()


def with_register(settings: Settings, command: str, work: Callable[[asyncpg.Connection], Awaitable[None]]) -> int:
    """Run ``work(connection)`` on the running stack's register; 0, or the exit code of a plain message."""
    try:
        asyncio.run(run_on_register(settings, work))
    except RegisterUnreachable as exc:
        print(f"certflow {command}: {exc}", file=sys.stderr)
        return NOT_RUNNING
    except RegisterEmpty as exc:
        print(f"certflow {command}: {exc}", file=sys.stderr)
        return 1
    return 0
