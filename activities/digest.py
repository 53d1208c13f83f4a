"""The staff digest (issue 13, ``CERTFLOW_STAFF_MAIL=daily_digest``): each working morning one mail per
person listing the open tasks put on them, instead of one "task assigned" mail per task as it opens
(a team leader got 43 of those in one journey).

The list is read from the register's inbox (the ``tasks`` table) for the day the digest process gives,
never the wall clock. Each mail is queued under ``staff-digest/{day}/{person}``, so a retried or repeated
run for the same day queues nothing new and the delivery (activities/notify.py) sends nothing twice.
The holiday table is read again here, as the body keeps it now: a day since declared off sends nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
from pydantic import BaseModel, Field
from temporalio import activity

from activities.calendar import current_table
from activities.templates import MailTemplates
from schemas.outbox import StaffMail
from schemas.staff import Staff
from schemas.tasks import TaskRecord, TaskStatus
from schemas.text import Email, Line
from store import events, outbox, staff, tasks
from store.db import Connection


class StaffMailSettings(BaseModel):
    """The worker's part of the settings on mail to staff (certflow/settings.py ``staff_*``)."""

    mode: StaffMail = StaffMail.PER_TASK
    digest_hour: int = Field(8, ge=0, le=23)
    role_tasks: bool = True  # list the open tasks of the person's roles that nobody is assigned to


class DigestRequest(BaseModel):
    day: date  # the working day the digest is for (the process's today)
    at: datetime
    workflow_id: Line


class DigestQueued(BaseModel):
    keys: list[Line]  # outbox keys, for delivery
    to: list[Email]
    # False when the worker's Decision is per_task: the digest process has nothing to do and may end.
    enabled: bool = True


def digest_key(day: date, person_id: UUID) -> str:
    return f"staff-digest/{day.isoformat()}/{person_id}"


def digest_line(task: TaskRecord, day: date) -> dict[str, Any]:
    """What the mail says of one task on ``day``: the day it can be started only while that is still to come."""
    later = task.available_from if task.available_from is not None and task.available_from > day else None
    return {"title": task.title or task.kind, "task_id": task.id, "role": task.role, "due_on": task.due_on,
            "due_provisional": task.due_provisional, "overdue": task.overdue_on(day), "available_from": later}


def tasks_of(person: Staff, open_tasks: list[TaskRecord], role_tasks: bool) -> tuple[list[TaskRecord],
                                                                                      list[TaskRecord]]:
    """(the tasks assigned to ``person``, those of their roles assigned to nobody when ``role_tasks``)."""
    roles = {r.value for r in person.roles}
    mine = [t for t in open_tasks if t.assignee_id == person.id]
    shared = [t for t in open_tasks if role_tasks and t.assignee_id is None and t.role in roles]
    return mine, shared


class DigestActivities:
    def __init__(self, pool: asyncpg.Pool, templates: MailTemplates | None = None,
                 settings: StaffMailSettings | None = None) -> None:
        self.pool = pool
        self.templates = templates or MailTemplates()
        self.settings = settings or StaffMailSettings()

    @activity.defn(name="queue_staff_digest")
    async def queue_staff_digest(self, request: DigestRequest) -> DigestQueued:
        """Queue one digest for each active person with an address and open tasks, with the day's event,
        in one transaction; returns the outbox keys for delivery."""
        if self.settings.mode is not StaffMail.DAILY_DIGEST:
            return DigestQueued(keys=[], to=[], enabled=False)
        if not (await current_table(self.pool)).is_working_day(request.day):
            return DigestQueued(keys=[], to=[])
        keys: list[str] = []
        sent: list[str] = []
        async with self.pool.acquire() as conn, conn.transaction():
            open_tasks = await tasks.list_tasks(conn, status=TaskStatus.OPEN)
            for person in await staff.list_staff(conn):
                mine, shared = tasks_of(person, open_tasks, self.settings.role_tasks)
                if not person.active or not person.email or not (mine or shared):
                    continue
                key = digest_key(request.day, person.id)
                await self._enqueue(conn, key, person, person.email, request.day, mine, shared)
                keys.append(key)
                sent.append(person.email)
            await events.append_event(
                conn, f"staff-digest/{request.day.isoformat()}", request.at, "system", "notice.staff_digest",
                workflow_id=request.workflow_id, subject="staff digest", element_id="staff_digest",
                data={"day": request.day.isoformat(), "to": sent},
            )
        return DigestQueued(keys=keys, to=sent)

    async def _enqueue(self, conn: Connection, key: str, person: Staff, to: str, day: date,
                       mine: list[TaskRecord], shared: list[TaskRecord]) -> None:
        assigned = [digest_line(t, day) for t in mine]
        for_role = [digest_line(t, day) for t in shared]
        params = {"name": person.name, "day": day, "assigned": assigned, "shared": for_role,
                  "overdue": sum(1 for line in assigned + for_role if line["overdue"])}
        subject, body = self.templates.render("staff_digest", params)
        await outbox.enqueue(conn, key, to, subject, body, template="staff_digest")
