"""``project_task`` closes the tasks completed just before in the transaction that opens the next one
(workflows/closings.py, issue 17): both or neither, and a retry writes nothing twice."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from temporalio.testing import ActivityEnvironment

from activities.inbox import InboxActivities, TaskClosing, TaskProjection
from schemas.errors import Conflict
from schemas.staff import Role
from schemas.tasking import Actor, TaskView
from store.staff import add_staff
from store.tasks import cancel_task

OPENED = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def view(workflow_id: str, kind: str, opened_at: datetime = OPENED) -> TaskView:
    return TaskView(task_id=f"{workflow_id}/{kind}/1", kind=kind, title=kind, role=Role.REVIEWER,
                    due_on=date(2026, 11, 27), opened_at=opened_at)


def projection(workflow_id: str, task: TaskView, closings: tuple[TaskClosing, ...] = ()) -> TaskProjection:
    return TaskProjection(view=task, workflow_id=workflow_id, subject="示例", element_id=task.kind, payload_schema={},
                          closings=list(closings))


def closing(workflow_id: str, task: TaskView, actor: Actor) -> TaskClosing:
    return TaskClosing(task_id=task.task_id, workflow_id=workflow_id, subject="示例", kind=task.kind,
                       rule_id="R-9.1.2", actor=actor, at=OPENED + timedelta(hours=1), element_id=task.kind,
                       payload={"conclusion": "accept"})


async def reviewer(pool) -> Actor:
    person, _ = await add_staff(pool, "王评审", [Role.REVIEWER], email=f"{uuid.uuid4().hex[:6]}@body.example")
    return Actor(staff_id=person.id, name=person.name, roles=list(person.roles))


async def state(pool, task_id: str) -> tuple[str | None, int]:
    status = await pool.fetchval("SELECT status FROM tasks WHERE id = $1", task_id)
    events = await pool.fetchval("SELECT count(*) FROM events WHERE data->>'task_id' = $1", task_id)
    return status, events


async def test_the_next_task_opens_with_the_last_ones_closing_and_a_retry_writes_nothing(pool):
    inbox, env, actor = InboxActivities(pool), ActivityEnvironment(), await reviewer(pool)
    wf = f"certification-{uuid.uuid4()}"
    review, contract = view(wf, "application_review"), view(wf, "contract", OPENED + timedelta(hours=1))
    await env.run(inbox.project_task, projection(wf, review))
    carried = projection(wf, contract, (closing(wf, review, actor),))
    for _ in range(2):  # the second: Temporal's retry of the same step
        await env.run(inbox.project_task, carried)
        assert await state(pool, review.task_id) == ("completed", 2)  # opened, completed
        assert await state(pool, contract.task_id) == ("open", 1)
    completed_by = await pool.fetchval("SELECT completed_by FROM tasks WHERE id = $1", review.task_id)
    assert completed_by == actor.staff_id


async def test_a_closing_refused_opens_nothing(pool):
    """The task to close was withdrawn meanwhile: the closing is a conflict, and the next task is not
    listed either (one transaction), so the step's retry or incident finds the register as it was."""
    inbox, env, actor = InboxActivities(pool), ActivityEnvironment(), await reviewer(pool)
    wf = f"certification-{uuid.uuid4()}"
    review, contract = view(wf, "application_review"), view(wf, "contract")
    await env.run(inbox.project_task, projection(wf, review))
    await cancel_task(pool, review.task_id)
    with pytest.raises(Conflict, match="cancelled"):
        await env.run(inbox.project_task, projection(wf, contract, (closing(wf, review, actor),)))
    assert await state(pool, contract.task_id) == (None, 0)
    assert await state(pool, review.task_id) == ("cancelled", 1)
