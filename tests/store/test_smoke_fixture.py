async def test_fresh_database_is_migrated(pool):
    assert await pool.fetchval("SELECT max(version) FROM schema_migrations") >= 1
