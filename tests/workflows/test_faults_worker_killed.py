"""Issue 17: the worker killed with SIGKILL, a real `certflow worker` process, while the workflow waits on a
timer, while an Update is in flight, and while an activity writes the register; each time a new worker
process is started. The certification goes through to its grant, and nothing is done twice: every mail
reaches the SMTP server once, the certificate number is allocated once (R-10.3.5), every register event is
written once, and the histories the new workers made replay.

The server is a dev server of the test's own (the one `certflow up` runs), whose clock is the wall
clock: the activity cut off by the kill is retried once its start-to-close timeout (30 s for the inbox's
activities) has passed, and the test waits for that; the reminder timer is days away, so the timer phase
shows the next worker taking over a workflow parked on it (the time-skipping test server, which could
fire it, hands tasks to the polls of a killed worker and never takes them back)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import pytest_asyncio
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType, PendingActivityState, PendingWorkflowTaskState
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest, DescribeWorkflowExecutionResponse
from temporalio.client import Client, WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from certflow.embedded import EmbeddedTemporal, free_port
from certflow.settings import SEARCH_ATTRIBUTES
from schemas.payloads import TASK_PAYLOADS
from schemas.tasking import Actor, TaskCompletion, TaskReceipt, TaskView
from store.facts import staff_facts
from workers.main import WORKFLOWS, workflow_runner

from .conftest import Journey
from .test_dev_server import RealServer
from .worker_process import WorkerProcess

pytestmark = pytest.mark.slow
CLOSE_TIMEOUT = 30  # close_task's start-to-close timeout (workflows/tasks.py), in seconds


@pytest_asyncio.fixture
async def dev_server(tmp_path) -> AsyncIterator[EmbeddedTemporal]:
    server = EmbeddedTemporal(tmp_path / "temporal", free_port(), free_port(), SEARCH_ATTRIBUTES)
    server.start()  # from this thread: the server dies with the test run however it ends (certflow/children.py)
    try:
        yield server
    finally:
        server.stop()


@pytest_asyncio.fixture
async def worker(dev_server, db_dsn, smtp, tmp_path) -> AsyncIterator[WorkerProcess]:
    """The worker process of the test (not started yet), on a task queue of its own."""
    process = WorkerProcess(tmp_path / "worker", {
        "CERTFLOW_TEMPORAL_ADDRESS": dev_server.address,
        "CERTFLOW_DATABASE_URL": db_dsn, "CERTFLOW_TASK_QUEUE": f"faults-{uuid.uuid4().hex[:8]}",
        "CERTFLOW_SMTP_HOST": smtp.host, "CERTFLOW_SMTP_PORT": str(smtp.port)})
    try:
        yield process
    finally:
        process.stop()


async def until(condition: Callable[[], Awaitable[object]], what: str, timeout: float = 60) -> None:  # noqa: ASYNC109
    """Poll a real condition until it holds, for at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        await asyncio.sleep(0.1)


async def describe(handle: WorkflowHandle) -> DescribeWorkflowExecutionResponse:
    """The server's own answer, pending workflow task included."""
    client = handle._client
    return await client.workflow_service.describe_workflow_execution(DescribeWorkflowExecutionRequest(
        namespace=client.namespace, execution=WorkflowExecution(workflow_id=handle.id)))


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


async def completion(journey: Journey, view: TaskView, actor: Actor, payload: dict) -> TaskCompletion:
    """What the API sends to complete ``view``, built without asking the workflow anything."""
    facts = await staff_facts(journey.pool, TASK_PAYLOADS[view.kind].model_validate(payload).staff_ids())
    return TaskCompletion(task_id=view.task_id, actor=actor, payload=payload, facts=facts)


