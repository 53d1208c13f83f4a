"""A task is held by its process before the inbox lists it (issue 17: staff who acted the moment a task
was listed were told it was not open). Here the inbox's listing is held back: the task can already be
completed, and the process goes on once the listing is done."""

from __future__ import annotations

import asyncio
import uuid

from temporalio.worker import Worker

from schemas.tasking import TaskCompletion, TaskReceipt
from workers.main import WORKFLOWS, workflow_runner
from workflows.contracts import ProcessStatus

from .conftest import Journey
from .held_listing import with_held_listing


async def test_a_task_completed_before_the_inbox_lists_it_is_taken(own_temporal_env, pool, people, smtp):
    release = asyncio.Event()
    activities, listing = with_held_listing(pool, smtp.mail, release.wait)
    queue = f"certflow-{uuid.uuid4().hex[:8]}"
    journey = Journey(own_temporal_env, pool, queue, people)
    async with Worker(own_temporal_env.client, task_queue=queue, workflows=WORKFLOWS, activities=activities,
                      workflow_runner=workflow_runner()), \
            Worker(own_temporal_env.client, task_queue=f"{queue}-io", activities=activities):
        await journey.start()
        await listing.wait()  # the process asked for the review; the inbox has not listed it yet
        held = (await journey.handle.query("status", result_type=ProcessStatus)).open_tasks
        assert [v.kind for v in held] == ["application_review"]  # held, though not listed yet
        task_id = held[0].task_id
        assert await pool.fetchval("SELECT count(*) FROM tasks WHERE id = $1", task_id) == 0
        # Before issue 17 this was refused: the process held the task only once the inbox listed it.
        receipt = await journey.handle.execute_update(
            "complete_task", TaskCompletion(task_id=task_id, actor=people.reviewer, payload=journey.review()),
            result_type=TaskReceipt)
        assert receipt.task_id == task_id
        release.set()
        await journey.task("contract")  # accepted, and the process went on
        status = await pool.fetchval("SELECT status FROM tasks WHERE id = $1", task_id)
        assert status == "completed"
        await journey.stop()
