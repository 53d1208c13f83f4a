"""Issue 17: the register (PostgreSQL) away for a while in the middle of a certification. The step that
writes it (closing the review in the inbox, and the mail it queued) fails and is retried, attempt after
attempt, without becoming an incident; once the database is back the certification goes through to its
grant with every mail once, the number once, no event twice. What the API answers meanwhile (503 with
Retry-After, nothing lost) is tests/api/test_unavailable.py's, against a PostgreSQL stopped the same way.

The PostgreSQL server is the test's own (own_postgres, from that test), never the session's shared one."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from schemas.tasking import TaskReceipt
from store.db import create_pool
from tests.api.test_unavailable import own_postgres  # noqa: F401 - the fixture
from workers.main import build_worker

from .conftest import Journey, make_people
from .faults import completion, local_steps, nothing_twice, replays, settled, until
from .test_dev_server import RealServer

pytestmark = pytest.mark.slow


async def test_the_register_away_is_retried_and_nothing_is_lost(own_dev_server, own_postgres, smtp):  # noqa: F811
    pool = await create_pool(own_postgres.dsn, min_size=1, max_size=4)
    client = await Client.connect(own_dev_server.address, data_converter=pydantic_data_converter)
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    people = await make_people(pool)
    try:
        async with build_worker(client, pool, queue, smtp.mail):
            journey = Journey(RealServer(client), pool, queue, people)
            await journey.start()
            try:
                await down_while_the_review_closes(journey, own_postgres)
                await to_the_grant(journey, smtp)
            finally:
                await journey.stop()
    finally:
        await pool.close()


async def down_while_the_review_closes(journey: Journey, postgres) -> None:
    review = await journey.task("application_review")
    sent = await completion(journey, review, journey.people.reviewer, journey.review())
    await asyncio.to_thread(postgres.stop)
    # The Update needs only the workflow: accepted while the register is away.
    receipt = await journey.handle.execute_update("complete_task", sent, result_type=TaskReceipt)
    assert receipt.task_id == review.task_id

    async def retried() -> bool:
        """The closing is a local activity (workflows/local_steps.py): after its first retry in the worker,
        each failed attempt is a marker (with its failure) and a backoff timer in history; none has
        finished since the Update was accepted."""
        history = (await journey.handle.fetch_history()).events
        accepted = max(e.event_id for e in history
                       if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)
        tries = [attempt for i, name, attempt in local_steps(history, failed=True) if name == "close_task"]
        closed = [i for i, name, _ in local_steps(history) if name == "close_task" and i > accepted]
        return bool(tries) and max(tries) >= 3 and not closed

    await until(retried, "the review's closing failed and retried while the register is away", 30)
    incidents = await journey.handle.query("incidents")
    assert not incidents, "a few failed attempts are retries, not yet an incident"
    await asyncio.to_thread(postgres.start)
    async with asyncio.timeout(60):  # the next attempt, after its backoff
        await journey.task("contract")
    row = await journey.pool.fetchrow("SELECT status, completed_by FROM tasks WHERE id = $1", review.task_id)
    assert (row["status"], row["completed_by"]) == ("completed", journey.people.reviewer.staff_id)


async def to_the_grant(journey: Journey, smtp) -> None:
    people = journey.people
    await journey.complete("contract", people.reviewer, {"signed_on": str(await journey.today()),
                                                        "contract_reference": "HT-2026-017"})
    status = await journey.programme_to_grant(await journey.today())
    await settled(journey, smtp, status.certificate_number)
    await nothing_twice(journey, smtp, status.certificate_number)
    assert await journey.pool.fetchval("SELECT count(*) FROM events WHERE kind = 'application_review.completed'") == 1
    await replays(journey)
