"""Migration 0008 (issue 13): the tokens handed out before it, which never expired, get an expiry of one
default lifetime from the migration, so no one is locked out on the day of the upgrade; and from then
on the register refuses a token without one."""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from schemas.tokens import DEFAULT_TOKEN_LIFETIME_DAYS, TokenStatus
from store.db import connect
from store.migrate import MIGRATIONS_DIR, migrate
from store.staff import hash_token
from store.tokens import holder_of, token_states


async def test_tokens_issued_before_0008_expire_one_lifetime_after_the_migration(pg_server, tmp_path):
    name = f"m_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(pg_server.admin_dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    conn = await connect(f"postgresql://postgres@{pg_server.host}:{pg_server.port}/{name}")
    try:
        for path in sorted(MIGRATIONS_DIR.glob("000[1-7]_*.sql")):
            shutil.copy(path, tmp_path / path.name)
        assert await migrate(conn, tmp_path) == [1, 2, 3, 4, 5, 6, 7]
        old, tokenless = uuid.uuid4(), uuid.uuid4()
        await conn.execute("INSERT INTO staff (id, name, token_hash) VALUES ($1, '老员工', $2)",
                           old, hash_token("old"))
        await conn.execute("INSERT INTO staff (id, name) VALUES ($1, '无令牌')", tokenless)
        before = datetime.now(UTC)
        assert 8 in await migrate(conn)
        lifetime = timedelta(days=DEFAULT_TOKEN_LIFETIME_DAYS)

        person, state = await holder_of(conn, "old", before + lifetime - timedelta(minutes=1))
        assert person.id == old and state.status is TokenStatus.VALID
        assert before + lifetime <= state.expires_at <= datetime.now(UTC) + lifetime
        _, state = await holder_of(conn, "old", before + lifetime + timedelta(minutes=1))
        assert state.status is TokenStatus.EXPIRED
        assert {s.staff_id: s.status for s in await token_states(conn, before)}[tokenless] is TokenStatus.NONE
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute("INSERT INTO staff (id, name, token_hash) VALUES ($1, '无期限', 'h')", uuid.uuid4())
    finally:
        await conn.close()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
