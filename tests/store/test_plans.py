"""Issue 17: every register connection plans each statement for its own values. The lists' catch-all
filters (``$1 IS NULL OR status = $1``) and parameterised page sizes otherwise let PostgreSQL settle on a
generic plan that reads the whole register (the certificate list at 10,000: 23 ms instead of 0.4 ms)."""

from __future__ import annotations

from store.db import connect


async def test_pooled_and_own_connections_plan_for_their_values(pool, db_dsn):
    assert await pool.fetchval("SHOW plan_cache_mode") == "force_custom_plan"
    conn = await connect(db_dsn)
    try:
        assert await conn.fetchval("SHOW plan_cache_mode") == "force_custom_plan"
    finally:
        await conn.close()
