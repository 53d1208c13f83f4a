"""The task inbox: the register's projection of the human tasks the workflows have open.

The workflow holds the task (its Update validator decides who may complete it, R-7); these rows let
staff list their work, by assignee or role, and managers see what is overdue. Every write is keyed
by the task id (workflow id + step), so a retried projection activity writes nothing twice.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from schemas.errors import Conflict, InvalidInput, NotFound
from schemas.tasks import TaskRecord, TaskStatus
from store._sql import Db, references_must_exist, require_aware, to_model, to_models

_COLUMNS = """id, workflow_id, kind, role, assignee_id, status, rule_id, due_on, due_provisional, subject, title,
    payload_schema, context, opened_at, reminded_at, escalated_at, completed_at, completed_by, available_from"""


async def upsert_open_task(
    db: Db,
    task_id: str,
    workflow_id: str,
    kind: str,
    role: str,
    opened_at: datetime,
    *,
    assignee_id: UUID | None = None,
    due_on: date | None = None,
    due_provisional: bool = False,
    rule_id: str | None = None,
    subject: str | None = None,
    title: str = "",
    payload_schema: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
    available_from: date | None = None,
) -> TaskRecord:
    """Project an open task. Again with the same values: nothing is written. Again with new values
    (reassigned, new due date): the open task is updated. A task already completed or cancelled is
    never reopened by a late retry: it is returned as it is. Its id, workflow and kind never change
    (``Conflict``), nor does ``opened_at``.
    """
    require_aware(opened_at, "opened_at")
    for name, value in (("task_id", task_id), ("workflow_id", workflow_id), ("kind", kind), ("role", role)):
        if not value.strip():
            raise InvalidInput(f"a task needs {name}")
    with references_must_exist():
        row = await db.fetchrow(
            f"""INSERT INTO tasks AS t (id, workflow_id, kind, role, assignee_id, rule_id, due_on, due_provisional,
                    subject, title, payload_schema, context, opened_at, available_from)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                ON CONFLICT (id) DO UPDATE SET
                    role = EXCLUDED.role, assignee_id = EXCLUDED.assignee_id, rule_id = EXCLUDED.rule_id,
                    due_on = EXCLUDED.due_on, due_provisional = EXCLUDED.due_provisional,
                    subject = EXCLUDED.subject, title = EXCLUDED.title,
                    payload_schema = EXCLUDED.payload_schema, context = EXCLUDED.context,
                    available_from = EXCLUDED.available_from
                WHERE t.status = 'open' AND t.workflow_id = EXCLUDED.workflow_id AND t.kind = EXCLUDED.kind
                  AND (t.role, t.assignee_id, t.rule_id, t.due_on, t.due_provisional, t.subject, t.title,
                       t.payload_schema, t.context, t.available_from)
                      IS DISTINCT FROM
                      (EXCLUDED.role, EXCLUDED.assignee_id, EXCLUDED.rule_id, EXCLUDED.due_on,
                       EXCLUDED.due_provisional, EXCLUDED.subject, EXCLUDED.title, EXCLUDED.payload_schema,
                       EXCLUDED.context, EXCLUDED.available_from)
                RETURNING {_COLUMNS}""",
            task_id, workflow_id, kind, role, assignee_id, rule_id, due_on, due_provisional, subject, title,
            payload_schema or {}, context or {}, opened_at, available_from,
        )
    if row is not None:
        return TaskRecord.model_validate(dict(row))
    existing = await _require(db, task_id)
    if (existing.workflow_id, existing.kind) != (workflow_id, kind):
        raise Conflict(
            f"task {task_id} already belongs to {existing.workflow_id} ({existing.kind})", details={"task_id": task_id}
        )
    return existing


async def complete_task(db: Db, task_id: str, completed_by: UUID, completed_at: datetime) -> TaskRecord:
    """Mark the task completed by ``completed_by``. Completing it again as the same person writes
    nothing (a retry); a task cancelled, or completed by someone else, is a ``Conflict``."""
    require_aware(completed_at, "completed_at")
    with references_must_exist():
        row = await db.fetchrow(
            f"""UPDATE tasks SET status = 'completed', completed_by = $2, completed_at = $3
                WHERE id = $1 AND status = 'open'
                RETURNING {_COLUMNS}""",
            task_id, completed_by, completed_at,
        )
    if row is not None:
        return TaskRecord.model_validate(dict(row))
    existing = await _require(db, task_id)
    if existing.status is TaskStatus.COMPLETED and existing.completed_by == completed_by:
        return existing
    if existing.status is TaskStatus.COMPLETED:
        raise Conflict(
            f"task {task_id} was already completed by someone else",
            details={"task_id": task_id, "completed_by": str(existing.completed_by)},
        )
    raise Conflict(f"task {task_id} is {existing.status.value} and can no longer be completed",
                   details={"task_id": task_id, "status": existing.status.value})


async def cancel_task(db: Db, task_id: str) -> TaskRecord:
    """Withdraw an open task (its timer fired, its process moved on); idempotent. A completed task
    stays completed: cancelling it is a ``Conflict``, since someone's work would vanish from the list."""
    row = await db.fetchrow(
        f"UPDATE tasks SET status = 'cancelled' WHERE id = $1 AND status = 'open' RETURNING {_COLUMNS}", task_id
    )
    if row is not None:
        return TaskRecord.model_validate(dict(row))
    existing = await _require(db, task_id)
    if existing.status is TaskStatus.COMPLETED:
        raise Conflict(f"task {task_id} is already completed and cannot be cancelled", details={"task_id": task_id})
    return existing


