"""The staff digest process (issue 13, CERTFLOW_STAFF_MAIL=daily_digest): a journey's leader gets no mail
as each task opens, and on the next working day one digest listing their open tasks; the process skips
days off and continues as new for the next working day."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
import pytest_asyncio
from temporalio.client import WorkflowContinuedAsNewError, WorkflowHandle

from activities.digest import StaffMailSettings, digest_key
from rules.calendar import HolidayTable, add_working_days
from schemas.outbox import StaffMail
from schemas.staff import Role
from store.events import events_for
from store.staff import add_staff
from store.tasks import upsert_open_task
from workers.main import build_worker
from workflows.digest import StaffDigestInput, StaffDigestWorkflow
from workflows.tasks import SHANGHAI

DIGEST = StaffMailSettings(mode=StaffMail.DAILY_DIGEST)
HOUR = 8


@pytest_asyncio.fixture
async def digest_journey(own_temporal_env, pool, people, smtp, journey_type) -> AsyncIterator:
    """A journey whose worker sends staff one digest a day instead of a mail per task."""
    queue = f"digest-{uuid.uuid4().hex[:8]}"
    async with build_worker(own_temporal_env.client, pool, queue, smtp.mail, staff_mail=DIGEST):
        journey = journey_type(own_temporal_env, pool, queue, people)
        try:
            yield journey
        finally:
            await journey.stop()


async def start_digest(env, queue: str, last_day: date | None = None) -> WorkflowHandle:
    return await env.client.start_workflow(
        StaffDigestWorkflow.run, StaffDigestInput(last_day=last_day, hour=HOUR), id=f"staff-digest-{queue}",
        task_queue=queue)


async def first_run_day(env, handle: WorkflowHandle) -> date:
    """Let the first run send its digest and continue as new; the day it sent on. The next run is stopped,
    since a process left sleeping would hold the test server's time."""
    try:
        with pytest.raises(WorkflowContinuedAsNewError):
            await handle.result(follow_runs=False)
        first = env.client.get_workflow_handle(handle.id, run_id=handle.first_execution_run_id)
        return await first.query("day", result_type=date)
    finally:
        await env.client.get_workflow_handle(handle.id).terminate("test finished")


async def test_the_leader_gets_no_mail_per_task_and_one_digest_the_next_working_day(digest_journey, pool, smtp):
    journey, leader = digest_journey, digest_journey.people.leader
    today = await journey.to_audit()
    stage1 = await journey.task("stage1", journey.audit())
    assert stage1.assignee_id == leader.staff_id
    assert await pool.fetch("SELECT 1 FROM outbox WHERE template = 'task_assigned'") == []
    opened = [e for e in await events_for(pool, workflow_id=journey.audit().id) if e.kind == "task.opened"]
    assert opened and opened[0].data["notified"] == []

    # The digest goes out at HOUR on the first working day from now: today when it is not yet HOUR (read
    # before the digest runs: the test server's clock is at HOUR once it has sent), else a later day.
    started = (await journey.env.get_current_time()).astimezone(SHANGHAI)
    day = await first_run_day(journey.env, await start_digest(journey.env, journey.queue))
    assert day > today or (day == today == started.date() and started.hour < HOUR)
    assert HolidayTable.default().is_working_day(day)
    [mail] = smtp.to("leader@body.example")
    assert mail["Subject"].startswith(f"{day} 待办任务")
    body = mail.get_body().get_content()
    assert stage1.task_id in body and stage1.title in body and f"到期日：{stage1.due_on}" in body
    assert (f"可办理日：{stage1.available_from} 起" in body) == (stage1.available_from > day)
    row = await pool.fetchrow("SELECT status FROM outbox WHERE idempotency_key = $1",
                              digest_key(day, leader.staff_id))
    assert row["status"] == "sent"


async def test_the_process_skips_the_weekend(own_temporal_env, pool, smtp):
    """Started as if it had sent Friday's digest: the next goes out on the next working day, none on
    Saturday or Sunday."""
    env, queue = own_temporal_env, f"digest-{uuid.uuid4().hex[:8]}"
    person, _ = await add_staff(pool, "李组长", [Role.AUDITOR], email="leader@body.example")
    await upsert_open_task(pool, "audit-x/stage1/1", "audit-x", "stage1", Role.AUDITOR.value,
                           datetime.now(UTC), assignee_id=person.id, title="一阶段审查")
    today = (await env.get_current_time()).astimezone(SHANGHAI).date()
    friday = today + timedelta(days=(4 - today.weekday()) % 7)
    async with build_worker(env.client, pool, queue, smtp.mail, staff_mail=DIGEST):
        day = await first_run_day(env, await start_digest(env, queue, last_day=friday))
    assert day == add_working_days(friday, 1).date and day.weekday() < 5
    keys = [r["idempotency_key"] for r in await pool.fetch("SELECT idempotency_key FROM outbox")]
    assert keys == [digest_key(day, person.id)]
    assert [m["Subject"] for m in smtp.to("leader@body.example")] == [f"{day} 待办任务 1 项"]


async def test_with_one_mail_per_task_a_digest_process_left_running_ends(own_temporal_env, pool, smtp):
    """The body went back to one mail per task: the process sends nothing at its next digest and ends."""
    env, queue = own_temporal_env, f"digest-{uuid.uuid4().hex[:8]}"
    person, _ = await add_staff(pool, "李组长", [Role.AUDITOR], email="leader@body.example")
    await upsert_open_task(pool, "audit-x/stage1/1", "audit-x", "stage1", Role.AUDITOR.value,
                           datetime.now(UTC), assignee_id=person.id, title="一阶段审查")
    async with build_worker(env.client, pool, queue, smtp.mail):  # staff_mail: per_task, the default
        ended = await (await start_digest(env, queue)).result()
    assert "per_task" in ended
    assert await pool.fetch("SELECT 1 FROM outbox") == [] and smtp.messages == []


async def test_the_worker_keeps_one_digest_process_only_with_the_digest_decision(own_temporal_env):
    from temporalio.client import WorkflowExecutionStatus
    from temporalio.service import RPCError

    from certflow.settings import Settings
    from workers.main import ensure_staff_digest
    from workflows.digest import STAFF_DIGEST_WORKFLOW_ID

    env, queue = own_temporal_env, f"digest-{uuid.uuid4().hex[:8]}"
    handle = env.client.get_workflow_handle(STAFF_DIGEST_WORKFLOW_ID)
    await ensure_staff_digest(env.client, queue, Settings(_env_file=None, staff_mail="per_task"))
    with pytest.raises(RPCError):
        await handle.describe()
    digest = Settings(_env_file=None, staff_mail="daily_digest", staff_digest_hour=7)
    await ensure_staff_digest(env.client, queue, digest)
    try:
        first = await handle.describe()
        await ensure_staff_digest(env.client, queue, digest)  # a second worker, or a restart
        again = await handle.describe()
        assert first.status == again.status == WorkflowExecutionStatus.RUNNING and first.run_id == again.run_id
    finally:
        await handle.terminate("test finished")
