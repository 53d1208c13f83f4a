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

from activities.templates import MailTemplates
from schemas.outbox import StaffMail
from schemas.staff import Role
from schemas.task_titles import task_title
from schemas.tasking import Actor, TaskView
from store import events, outbox, staff, tasks
from store.db import Db


class TaskClosing(BaseModel):
    task_id: str
    workflow_id: str
    subject: str
    kind: str
    rule_id: str | None
    actor: Actor | None  # None: the process withdrew the task
    at: datetime
    element_id: str
    payload: dict[str, Any]


class TaskProjection(BaseModel):
    view: TaskView
    workflow_id: str
    subject: str
    element_id: str
    payload_schema: dict[str, Any]
    context: dict[str, Any] = {}
    # Queue a "task assigned" mail to the assignee (processes that began before it was sent pass False,
    # so that nothing is queued that they would never deliver).
    notify_assignee: bool = False
    # The tasks this process completed just before opening this one, closed in the same transaction (one
    # local step and one commit instead of two, workflows/closings.py); none when closed on their own.
    closings: list[TaskClosing] = []


class TaskNotice(BaseModel):
    task_id: str
    notice: Literal["reminder", "escalation"]
    workflow_id: str
    subject: str
    at: datetime
    view: TaskView


class StaffNotice(BaseModel):
    """A notice to everyone with ``role`` (e.g. the programme managers before a surveillance is due)."""

    key: str
    role: Role
    template: str
    params: dict[str, Any] = {}
    at: datetime
    workflow_id: str
    subject: str
    rule_id: str | None = None


class NoticesQueued(BaseModel):
    keys: list[str]  # outbox keys, for delivery
    to: list[str]


