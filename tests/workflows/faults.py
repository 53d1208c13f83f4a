"""What the fault tests (tests/workflows/test_faults_*.py, issue 17) share: waiting on a real condition,
the server's description of a workflow, a task completion built without asking the workflow, and the
checks that a certification went through with nothing lost and nothing done twice."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest, DescribeWorkflowExecutionResponse
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from bench.twin_profile import LOCAL_ACTIVITY_MARKER
from schemas.payloads import TASK_PAYLOADS
from schemas.tasking import Actor, TaskCompletion, TaskView
from store.facts import staff_facts
from workers.main import WORKFLOWS, workflow_runner

from .conftest import Journey


async def until(condition: Callable[[], Awaitable[object]], what: str, timeout: float = 60) -> None:  # noqa: ASYNC109
    """Poll a real condition until it holds, for at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        await asyncio.sleep(0.1)


async def describe(journey: Journey) -> DescribeWorkflowExecutionResponse:
    """The server's own description of the certification's workflow: pending activities (with their
    attempts and last failure) and the pending workflow task."""
    client = journey.env.client
    return await client.workflow_service.describe_workflow_execution(DescribeWorkflowExecutionRequest(
        namespace=client.namespace, execution=WorkflowExecution(workflow_id=journey.workflow_id)))


async def completion(journey: Journey, view: TaskView, actor: Actor, payload: dict) -> TaskCompletion:
    """What the API sends to complete ``view``, built without asking the workflow anything."""
    facts = await staff_facts(journey.pool, TASK_PAYLOADS[view.kind].model_validate(payload).staff_ids())
    return TaskCompletion(task_id=view.task_id, actor=actor, payload=payload, facts=facts)


def local_steps(events: Sequence[HistoryEvent], *, failed: bool = False) -> list[tuple[int, str, int]]:
    """The local activities a history recorded (workflows/local_steps.py) as done (or, ``failed``, the
    attempts that failed before a backoff timer): each one's marker event id, activity name and attempt.
    One cut off by a killed worker left no marker."""
    found = []
    for e in events:
        marker = e.marker_recorded_event_attributes
        if (e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED and marker.marker_name == LOCAL_ACTIVITY_MARKER
                and marker.HasField("failure") == failed):
            data = json.loads(marker.details["data"].payloads[0].data)
            found.append((e.event_id, data["activity_type"], data["attempt"]))
    return found


async def settled(journey: Journey, smtp, number: str, within: float = 60) -> None:
    """Every mail queued has been delivered and the certificate's document made (both beside the process),
    within ``within`` seconds."""
    pool = journey.pool

    async def delivered() -> bool:
        unsent = await pool.fetchval("SELECT count(*) FROM outbox WHERE status <> 'sent'")
        documents = await pool.fetchval(
            "SELECT count(*) FROM certificate_documents WHERE certificate_number = $1", number)
        return unsent == 0 and documents >= 1 and len(smtp.messages) >= await pool.fetchval(
            "SELECT count(*) FROM outbox")

    await until(delivered, "every mail delivered and the certificate document made", within)


async def nothing_twice(journey: Journey, smtp, number: str) -> None:
    """Every mail reached the SMTP server once, no notice was queued twice, the certificate (number
    ``number``) was numbered, recorded and printed once, and no register event was written twice."""
    pool = journey.pool
    received = Counter(m["Message-ID"] for m in smtp.messages)
    assert [mid for mid, n in received.items() if n > 1] == [], "a mail reached the SMTP server twice"
    queued = {r["message_id"] for r in await pool.fetch("SELECT message_id FROM outbox")}
    assert set(received) == queued, "every mail queued arrived, and only those"
    notices = await pool.fetch("SELECT recipient, subject, body FROM outbox")
    assert [k for k, n in Counter(tuple(r.values()) for r in notices).items() if n > 1] == [], \
        "one notice queued twice under two keys"
    assert any(m["Subject"].startswith("认证决定：批准认证") for m in smtp.messages)
    numbers = await pool.fetch("SELECT number FROM certificate_numbers WHERE allocation_key LIKE $1 || '%'",
                               journey.workflow_id)
    assert [r["number"] for r in numbers] == [number]  # allocated once
    assert await pool.fetchval("SELECT count(*) FROM certificates") == 1
    assert await pool.fetchval("SELECT count(*) FROM certificate_documents WHERE certificate_number = $1", number) == 1
    events = await pool.fetch("SELECT kind, subject, element_id, occurred_at, data FROM events")
    doubled = [k for k, n in Counter(tuple(map(str, e.values())) for e in events).items() if n > 1]
    assert doubled == [], "register events written twice"
    assert await pool.fetchval("SELECT count(*) FROM events WHERE kind = 'certificate.granted'") == 1


async def replays(journey: Journey) -> None:
    """The certification's and its audit's histories, made by several workers (or server lives), replay."""
    replayer = Replayer(workflows=WORKFLOWS, data_converter=pydantic_data_converter, workflow_runner=workflow_runner())
    for handle in (journey.handle, journey.audit()):
        assert handle is not None
        result = await replayer.replay_workflow(await handle.fetch_history(), raise_on_replay_failure=False)
        assert result.replay_failure is None, result.replay_failure