async def note_reminder(db: Db, task_id: str, at: datetime) -> TaskRecord:
    """Record that a reminder went out (the first time stays: a retry changes nothing)."""
    require_aware(at, "at")
    await db.execute("UPDATE tasks SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL", task_id, at)
    return await _require(db, task_id)


async def note_escalation(db: Db, task_id: str, at: datetime) -> TaskRecord:
    """Record that the task was escalated to the assignee's manager (the first time stays)."""
    require_aware(at, "at")
    await db.execute("UPDATE tasks SET escalated_at = $2 WHERE id = $1 AND escalated_at IS NULL", task_id, at)
    return await _require(db, task_id)


async def get_task(db: Db, task_id: str) -> TaskRecord | None:
    return to_model(TaskRecord, await db.fetchrow(f"SELECT {_COLUMNS} FROM tasks WHERE id = $1", task_id))


async def list_tasks(
    db: Db,
    assignee_id: UUID | None = None,
    role: str | None = None,
    kind: str | None = None,
    status: TaskStatus | str | None = None,
    overdue_on: date | None = None,
) -> list[TaskRecord]:
    """The inbox, earliest due first (undated last). Each filter given narrows the list.

    ``overdue_on`` is "today" as the caller's workflow or request knows it (never the wall clock
    here): it keeps the open tasks due before that day.
    """
    rows = await db.fetch(
        f"""SELECT {_COLUMNS} FROM tasks
            WHERE ($1::uuid IS NULL OR assignee_id = $1)
              AND ($2::text IS NULL OR role = $2)
              AND ($3::text IS NULL OR kind = $3)
              AND ($4::text IS NULL OR status = $4)
              AND ($5::date IS NULL OR (status = 'open' AND due_on < $5))
            ORDER BY due_on NULLS LAST, opened_at, id""",
        assignee_id, None if role is None else str(role), kind,
        None if status is None else TaskStatus(status).value, overdue_on,
    )
    return to_models(TaskRecord, rows)


async def _require(db: Db, task_id: str) -> TaskRecord:
    found = await get_task(db, task_id)
    if found is None:
        raise NotFound(f"no task {task_id}", details={"task_id": task_id})
    return found


async def cancel_open_tasks_of(db: Db, workflow_id: str) -> list[str]:
    """Withdraw every open task of a certification process and of its audits (``audit-{id}-…``): the
    process ended (withdrawal, expiry) and nobody should work on them. Idempotent; returns the ids."""
    rows = await db.fetch(
        """UPDATE tasks SET status = 'cancelled'
           WHERE status = 'open' AND (workflow_id = $1 OR workflow_id LIKE 'audit-' || $1 || '-%')
           RETURNING id""",
        workflow_id,
    )
    return sorted(r["id"] for r in rows)
