"""The asyncpg pool: one per process, JSON and JSONB decoded to Python objects."""

from __future__ import annotations

import json
from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

# A connection of one's own (``connect``) or one the pool lends (a proxy that takes every query a connection takes).
Connection: TypeAlias = asyncpg.Connection | PoolConnectionProxy
# What the store functions take: a connection, to put several writes in one transaction, or the pool.
Db: TypeAlias = Connection | asyncpg.Pool


# Issue 17: the lists filter with catch-all conditions (``$1 IS NULL OR status = $1``) and take their page
# size as a parameter. After five runs of a statement PostgreSQL may settle on one generic plan for all
# its parameters; for such a query it cannot see which filters are off nor how small the page is, and
# plans for the worst (the certificate list by number: every certificate joined and sorted, 23 ms at
# 10,000 where the plan for the actual values takes 0.4 ms). Planning each run costs a fraction of a
# millisecond and keeps every list on the plan its values call for.
SERVER_SETTINGS = {"plan_cache_mode": "force_custom_plan"}


async def _init_connection(conn: asyncpg.Connection) -> None:
    for typename in ("json", "jsonb"):
        await conn.set_type_codec(
            typename, encoder=lambda v: json.dumps(v, ensure_ascii=False, default=str), decoder=json.loads,
            schema="pg_catalog",
        )


async def _no_session_reset(conn: asyncpg.Connection) -> None:
    """What a connection needs when it goes back to the pool, beyond asyncpg's own rollback of an
    unfinished transaction: nothing. asyncpg's default sends ``pg_advisory_unlock_all(); CLOSE ALL;
    UNLISTEN *; RESET ALL`` on every release (issue 17 counted 92 of a certification's 387 statements);
    the store takes no session advisory lock, opens no cursor outside a transaction, listens to nothing
    and sets no session variable (the migrations' lock is on a connection of their own, ``connect``)."""


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size, init=_init_connection,
                                     reset=_no_session_reset, server_settings=SERVER_SETTINGS)
    assert pool is not None
    return pool


async def connect(dsn: str) -> asyncpg.Connection:
    conn = await asyncpg.connect(dsn, server_settings=SERVER_SETTINGS)
    await _init_connection(conn)
    return conn
