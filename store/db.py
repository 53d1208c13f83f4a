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


async def _init_connection(conn: asyncpg.Connection) -> None:
    for typename in ("json", "jsonb"):
        await conn.set_type_codec(
            typename, encoder=lambda v: json.dumps(v, ensure_ascii=False, default=str), decoder=json.loads,
            schema="pg_catalog",
        )


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size, init=_init_connection)
    assert pool is not None
    return pool


async def connect(dsn: str) -> asyncpg.Connection:
    conn = await asyncpg.connect(dsn)
    await _init_connection(conn)
    return conn
