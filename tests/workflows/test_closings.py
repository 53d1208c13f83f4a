"""A completed task is closed in the inbox with the next task's opening when the process opens one next,
else on its own (workflows/closings.py, issue 17); either way before the completion's answer comes."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio.client import WorkflowHandle

from schemas.tasking import Actor, TaskReceipt

from .conftest import Journey
from .faults import local_steps
from .test_life import granted


class ClosedAtAnswer(Journey):
    """A journey that reads the inbox the moment each completion is answered, as staff would."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.seen: list[tuple[str, str, int]] = []  # task id, its status, its "completed" events

    async def complete(self, kind: str, actor: Actor, payload: dict[str, Any], *,
                       handle: WorkflowHandle | None = None) -> TaskReceipt:
        receipt = await super().complete(kind, actor, payload, handle=handle)
        status = await self.pool.fetchval("SELECT status FROM tasks WHERE id = $1", receipt.task_id)
        events = await self.pool.fetchval("SELECT count(*) FROM events WHERE idempotency_key = $1",
                                          f"{receipt.task_id}/completed")
        self.seen.append((receipt.task_id, status, events))
        return receipt


@pytest.fixture
def journey_type() -> type[Journey]:
    return ClosedAtAnswer


async def closed_on_their_own(handle: WorkflowHandle) -> int:
    return sum(1 for _, name, _ in local_steps((await handle.fetch_history()).events) if name == "close_task")


async def test_each_completion_is_closed_in_the_inbox_by_the_time_it_is_answered(journey):
    _, first_run = await granted(journey)
    assert len(journey.seen) >= 10
    assert [(status, events) for _, status, events in journey.seen] == [("completed", 1)] * len(journey.seen)
    # Closed with the next task's opening where one followed, on their own where something else did.
    alone = await closed_on_their_own(first_run) + await closed_on_their_own(journey.audit())
    assert 0 < alone < len(journey.seen)
    opened = await journey.pool.fetchval("SELECT count(*) FROM tasks WHERE workflow_id IN ($1, $2) AND status = 'open'",
                                         journey.workflow_id, journey.audit().id)
    assert opened == 0, "nothing completed is left open, nothing closed twice"