async def killed_on_a_timer(journey: Journey, worker: WorkerProcess) -> None:
    """The review task waits on its reminder timer; the worker dies; the next one takes the completion,
    cancels the timer the dead one had started, and goes on."""
    await journey.task("application_review")
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
    worker.freeze()
    update = asyncio.create_task(journey.handle.execute_update("complete_task", sent, result_type=TaskReceipt))

    async def with_the_frozen_worker() -> bool:
        """The workflow task carrying the Update has started (taken by the frozen worker's poll): the
        server's description says so, or (the test server, which does not describe it) its history."""
        task = (await describe(journey.handle)).pending_workflow_task
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
    """The decision's task is being closed in the inbox, its activity held inside its transaction (the
    tasks table locked by the test), when the worker dies: what it wrote is rolled back, and the retry on
    the next worker closes the task once; the grant follows."""
    pool = journey.pool
    await journey.task("certification_decision")  # listed: its projection is written before the lock
    async with pool.acquire() as lock, lock.transaction(), asyncio.timeout(60):
        await lock.execute("LOCK TABLE tasks IN SHARE MODE")  # readers pass, writers wait
        await journey.complete("certification_decision", journey.people.decision_maker,
                               {"outcome": "grant", "star_level": "five_star"})

        async def closing_waits() -> bool:
            return bool(await pool.fetchval(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'tasks'::regclass"))

        await until(closing_waits, "close_task waiting on the tasks table")
        pending = (await describe(journey.handle)).pending_activities
        running = [(a.activity_type.name, a.state, a.attempt) for a in pending]
        assert running == [("close_task", PendingActivityState.PENDING_ACTIVITY_STATE_STARTED, 1)]
        worker.kill()
    await worker.start()


async def attempts(handle: WorkflowHandle, activity: str) -> list[int]:
    """The attempt of each ``activity`` that started (the last attempt's start is the one recorded)."""
    history = (await handle.fetch_history()).events
    scheduled = {e.event_id for e in history if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
                 and e.activity_task_scheduled_event_attributes.activity_type.name == activity}
    return [e.activity_task_started_event_attributes.attempt for e in history
            if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
            and e.activity_task_started_event_attributes.scheduled_event_id in scheduled]


async def test_a_worker_killed_three_times_loses_and_doubles_nothing(dev_server, pool, people, smtp, worker):
    client = await Client.connect(dev_server.address, data_converter=pydantic_data_converter)
    journey = Journey(RealServer(client), pool, worker.settings["CERTFLOW_TASK_QUEUE"], people)
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
        *before, decision = await attempts(journey.handle, "close_task")
        assert (set(before), decision) == ({1}, 2), "the decision's closing, cut off by the kill, was retried"
        await settled(journey, smtp, status.certificate_number)
        await nothing_twice(journey, smtp, status.certificate_number)
        await replays(journey)
    finally:
        await journey.stop()


async def settled(journey: Journey, smtp, number: str) -> None:
    """Every mail queued has been delivered and the certificate's document made (both beside the process)."""
    pool = journey.pool

    async def delivered() -> bool:
        unsent = await pool.fetchval("SELECT count(*) FROM outbox WHERE status <> 'sent'")
        documents = await pool.fetchval(
            "SELECT count(*) FROM certificate_documents WHERE certificate_number = $1", number)
        return unsent == 0 and documents >= 1 and len(smtp.messages) >= await pool.fetchval(
            "SELECT count(*) FROM outbox")

    await until(delivered, "every mail delivered and the certificate document made")


async def nothing_twice(journey: Journey, smtp, number: str) -> None:
    pool = journey.pool
    received = Counter(m["Message-ID"] for m in smtp.messages)
    assert [mid for mid, n in received.items() if n > 1] == [], "a mail reached the SMTP server twice"
    queued = {r["message_id"] for r in await pool.fetch("SELECT message_id FROM outbox")}
    assert set(received) == queued, "every mail queued arrived, and only those"
    assert any(m["Subject"].startswith("认证决定：批准认证") for m in smtp.messages)
    numbers = await pool.fetch("SELECT number FROM certificate_numbers WHERE allocation_key LIKE $1 || '%'",
                               journey.workflow_id)
    assert [r["number"] for r in numbers] == [number]  # allocated once, by the retry
    assert await pool.fetchval("SELECT count(*) FROM certificates") == 1
    assert await pool.fetchval("SELECT count(*) FROM certificate_documents WHERE certificate_number = $1", number) == 1
    events = await pool.fetch("SELECT kind, subject, element_id, occurred_at, data FROM events")
    doubled = [k for k, n in Counter(tuple(map(str, e.values())) for e in events).items() if n > 1]
    assert doubled == [], "register events written twice"
    assert await pool.fetchval("SELECT count(*) FROM events WHERE kind = 'certificate.granted'") == 1


async def replays(journey: Journey) -> None:
    """The histories the three workers made between them replay on the code."""
    replayer = Replayer(workflows=WORKFLOWS, data_converter=pydantic_data_converter, workflow_runner=workflow_runner())
    for handle in (journey.handle, journey.audit()):
        assert handle is not None
        result = await replayer.replay_workflow(await handle.fetch_history(), raise_on_replay_failure=False)
        assert result.replay_failure is None, result.replay_failure
