"""Issue 17: the worker killed with SIGKILL, a real `certflow worker` process, while the workflow waits on a
timer, while an Update is in flight, and while an activity writes the register; each time a new worker
process is started. The certification goes through to its grant, and nothing is done twice: every mail
reaches the SMTP server once, the certificate number is allocated once (R-10.3.5), every register event is
written once, and the histories the new workers made replay.

The server is a dev server of the test's own (the one `certflow up` runs), whose clock is the wall
clock: the step cut off by the kill (a local activity, inside a workflow task) runs again once that
workflow task has timed out, and the test waits for that; the reminder timer is days away, so the timer phase
shows the next worker taking over a workflow parked on it. (The time-skipping test server, which could
fire it, is no place for this: a task it hands to a killed worker's sticky queue or poll stays there.)"""

from __future__ import annotations

import asyncio
import threading

import pytest
from temporalio.api.enums.v1 import EventType, PendingWorkflowTaskState
from temporalio.client import Client, WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter

from schemas.tasking import TaskReceipt
from workflows.mail import DELIVERY_TIMEOUT

from .conftest import Journey
from .faults import completion, describe, local_steps, nothing_twice, replays, settled, until
from .test_dev_server import RealServer
from .worker_process import WorkerProcess

pytestmark = pytest.mark.slow
CLOSE_TIMEOUT = 30  # close_task's start-to-close timeout (workflows/closings.py), in seconds


async def timers_pending(handle: WorkflowHandle) -> set[int]:
    started: set[int] = set()
    for event in (await handle.fetch_history()).events:
        if event.event_type == EventType.EVENT_TYPE_TIMER_STARTED:
            started.add(event.event_id)
        elif event.event_type == EventType.EVENT_TYPE_TIMER_FIRED:
            started.discard(event.timer_fired_event_attributes.started_event_id)
        elif event.event_type == EventType.EVENT_TYPE_TIMER_CANCELED:
            started.discard(event.timer_canceled_event_attributes.started_event_id)
    return started


async def mail_delivered(journey: Journey) -> None:
    """Every mail queued so far delivered: a kill meant to cut off a timer, an Update or a register write
    must not cut off a mail between the SMTP server's acceptance and the outbox's "sent", which resends it
    with its Message-ID (activities/notify.py; the last test of this module)."""
    async def nothing_unsent() -> bool:
        return not await journey.pool.fetchval("SELECT count(*) FROM outbox WHERE status <> 'sent'")

    await until(nothing_unsent, "the mail queued so far delivered")


async def killed_on_a_timer(journey: Journey, worker: WorkerProcess) -> None:
    """The review task waits on its reminder timer; the worker dies; the next one takes the completion,
    cancels the timer the dead one had started, and goes on."""
    await journey.task("application_review")
    await mail_delivered(journey)  # the application's acknowledgement
    waiting = await timers_pending(journey.handle)
    assert waiting, "the open review waits on its reminder timer"
    worker.kill()
    await worker.start()
    await journey.complete("application_review", journey.people.reviewer, journey.review())
    await journey.task("contract")
    assert not waiting & await timers_pending(journey.handle), "the reminder's timer was cancelled"


async def killed_during_an_update(journey: Journey, worker: WorkerProcess) -> TaskReceipt:
    """The contract's completion is sent to a worker that has frozen; it is killed before it answers; the
    caller gets its answer from the next worker."""
    contract = await journey.task("contract")
    sent = await completion(journey, contract, journey.people.reviewer,
                            {"signed_on": str(await journey.today()), "contract_reference": "HT-2026-017"})
    await mail_delivered(journey)
    worker.freeze()
    update = asyncio.create_task(journey.handle.execute_update("complete_task", sent, result_type=TaskReceipt))

    async def with_the_frozen_worker() -> bool:
        """The workflow task carrying the Update has started (taken by the frozen worker's poll): the
        server's description says so, or its history where the server writes the task down there."""
        task = (await describe(journey)).pending_workflow_task
        if task.state == PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_STARTED:
            return True
        last = (await journey.handle.fetch_history()).events[-1]
        return last.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED

    await until(with_the_frozen_worker, "the Update's workflow task handed to the frozen worker", 30)
    assert not update.done()
    worker.kill()
    await worker.start()
    async with asyncio.timeout(60):
        return await update


