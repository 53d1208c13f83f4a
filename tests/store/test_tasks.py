import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from schemas.errors import Conflict, InvalidInput, NotFound
from schemas.staff import Role
from schemas.tasks import TaskStatus
from store.staff import add_staff
from store.tasks import (
    cancel_task,
    complete_task,
    get_task,
    list_tasks,
    note_escalation,
    note_reminder,
    upsert_open_task,
)

OPENED = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
WF = "certification-1"


@pytest.fixture
async def people(pool):
    reviewer, _ = await add_staff(pool, "审核员", [Role.REVIEWER])
    other, _ = await add_staff(pool, "另一位", [Role.REVIEWER])
    return reviewer, other


async def _open(pool, task_id="t-review", **kw):
    args = {"workflow_id": WF, "kind": "application_review", "role": Role.REVIEWER, "opened_at": OPENED,
            "due_on": date(2026, 3, 5), "rule_id": "R-9.1.2", "title": "Review the application", **kw}
    return await upsert_open_task(pool, task_id, **args)


async def test_upsert_open_task_twice_writes_one_row(pool, count):
    first = await _open(pool, context={"application": "A-1"}, payload_schema={"type": "object"})
    assert await _open(pool, context={"application": "A-1"}, payload_schema={"type": "object"}) == first
    assert await count("tasks") == 1
    assert (first.status, first.role, first.context) == (TaskStatus.OPEN, "reviewer", {"application": "A-1"})
    assert await get_task(pool, "t-review") == first


async def test_upsert_open_task_updates_an_open_task_but_keeps_when_it_opened(pool, people):
    reviewer, _ = people
    await _open(pool)
    moved = await _open(pool, assignee_id=reviewer.id, due_on=date(2026, 3, 6),
                        opened_at=OPENED + timedelta(days=1))
    assert (moved.assignee_id, moved.due_on, moved.opened_at) == (reviewer.id, date(2026, 3, 6), OPENED)


async def test_a_late_retry_never_reopens_a_closed_task(pool, people):
    reviewer, _ = people
    await _open(pool)
    done = await complete_task(pool, "t-review", reviewer.id, OPENED + timedelta(days=1))
    assert await _open(pool, due_on=date(2026, 4, 1)) == done


async def test_a_task_id_belongs_to_one_workflow_and_kind(pool):
    await _open(pool)
    with pytest.raises(Conflict):
        await _open(pool, workflow_id="certification-2")
    with pytest.raises(InvalidInput, match="time zone"):
        await _open(pool, "t-2", opened_at=datetime(2026, 3, 2, 9, 0))
    with pytest.raises(NotFound):
        await _open(pool, "t-3", assignee_id=uuid.uuid4())


async def test_complete_task_is_idempotent_for_the_same_person(pool, people, count):
    reviewer, _ = people
    await _open(pool)
    done = await complete_task(pool, "t-review", reviewer.id, OPENED + timedelta(days=1))
    assert (done.status, done.completed_by) == (TaskStatus.COMPLETED, reviewer.id)
    assert await complete_task(pool, "t-review", reviewer.id, OPENED + timedelta(days=2)) == done


async def test_completing_a_task_someone_else_completed_is_a_conflict(pool, people):
    reviewer, other = people
    await _open(pool)
    await complete_task(pool, "t-review", reviewer.id, OPENED)
    with pytest.raises(Conflict, match="someone else"):
        await complete_task(pool, "t-review", other.id, OPENED)
    with pytest.raises(Conflict, match="completed"):
        await cancel_task(pool, "t-review")


async def test_a_cancelled_task_cannot_be_completed(pool, people):
    reviewer, _ = people
    await _open(pool)
    cancelled = await cancel_task(pool, "t-review")
    assert await cancel_task(pool, "t-review") == cancelled
    with pytest.raises(Conflict, match="cancelled"):
        await complete_task(pool, "t-review", reviewer.id, OPENED)
    with pytest.raises(NotFound):
        await complete_task(pool, "t-none", reviewer.id, OPENED)


async def test_reminder_and_escalation_keep_their_first_time(pool):
    await _open(pool)
    first = await note_reminder(pool, "t-review", OPENED + timedelta(days=2))
    assert await note_reminder(pool, "t-review", OPENED + timedelta(days=3)) == first
    escalated = await note_escalation(pool, "t-review", OPENED + timedelta(days=4))
    assert (escalated.reminded_at, escalated.escalated_at) == (OPENED + timedelta(days=2), OPENED + timedelta(days=4))


async def test_list_tasks_filters_and_orders_by_due_date(pool, people):
    reviewer, other = people
    await _open(pool, "t-late", due_on=date(2026, 3, 4), assignee_id=reviewer.id)
    await _open(pool, "t-due-today", due_on=date(2026, 3, 5), assignee_id=reviewer.id)
    await _open(pool, "t-undated", due_on=None)
    await _open(pool, "t-plan", kind="audit_plan", role=Role.PROGRAMME_MANAGER, due_on=date(2026, 3, 1))
    await _open(pool, "t-done", due_on=date(2026, 3, 1), assignee_id=other.id)
    await complete_task(pool, "t-done", other.id, OPENED)

    def ids(tasks):
        return [t.id for t in tasks]

    assert ids(await list_tasks(pool)) == ["t-done", "t-plan", "t-late", "t-due-today", "t-undated"]
    assert ids(await list_tasks(pool, assignee_id=reviewer.id)) == ["t-late", "t-due-today"]
    assert ids(await list_tasks(pool, role=Role.PROGRAMME_MANAGER)) == ["t-plan"]
    assert ids(await list_tasks(pool, kind="application_review", status=TaskStatus.OPEN)) == [
        "t-late", "t-due-today", "t-undated"]
    assert ids(await list_tasks(pool, status="completed")) == ["t-done"]
    # overdue on 5 March: open and due before that day; due today, undated and completed tasks are not
    assert ids(await list_tasks(pool, overdue_on=date(2026, 3, 5))) == ["t-plan", "t-late"]
    assert ids(await list_tasks(pool, overdue_on=date(2026, 3, 5), role=Role.REVIEWER)) == ["t-late"]
    assert ids(await list_tasks(pool, overdue_on=date(2026, 3, 1))) == []
    assert all(t.overdue_on(date(2026, 3, 5)) for t in await list_tasks(pool, overdue_on=date(2026, 3, 5)))