class InboxActivities:
    def __init__(self, pool: asyncpg.Pool, templates: MailTemplates | None = None,
                 staff_mail: StaffMail = StaffMail.PER_TASK) -> None:
        self.pool = pool
        self.templates = templates or MailTemplates()
        # Decided here, from the worker's settings, not by the workflow: with the daily digest no "task
        # assigned" mail is queued and the workflow, delivering the keys returned, delivers nothing; its
        # commands are the same either way, so running processes replay unchanged.
        self.staff_mail = staff_mail

    @activity.defn(name="project_task")
    async def project_task(self, task: TaskProjection) -> NoticesQueued:
        """The task in the inbox, its event, and (when asked, and the staff get one mail per task) the
        assignee's "task assigned" mail, all in one transaction, after the closing of the tasks completed
        just before (``closings``); returns the mail's outbox key for delivery."""
        v = task.view
        keys: list[str] = []
        sent: list[str] = []
        async with self.pool.acquire() as conn, conn.transaction():
            for closing in task.closings:
                await _close(conn, closing)
            mailed = v.assignee_id if self._mails_assignee(task) else None
            person = await staff.get_staff(conn, mailed) if mailed is not None else None
            if person is not None and person.email:
                key = f"{v.task_id}/assigned/{person.id}"
                params = {"name": person.name, "title": task_title(v.kind, v.title, task.context, "zh"),
                          "task_id": v.task_id, "role": v.role.value,
                          "rule_id": v.rule_id, "due_on": v.due_on, "due_provisional": v.due_provisional}
                subject, body = self.templates.render("task_assigned", params)
                await outbox.enqueue(conn, key, person.email, subject, body, template="task_assigned")
                keys.append(key)
                sent.append(person.email)
            await tasks.upsert_open_task(
                conn, v.task_id, task.workflow_id, v.kind, v.role.value, v.opened_at, assignee_id=v.assignee_id,
                due_on=v.due_on, due_provisional=v.due_provisional, rule_id=v.rule_id, subject=task.subject,
                title=v.title, payload_schema=task.payload_schema, context=task.context,
                available_from=v.available_from,
            )
            await events.append_event(
                conn, f"{v.task_id}/opened", v.opened_at, "system", "task.opened", rule_id=v.rule_id,
                workflow_id=task.workflow_id, subject=task.subject, element_id=task.element_id,
                data={"task_id": v.task_id, "title": v.title, "role": v.role.value,
                      "assignee_id": str(v.assignee_id) if v.assignee_id else None,
                      "due_on": v.due_on.isoformat() if v.due_on else None, "due_provisional": v.due_provisional,
                      "notified": sent},
            )
        return NoticesQueued(keys=keys, to=sent)

    def _mails_assignee(self, task: TaskProjection) -> bool:
        return task.notify_assignee and task.view.assignee_id is not None and self.staff_mail is StaffMail.PER_TASK

    @activity.defn(name="close_task")
    async def close_task(self, closing: TaskClosing) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await _close(conn, closing)

    @activity.defn(name="cancel_task")
    async def cancel_task(self, closing: TaskClosing) -> None:
        """The process withdrew the task: what it asked about is gone (e.g. the suspension was lifted)."""
        async with self.pool.acquire() as conn, conn.transaction():
            await tasks.cancel_task(conn, closing.task_id)
            await events.append_event(
                conn, f"{closing.task_id}/cancelled", closing.at, "system", f"{closing.kind}.cancelled",
                rule_id=closing.rule_id, workflow_id=closing.workflow_id, subject=closing.subject,
                element_id=closing.element_id, data={"task_id": closing.task_id})

    @activity.defn(name="notify_task")
    async def notify_task(self, notice: TaskNotice) -> NoticesQueued:
        """Remind the assignee (or the role) before the due date; escalate to the manager after it.
        Returns what was written to the outbox: the keys to deliver and the addresses."""
        v = notice.view
        if notice.notice == "reminder":
            people = [await staff.get_staff(self.pool, v.assignee_id)] if v.assignee_id else \
                await staff.staff_with_role(self.pool, v.role)
        else:
            people = await self._managers_of(v)
        params = {"title": task_title(v.kind, v.title, {}, "zh"), "task_id": v.task_id, "role": v.role.value,
                  "rule_id": v.rule_id,
                  "due_on": v.due_on, "due_provisional": v.due_provisional}
        sent: list[str] = []
        keys: list[str] = []
        async with self.pool.acquire() as conn, conn.transaction():
            for person in people:
                if person is None or not person.email:
                    continue
                key = f"{v.task_id}/{notice.notice}/{notice.at.date()}/{person.id}"
                subject, body = self.templates.render(f"task_{notice.notice}", {**params, "name": person.name})
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

    @activity.defn(name="notify_staff")
    async def notify_staff(self, notice: StaffNotice) -> NoticesQueued:
        people = await staff.staff_with_role(self.pool, notice.role)
        keys, sent = [], []
        async with self.pool.acquire() as conn, conn.transaction():
            for person in people:
                if not person.email:
                    continue
                key = f"{notice.key}/{person.id}"
                subject, body = self.templates.render(notice.template, {**notice.params, "name": person.name})
                await outbox.enqueue(conn, key, person.email, subject, body, template=notice.template)
                keys.append(key)
                sent.append(person.email)
            await events.append_event(
                conn, notice.key, notice.at, "system", f"notice.{notice.template}", rule_id=notice.rule_id,
                workflow_id=notice.workflow_id, subject=notice.subject, element_id=notice.template,
                data={"to": sent, "role": notice.role.value},
            )
        return NoticesQueued(keys=keys, to=sent)

    async def _managers_of(self, view: TaskView) -> list:
        """The assignee's own manager if the register names one, else everyone with the manager role."""
        if view.assignee_id:
            person = await staff.get_staff(self.pool, view.assignee_id)
            if person and person.manager_id:
                return [await staff.get_staff(self.pool, person.manager_id)]
        return await staff.staff_with_role(self.pool, Role.MANAGER)


async def _close(conn: Db, closing: TaskClosing) -> None:
    """The completed task marked so in the inbox, and its event (both idempotent: a retry writes nothing)."""
    actor = closing.actor
    assert actor is not None  # a completion names who completed it; only a withdrawal names no one
    await tasks.complete_task(conn, closing.task_id, actor.staff_id, closing.at)
    await events.append_event(
        conn, f"{closing.task_id}/completed", closing.at, str(actor.staff_id),
        f"{closing.kind}.completed", rule_id=closing.rule_id, workflow_id=closing.workflow_id,
        subject=closing.subject, element_id=closing.element_id,
        data={"task_id": closing.task_id, "by": actor.name, "payload": closing.payload},
    )
