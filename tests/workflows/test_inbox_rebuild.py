"""`certflow inbox rebuild` (issue 16): the inbox made to agree with the tasks the running processes
hold open, from the processes themselves (certflow/inbox_rebuild.py)."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from certflow.inbox_rebuild import rebuild_inbox
from rules.policy import ProcessPolicy, SchemePolicy
from schemas.tasks import TaskStatus
from store.tasks import get_task, list_tasks, upsert_open_task
from workflows.contracts import ProcessStatus

from .test_incidents import api, incident, operator, refuse_events

ROOT = Path(__file__).resolve().parents[2]


async def test_rebuild_restores_a_lost_row_corrects_a_changed_one_and_cancels_an_orphan(journey, pool):
    await journey.start()
    view = await journey.task("application_review")
    original = await get_task(pool, view.task_id)
    assert original is not None and original.context  # what the projection gave the person deciding
    client, ids = journey.env.client, [journey.workflow_id, "certification-gone"]
    assert await rebuild_inbox(client, pool, ids) == []  # the inbox agrees already: nothing is written

    await pool.execute("DELETE FROM tasks WHERE id = $1", view.task_id)
    changes = await rebuild_inbox(client, pool, ids)
    assert [(c.task_id, c.action) for c in changes] == [(view.task_id, "restored")]
    restored = await get_task(pool, view.task_id)
    assert restored is not None
    # Everything but the context comes back as the projection wrote it; the process does not keep the context.
    assert restored.model_dump(exclude={"context"}) == original.model_dump(exclude={"context"})
    assert restored.context == {}

    await pool.execute("UPDATE tasks SET due_on = due_on + 30, title = 'edited' WHERE id = $1", view.task_id)
    orphan = await upsert_open_task(pool, "certification-gone/contract/1", "certification-gone", "contract",
                                    "programme_manager", datetime.now(UTC), title="left behind")
    changes = await rebuild_inbox(client, pool, ids)
    assert {(c.task_id, c.action) for c in changes} == {(view.task_id, "corrected"), (orphan.id, "cancelled")}
    corrected = await get_task(pool, view.task_id)
    assert corrected is not None and (corrected.due_on, corrected.title) == (original.due_on, original.title)
    cancelled = await get_task(pool, orphan.id)
    assert cancelled is not None and cancelled.status is TaskStatus.CANCELLED  # kept, never deleted
    assert await rebuild_inbox(client, pool, ids) == []  # idempotent


async def test_the_command_prints_what_it_restored(journey, pool, db_dsn):
    await journey.start()
    view = await journey.task("application_review")
    await pool.execute("DELETE FROM tasks WHERE id = $1", view.task_id)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTFLOW_")}
    env |= {"CERTFLOW_DATABASE_URL": db_dsn,
            "CERTFLOW_TEMPORAL_ADDRESS": journey.env.client.service_client.config.target_host}
    # Not blocking the loop: the journey's worker, in this process, answers the command's queries.
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "certflow", "inbox", "rebuild", "--workflow", journey.workflow_id, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    assert f"restored   {view.task_id}" in out.decode()
    assert (await get_task(pool, view.task_id)) is not None


async def test_an_audits_lost_tasks_come_back_with_their_subject(journey, pool):
    await journey.to_audit()
    audit = journey.audit()
    assert audit is not None
    await journey.task("stage1", audit)
    originals = {t.id: t for t in await list_tasks(pool, status=TaskStatus.OPEN) if t.workflow_id == audit.id}
    assert originals
    await pool.execute("DELETE FROM tasks WHERE workflow_id = $1", audit.id)
    changes = await rebuild_inbox(journey.env.client, pool, [journey.workflow_id, audit.id])
    assert {(c.task_id, c.action) for c in changes} == {(task_id, "restored") for task_id in originals}
    for task_id, original in originals.items():
        restored = await get_task(pool, task_id)
        # The audit's subject (its organization) is not in its status: it comes from the task's opened event.
        assert restored is not None and original.subject and restored.subject == original.subject
        assert restored.model_dump(exclude={"context"}) == original.model_dump(exclude={"context"})


async def test_a_completed_task_whose_closing_waits_on_an_incident_is_left_to_it(journey, pool):
    """The process is done with the review but the register refuses the closing's write: an incident, the
    process goes on, and the inbox still has the row open. A rebuild meanwhile leaves it to its closing
    (the process says so: ``unclosed_tasks``) instead of cancelling a task somebody completed."""
    await refuse_events(pool, "application_review.completed")
    await journey.start(policy=SchemePolicy(process=ProcessPolicy(incident_after_attempts=2)))
    review = await journey.complete("application_review", journey.people.reviewer, journey.review())
    await journey.env.sleep(timedelta(minutes=1))  # the retries' backoff passes
    raised = await incident(journey, "close_task")
    await journey.task("contract")  # beside the process: it went on
    status = await journey.handle.query("status", result_type=ProcessStatus)
    assert status.unclosed_tasks == [review.task_id]

    client, ids = journey.env.client, [journey.workflow_id]
    changes = await rebuild_inbox(client, pool, ids)
    assert [(c.task_id, c.action, c.changed) for c in changes] == [(review.task_id, "closing", False)]
    row = await get_task(pool, review.task_id)
    assert row is not None and row.status is TaskStatus.OPEN  # not cancelled: its completion is on the way

    await pool.execute("DROP TRIGGER refuse_event ON events")  # the cause is fixed; an operator retries
    _name, ops = await operator(pool)
    async with api(journey) as http:
        [listed] = (await http.get("/api/v1/incidents", params={"workflow_id": journey.workflow_id},
                                   headers=ops)).json()
        assert listed["key"] == raised.key
        assert (await http.post(f"/api/v1/incidents/{listed['id']}/retry", headers=ops)).status_code == 200
    await incident(journey, "close_task", "resolved")
    row = await get_task(pool, review.task_id)
    assert row is not None and row.status is TaskStatus.COMPLETED
    assert (await journey.handle.query("status", result_type=ProcessStatus)).unclosed_tasks == []
    assert await rebuild_inbox(client, pool, ids) == []
