"""Activities of the system itself: the smoke check reads the register through the worker's pool."""

from __future__ import annotations

import asyncpg
from temporalio import activity

from schemas.system import RegisterStatus
from store.migrate import applied_versions


class SystemActivities:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @activity.defn(name="register_status")
    async def register_status(self) -> RegisterStatus:
        async with self.pool.acquire() as conn:
            return RegisterStatus(
                migrations=await applied_versions(conn),
                organizations=await conn.fetchval("SELECT count(*) FROM organizations"),
            )
