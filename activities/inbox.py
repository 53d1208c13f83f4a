"""The task inbox: open, remind, escalate and close human tasks in the register.

Each write is keyed by the task id (and the notice), so a retried activity writes nothing twice.
Reminders and escalations go to the notification outbox; the workflow then delivers them by their keys
(``deliver_mail``, activities/notify.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import asyncpg
from pydantic import BaseModel
from temporalio import activity

from schemas.staff import Role
from schemas.tasking import Actor, TaskView
from store import events, outbox, staff, tasks


class TaskProjection(BaseModel):
    view: TaskView
    workflow_id: str
    subject: str
    element_id: str
    payload_schema: dict[str, Any]
    context: dict[str, Any] = {}


class TaskClosing(BaseModel):
    task_id: str
    workflow_id: str
    subject: str
    kind: str
    rule_id: str | None
    actor: Actor
    at: datetime
    element_id: str
    payload: dict[str, Any]


class TaskNotice(BaseModel):
    task_id: str
    notice: Literal["reminder", "escalation"]
    workflow_id: str
    subject: str
    at: datetime
    view: TaskView


class NoticesQueued(BaseModel):
    keys: list[str]  # outbox keys, for delivery
    to: list[str]


class InboxActivities:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @activity.defn(name="project_task")
    async def project_task(self, task: TaskProjection) -> None:
        v = task.view
        async with self.pool.acquire() as conn, conn.transaction():
            await tasks.upsert_open_task(
                conn, v.task_id, task.workflow_id, v.kind, v.role.value, v.opened_at, assignee_id=v.assignee_id,
                due_on=v.due_on, due_provisional=v.due_provisional, rule_id=v.rule_id, subject=task.subject,
                title=v.title, payload_schema=task.payload_schema, context=task.context,
            )
            await events.append_event(
                conn, f"{v.task_id}/opened", v.opened_at, "system", "task.opened", rule_id=v.rule_id,
                workflow_id=task.workflow_id, subject=task.subject, element_id=task.element_id,
                data={"task_id": v.task_id, "title": v.title, "role": v.role.value,
                      "assignee_id": str(v.assignee_id) if v.assignee_id else None,
                      "due_on": v.due_on.isoformat() if v.due_on else None, "due_provisional": v.due_provisional},
            )

    @activity.defn(name="close_task")
    async def close_task(self, closing: TaskClosing) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await tasks.complete_task(conn, closing.task_id, closing.actor.staff_id, closing.at)
            await events.append_event(
                conn, f"{closing.task_id}/completed", closing.at, str(closing.actor.staff_id),
                f"{closing.kind}.completed", rule_id=closing.rule_id, workflow_id=closing.workflow_id,
                subject=closing.subject, element_id=closing.element_id,
                data={"task_id": closing.task_id, "by": closing.actor.name, "payload": closing.payload},
            )

    @activity.defn(name="notify_task")
    async def notify_task(self, notice: TaskNotice) -> NoticesQueued:
        """Remind the assignee (or the role) before the due date; escalate to the manager after it.
        Returns what was written to the outbox: the keys to deliver and the addresses."""
        v = notice.view
        if notice.notice == "reminder":
            people = [await staff.get_staff(self.pool, v.assignee_id)] if v.assignee_id else \
                await staff.staff_with_role(self.pool, v.role)
            subject = f"提醒：任务「{v.title}」将于 {v.due_on} 到期"
        else:
            people = await self._managers_of(v)
            subject = f"升级：任务「{v.title}」已于 {v.due_on} 逾期"
        body = (f"{subject}\n\n任务编号：{v.task_id}\n角色：{v.role.value}\n依据：{v.rule_id or '—'}\n"
                f"到期日：{v.due_on}{'（暂定，节假日表未覆盖该年份）' if v.due_provisional else ''}\n")
        sent: list[str] = []
        keys: list[str] = []
        async with self.pool.acquire() as conn, conn.transaction():
            for person in people:
                if person is None or not person.email:
                    continue
                key = f"{v.task_id}/{notice.notice}/{notice.at.date()}/{person.id}"
                await outbox.enqueue(conn, key, person.email, subject, body, template=f"task_{notice.notice}")
                keys.append(key)
                sent.append(person.email)
            if notice.notice == "reminder":
                await tasks.note_reminder(conn, v.task_id, notice.at)
            else:
                await tasks.note_escalation(conn, v.task_id, notice.at)
            await events.append_event(
                conn, f"{v.task_id}/{notice.notice}/{notice.at.isoformat()}", notice.at, "system",
                f"task.{notice.notice}", rule_id=v.rule_id, workflow_id=notice.workflow_id, subject=notice.subject,
                element_id=v.kind, data={"task_id": v.task_id, "to": sent},
            )
        return NoticesQueued(keys=keys, to=sent)

    async def _managers_of(self, view: TaskView) -> list:
        """The assignee's own manager if the register names one, else everyone with the manager role."""
        if view.assignee_id:
            person = await staff.get_staff(self.pool, view.assignee_id)
            if person and person.manager_id:
                return [await staff.get_staff(self.pool, person.manager_id)]
        return await staff.staff_with_role(self.pool, Role.MANAGER)
