"""``record_incident``: the register's copy of an incident, for the API's list and the process page.

The workflow starts it beside the process with retries that never give up: an incident whose cause is
the database itself is recorded once the database is back, and the process is not held up meanwhile
(it already waits for the operator, and shows the incident in its details and its query).
"""

from __future__ import annotations

import asyncpg
from temporalio import activity

from schemas.incidents import Incident
from store import incidents


class IncidentActivities:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @activity.defn(name="record_incident")
    async def record_incident(self, incident: Incident) -> int:
        """Write the incident at its version; returns the register's id of it."""
        return (await incidents.record(self.pool, incident)).id
