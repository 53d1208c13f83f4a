"""The pool sends nothing when a connection goes back (issue 17: asyncpg's default reset was a quarter of
a certification's statements), yet an unfinished transaction is still rolled back before reuse."""

from __future__ import annotations

from store.db import create_pool


async def test_release_keeps_the_session_but_rolls_back_an_open_transaction(db_dsn):
    pool = await create_pool(db_dsn, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            await conn.execute("SET application_name = 'certflow-pool-test'")
            await conn.execute("CREATE TEMPORARY TABLE scratch (n int)")
            transaction = conn.transaction()
            await transaction.start()
            await conn.execute("INSERT INTO scratch VALUES (1)")
            # released with the transaction neither committed nor rolled back
        async with pool.acquire() as conn:
            # no RESET ALL was sent: the session's setting is still there ...
            assert await conn.fetchval("SHOW application_name") == "certflow-pool-test"
            # ... but the unfinished insert was rolled back, and the connection works
            assert await conn.fetchval("SELECT count(*) FROM scratch") == 0
            assert not conn.is_in_transaction()
    finally:
        await pool.close()
