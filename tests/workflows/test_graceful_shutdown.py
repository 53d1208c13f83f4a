"""A worker stopping lets the activities it runs finish (issue 16, CERTFLOW_WORKER_GRACEFUL_SHUTDOWN):
the inbox listing under way when the stop begins completes and is reported, nothing is half-done or done
twice, and the next worker carries the process on."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.worker import Worker

from workers.main import WORKFLOWS, build_worker, workflow_runner

from .conftest import Journey
from .faults import local_steps
from .held_listing import with_held_listing


async def test_a_stopping_worker_finishes_the_activity_it_runs(own_temporal_env, pool, people, smtp):
    # The review's listing goes on only once its worker has begun to stop.
    activities, listing = with_held_listing(pool, smtp.mail, activity.wait_for_worker_shutdown)
    queue = f"certflow-{uuid.uuid4().hex[:8]}"
    journey = Journey(own_temporal_env, pool, queue, people)
    worker = Worker(own_temporal_env.client, task_queue=queue, workflows=WORKFLOWS,
                    activities=activities,
                    workflow_runner=workflow_runner(), graceful_shutdown_timeout=timedelta(seconds=60),
                    max_cached_workflows=0)  # no sticky queue: the next worker takes the workflow at once
    running = asyncio.create_task(worker.run())
    await journey.start()
    await listing.wait()
    await worker.shutdown()  # begun while the listing is under way; it finishes within the grace period
    await running
    history = await journey.handle.fetch_history()
    # The listing is a local activity (workflows/local_steps.py): its marker is written with the workflow
    # task the stopping worker finished.
    listed = [name for _, name, _ in local_steps(history.events) if name == "project_task"]
    assert listed, "the listing under way was reported as completed"
    assert not [e for e in history.events if e.event_type in (
        EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED, EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
        EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED, EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT)]
    async with build_worker(own_temporal_env.client, pool, queue, smtp.mail):  # the next worker goes on
        view = await journey.task("application_review")
        rows = await pool.fetchval("SELECT count(*) FROM tasks WHERE id = $1", view.task_id)
        assert rows == 1
        await journey.stop()
