"""Mail and documents on their own task queue (issue 16, workflows/mail.py, workers/pair.py): a run
schedules them on ``<queue>-io``; with no I/O worker up the process still moves on (its tasks open, its
register is written) while the mail waits, and the mail goes as soon as an I/O worker comes."""

from __future__ import annotations

import uuid

from temporalio.api.enums.v1 import EventType

from workers.main import build_worker

from .conftest import Journey
from .faults import local_steps


async def test_mail_waits_for_the_io_worker_while_the_process_moves_on(own_temporal_env, pool, people, smtp):
    queue = f"certflow-{uuid.uuid4().hex[:8]}"
    journey = Journey(own_temporal_env, pool, queue, people)
    async with build_worker(own_temporal_env.client, pool, queue, smtp.mail, role="core"):
        await journey.start()
        await journey.task("application_review")  # the process went on to the review
        pending = await pool.fetchval(
            "SELECT count(*) FROM outbox WHERE status = 'pending' AND idempotency_key LIKE $1",
            f"{journey.workflow_id}%")
        assert pending >= 1 and smtp.messages == []  # the acknowledgement waits for an I/O worker
        async with build_worker(own_temporal_env.client, pool, queue, smtp.mail, role="io"):
            await smtp.wait_for(pending)  # the I/O worker came: what waited goes
        history = await journey.handle.fetch_history()
        scheduled = [e.activity_task_scheduled_event_attributes for e in history.events
                     if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]
        queues = {a.activity_type.name: a.task_queue.name for a in scheduled}
        assert queues["deliver_mail"] == f"{queue}-io" and "record_application" not in queues
        # the register's writes ran in the workflow's own task (local activities, workflows/local_steps.py)
        assert "record_application" in {name for _, name, _ in local_steps(history.events)}
        await journey.stop()