async def killed_during_an_activity(journey: Journey, worker: WorkerProcess) -> None:
    """The decision's task is being closed in the inbox, its step held inside its transaction (the tasks
    table locked by the test), when the worker dies: what it wrote is rolled back, and the next worker,
    given the workflow task the dead one never finished, closes the task once; the grant follows. The
    step is a local activity (workflows/local_steps.py): it runs inside that workflow task."""
    pool = journey.pool
    await journey.task("certification_decision")  # listed: its projection is written before the lock
    await mail_delivered(journey)
    async with pool.acquire() as lock, lock.transaction(), asyncio.timeout(60):
        await lock.execute("LOCK TABLE tasks IN SHARE MODE")  # readers pass, writers wait
        await journey.complete("certification_decision", journey.people.decision_maker,
                               {"outcome": "grant", "star_level": "five_star"})

        async def closing_waits() -> bool:
            return bool(await pool.fetchval(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'tasks'::regclass"))

        await until(closing_waits, "close_task waiting on the tasks table")
        worker.kill()
    await worker.start()


async def closing_taken_over(journey: Journey) -> bool:
    """After the decision's completion was accepted, a workflow task timed out (the killed worker's, which
    ran its closing) and then a close_task finished: the next worker's."""
    history = (await journey.handle.fetch_history()).events
    completions = [e for e in history if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
                   and e.workflow_execution_update_accepted_event_attributes.accepted_request.input.name
                   == "complete_task"]
    accepted = [e.event_id for e in completions]  # the last: the decision's
    timed_out = [e.event_id for e in history if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT
                 and e.event_id > accepted[-1]]
    closed = [event_id for event_id, name, _ in local_steps(history) if name == "close_task"]
    return bool(timed_out) and closed[-1] > timed_out[0]


async def test_a_killed_worker_loses_and_doubles_nothing(own_dev_server, pool, people, smtp, worker_process):
    worker = worker_process  # killed three times, started four
    client = await Client.connect(own_dev_server.address, data_converter=pydantic_data_converter)
    journey = Journey(RealServer(client), pool, worker_process.settings["CERTFLOW_TASK_QUEUE"], people)
    await worker.start()
    await journey.start()
    try:
        await killed_on_a_timer(journey, worker)
        receipt = await killed_during_an_update(journey, worker)
        assert receipt.kind == "contract"
        await journey.task("programme")
        today = await journey.today()
        await journey.complete("programme", people.programme_manager,
                               journey.programme(today, visit_offset=0, onsite_offset=12))
        await journey.stage("audit")
        await journey.through_audit(move_time=False)
        await killed_during_an_activity(journey, worker)
        # The attempt cut off is retried once its start-to-close timeout has passed: waited for.
        async with asyncio.timeout(CLOSE_TIMEOUT + 30):
            status = await journey.stage("granted")
        assert status.certificate_number
        assert await closing_taken_over(journey), "the decision's closing, cut off by the kill, ran again"
        # The grant and its notice go on beside the held closing (workflows/closings.py), so the workflow
        # task the kill cut off may already have handed the notice's delivery to the dead worker: retried
        # once its start-to-close timeout has passed.
        await settled(journey, smtp, status.certificate_number, within=DELIVERY_TIMEOUT.total_seconds() + 30)
        await nothing_twice(journey, smtp, status.certificate_number)
        await replays(journey)
    finally:
        await journey.stop()




async def test_a_worker_killed_as_the_server_takes_its_mail_resends_the_same_message(
        own_dev_server, pool, people, smtp, worker_process):
    """The one window the outbox leaves open (activities/notify.py, 3.): the SMTP server has the message,
    the worker dies before it marks the row sent. The next worker sends it again, and it is the same
    message, with the same Message-ID, which a mail system (and certflow's own sink) keeps once."""
    arrived, release = threading.Event(), threading.Event()

    def hold_the_first() -> None:
        if not arrived.is_set():
            arrived.set()
            release.wait(60)

    smtp.gate = hold_the_first
    journey = Journey(RealServer(await Client.connect(own_dev_server.address, data_converter=pydantic_data_converter)),
                      pool, worker_process.settings["CERTFLOW_TASK_QUEUE"], people)
    await worker_process.start()
    await journey.start()
    try:
        assert await asyncio.to_thread(arrived.wait, 30), "the notice of receipt reached the SMTP server"
        worker_process.kill()
        release.set()  # the server takes it: the worker is no longer there to hear so
        await worker_process.start()
        # The delivery is retried once its start-to-close timeout has passed: waited for.
        await smtp.wait_for(2, timeout=DELIVERY_TIMEOUT.total_seconds() + 30)
        first, again = smtp.messages[:2]
        assert (first["Message-ID"], first["Subject"]) == (again["Message-ID"], again["Subject"])
        marked = "SELECT message_id FROM outbox WHERE subject = $1 AND status = 'sent'"
        await until(lambda: pool.fetchval(marked, first["Subject"]), "the second sending marked in the outbox")
        assert await pool.fetchval(marked, first["Subject"]) == first["Message-ID"]
        assert [m["Message-ID"] for m in smtp.messages].count(first["Message-ID"]) == 2  # sent twice, never thrice
        await journey.task("application_review")  # the process went on meanwhile
    finally:
        smtp.gate = None
        release.set()
        await journey.stop()
