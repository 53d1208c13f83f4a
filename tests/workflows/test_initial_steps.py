"""The first workflow task's independent steps run at once (issue 17, patch ``initial-steps-together``): the
application's record beside the reference data, the application's status beside the receipt notice (R-9.1.1,
R-9.1.2). Each first step of a pair is held until its partner has begun: steps run one after the other
never meet, and the hold gives up after ``PATIENCE``."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from temporalio import activity
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

from workers.main import build_worker

from .conftest import Journey

PATIENCE = 10.0  # seconds; steps run at once meet within milliseconds


class Meetings(Interceptor):
    """Holds the first step of each pair until the second has begun; remembers the steps that waited in vain."""

    def __init__(self, *pairs: tuple[str, str]) -> None:
        self.waits_for = dict(pairs)
        self.begun = {name: asyncio.Event() for pair in pairs for name in pair}
        self.missed: list[str] = []

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _Held(next, self)


class _Held(ActivityInboundInterceptor):
    def __init__(self, next: ActivityInboundInterceptor, meetings: Meetings) -> None:
        super().__init__(next)
        self.meetings = meetings

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        name, meetings = activity.info().activity_type, self.meetings
        if name in meetings.begun:
            meetings.begun[name].set()
        partner = meetings.waits_for.get(name)
        if partner is not None and not meetings.begun[partner].is_set():
            try:
                await asyncio.wait_for(meetings.begun[partner].wait(), PATIENCE)
            except TimeoutError:
                meetings.missed.append(name)
        return await super().execute_activity(input)


async def test_the_first_steps_that_do_not_depend_on_each_other_run_at_once_R_9_1_1(
    own_temporal_env, pool, people, smtp
):
    meetings = Meetings(("record_application", "reference_data"), ("set_application_status", "send_notice"))
    queue = f"certflow-{uuid.uuid4().hex[:8]}"
    journey = Journey(own_temporal_env, pool, queue, people)
    async with build_worker(own_temporal_env.client, pool, queue, smtp.mail, interceptors=[meetings]):
        await journey.start()
        view = await journey.task("application_review")
        assert meetings.missed == []  # each held step met its partner: they ran at once
        assert all(event.is_set() for event in meetings.begun.values())
        # What the steps did is all there: the application under review, its receipt in the outbox.
        status = await pool.fetchval("SELECT status FROM applications WHERE id = $1", journey.application_id)
        assert status == "under_review"
        outbox = await pool.fetch(
            "SELECT template FROM outbox WHERE recipient = $1 AND starts_with(idempotency_key, $2)",
            "contact@example.cn",
            f"{journey.workflow_id}/",
        )
        assert [r["template"] for r in outbox] == ["application_received"]
        assert view.due_on is not None  # counted on the reference data's holidays
        await journey.stop()
