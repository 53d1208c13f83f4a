"""The bare-Temporal twin's workflows: they follow a script from bench/twin_profile.json step by step
(no-op activities with payloads of the recorded sizes, timers, Updates, a child), with none of
certflow's own code, so that what the twin costs is what Temporal costs for the same work.

A certification twin and an audit twin share the interpreter; they differ only in name, so that the
histories show a parent and its child as certflow's do. ``BareUpdateWorkflow`` is the floor: an
Update answered at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from temporalio import activity, workflow
from temporalio.common import RawValue

TIMER_FIRES_AFTER = timedelta(milliseconds=10)  # a recorded timer that fired: the twin's fires at once
TIMER_NEVER_FIRES = timedelta(days=30)  # one that was cancelled (or still running when recorded)
ACTIVITY_TIMEOUT = timedelta(seconds=60)


@activity.defn(dynamic=True)
async def twin_activity(args: Sequence[RawValue]) -> str:
    """Any activity of the script: takes its recorded input, returns a result of the recorded size."""
    result_bytes = activity.payload_converter().from_payload(args[1].payload, int)
    return "x" * max(0, result_bytes - 2)


def _queue_of(twin: dict[str, Any], step: dict[str, Any]) -> str | None:
    """Where the twin schedules an activity: with ``io_apart``, one recorded on certflow's I/O queue goes
    to ``<the twin's queue>-io`` (served by a worker in another process, bench/io_worker.py), so that it is
    matched by the server as certflow's are; otherwise to the twin's own queue, where the SDK hands it
    to the twin's own worker with the workflow task's answer (eager execution)."""
    if twin.get("io_apart") and step.get("queue") == "io":
        return f"{workflow.info().task_queue}-io"
    return None


def child_workflow_id(parent_id: str, history: str | None, number: int) -> str:
    """The id a twin gives its ``number``-th child (scripted from ``history``); the driver finds it by it."""
    return f"{parent_id}--{(history or 'empty').removesuffix('.json')}-{number}"


class _ScriptedWorkflow:
    """Runs ``script`` (see bench/twin_profile.py) and answers its Updates in the recorded order."""

    def __init__(self) -> None:
        self.accepted = 0
        self.completed: set[int] = set()
        self.result_bytes: list[int] = []

    async def follow(self, twin: dict[str, Any]) -> str:
        self.result_bytes = [u["result_bytes"] for u in twin["driver"]]
        activities: dict[int, Any] = {}
        timers: dict[int, asyncio.Task[None]] = {}
        children: dict[int, Any] = {}
        for step in twin["script"]:
            op, number = step["op"], step["id"]
            if op == "activity":
                activities[number] = workflow.start_activity(
                    step["name"], args=["x" * max(0, step["input_bytes"] - 2), step["result_bytes"]],
                    start_to_close_timeout=ACTIVITY_TIMEOUT, task_queue=_queue_of(twin, step))
            elif op == "local_activity":
                await workflow.execute_local_activity(step["name"], args=["", step["result_bytes"]],
                                                      start_to_close_timeout=ACTIVITY_TIMEOUT)
            elif op == "activity_done":
                await activities.pop(number)
            elif op == "timer":
                after = TIMER_FIRES_AFTER if step["fires"] else TIMER_NEVER_FIRES
                timers[number] = asyncio.create_task(asyncio.sleep(after.total_seconds()))
                await asyncio.sleep(0)  # let the timer be started before the next step
            elif op == "timer_fired":
                await timers.pop(number)
            elif op == "timer_cancel":
                timers.pop(number).cancel()
            elif op == "accept":
                await workflow.wait_condition(self._accepted_more_than(number))
            elif op == "complete":
                self.completed.add(number)
            elif op == "child":
                child_id = child_workflow_id(workflow.info().workflow_id, step["history"], number)
                children[number] = await workflow.start_child_workflow(
                    "TwinAuditWorkflow", twin["children"].get(str(number)) or {"script": [], "driver": []},
                    id=child_id)
            elif op == "child_done":
                await children.pop(number)
        await workflow.wait_condition(lambda: len(self.completed) >= self.accepted)  # no Update left hanging
        return "done"

    def _accepted_more_than(self, number: int) -> Callable[[], bool]:
        return lambda: self.accepted > number

    @workflow.update(dynamic=True)
    async def answer(self, name: str, args: Sequence[RawValue]) -> str:
        number = self.accepted
        self.accepted += 1
        await workflow.wait_condition(lambda: number in self.completed)
        size = self.result_bytes[number] if number < len(self.result_bytes) else 0
        return "x" * max(0, size - 2)


@workflow.defn(name="TwinCertificationWorkflow")
class TwinCertificationWorkflow(_ScriptedWorkflow):
    @workflow.run
    async def run(self, twin: dict[str, Any]) -> str:
        return await self.follow(twin)


@workflow.defn(name="TwinAuditWorkflow")
class TwinAuditWorkflow(_ScriptedWorkflow):
    @workflow.run
    async def run(self, twin: dict[str, Any]) -> str:
        return await self.follow(twin)


@workflow.defn(name="BareUpdateWorkflow")
class BareUpdateWorkflow:
    """Answers ``ping`` at once; ends on ``finish``."""

    def __init__(self) -> None:
        self.finished = False

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: self.finished)

    @workflow.update
    async def ping(self, payload: str) -> str:
        return payload

    @workflow.update
    async def finish(self) -> None:
        self.finished = True


TWIN_WORKFLOWS = [TwinCertificationWorkflow, TwinAuditWorkflow, BareUpdateWorkflow]
