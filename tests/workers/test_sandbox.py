"""certflow's workflow sandbox (workers/sandbox.py, issue 17): the serialization context of a command is
asked of the sandbox once per workflow task, not once per payload and pass, and not at all when the data
converter has nothing that reads it; each payload still goes through a codec with its own command's
context."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from temporalio import activity, workflow
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import (
    ActivitySerializationContext,
    DataConverter,
    PayloadCodec,
    SerializationContext,
    WithSerializationContext,
    WorkflowSerializationContext,
)
from temporalio.worker import Worker, WorkflowInstance

from workers.sandbox import CertflowSandboxRunner, ContextsAskedOncePerTask, contexts_used_by, workflow_runner

STAMP = "certflow-test-context"


def describe(context: SerializationContext | None) -> str:
    if isinstance(context, ActivitySerializationContext):
        return f"activity:{context.activity_type}"
    if isinstance(context, WorkflowSerializationContext):
        return f"workflow:{context.workflow_id}"
    return "none"


@dataclasses.dataclass(frozen=True)
class StampingCodec(PayloadCodec, WithSerializationContext):
    """Marks every payload it encodes with the context it was given for it."""

    context: SerializationContext | None = None

    def with_context(self, context: SerializationContext) -> StampingCodec:
        return StampingCodec(context)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        stamped = []
        for payload in payloads:
            copy = Payload()
            copy.CopyFrom(payload)
            copy.metadata[STAMP] = describe(self.context).encode()
            stamped.append(copy)
        return stamped

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        plain = []
        for payload in payloads:
            copy = Payload()
            copy.CopyFrom(payload)
            copy.metadata.pop(STAMP, None)
            plain.append(copy)
        return plain


@activity.defn(name="stamp_first")
async def stamp_first(text: str) -> str:
    return text.upper()


@activity.defn(name="stamp_second")
async def stamp_second(text: str) -> str:
    return text[::-1]


@workflow.defn(name="TwoActivitiesAtOnce")
class TwoActivitiesAtOnce:
    @workflow.run
    async def run(self, text: str) -> str:
        timeout = timedelta(seconds=30)
        first, second = await asyncio.gather(
            workflow.execute_activity("stamp_first", text, start_to_close_timeout=timeout),
            workflow.execute_activity("stamp_second", text, start_to_close_timeout=timeout))
        return f"{first}/{second}"


def stamp(payloads: Any) -> str:
    return payloads.payloads[0].metadata[STAMP].decode()


async def test_each_payload_is_encoded_with_its_own_commands_context(temporal_env: Any) -> None:
    client = Client(**{**temporal_env.client.config(), "data_converter": DataConverter(payload_codec=StampingCodec())})
    queue, workflow_id = f"sandbox-{uuid.uuid4().hex[:8]}", f"stamps-{uuid.uuid4().hex[:8]}"
    runner = workflow_runner(client.data_converter)
    assert runner.contexts_used  # a codec reads them
    async with Worker(client, task_queue=queue, workflows=[TwoActivitiesAtOnce], activities=[stamp_first, stamp_second],
                      workflow_runner=runner):
        handle = await client.start_workflow(TwoActivitiesAtOnce.run, "abc", id=workflow_id, task_queue=queue)
        assert await handle.result() == "ABC/cba"
        scheduled, completed = [], None
        async for event in handle.fetch_history_events():
            if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                attributes = event.activity_task_scheduled_event_attributes
                scheduled.append((attributes.activity_type.name, stamp(attributes.input)))
            elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
                completed = stamp(event.workflow_execution_completed_event_attributes.result)
    # both activities were scheduled by one workflow task, each input with its own activity's context
    assert sorted(scheduled) == [("stamp_first", "activity:stamp_first"), ("stamp_second", "activity:stamp_second")]
    assert completed == f"workflow:{workflow_id}"


class CountingInstance(WorkflowInstance):
    """Stands in for the sandboxed instance (the SDK's, not ours): counts the questions that reach it and
    answers with how many activations it has had."""

    def __init__(self) -> None:
        self.asked: list[Any] = []
        self.activations = 0

    def activate(self, act: Any) -> Any:
        self.activations += 1
        return act

    def get_serialization_context(self, command_info: Any) -> Any:
        self.asked.append(command_info)
        return (command_info, self.activations)

    def get_external_store_context(self, command_info: Any) -> Any:
        self.asked.append(("store", command_info))
        return ("store", command_info, self.activations)

    def get_info(self) -> Any:
        return "info"

    def get_thread_id(self) -> int | None:
        return 7


def test_a_commands_context_is_asked_once_between_activations() -> None:
    sandboxed = CountingInstance()
    instance = ContextsAskedOncePerTask(sandboxed)
    for _ in range(3):  # three passes over the payloads of one activation
        assert instance.get_serialization_context("seq-1") == ("seq-1", 0)
        assert instance.get_serialization_context(None) == (None, 0)
        assert instance.get_external_store_context("seq-1") == ("store", "seq-1", 0)
    assert sandboxed.asked == ["seq-1", None, ("store", "seq-1")]

    instance.activate("activation")  # the workflow's state may change: asked afresh
    assert instance.get_serialization_context("seq-1") == ("seq-1", 1)
    assert sandboxed.asked[-1] == "seq-1" and len(sandboxed.asked) == 4
    assert (instance.get_info(), instance.get_thread_id()) == ("info", 7)


def test_without_a_codec_or_external_storage_no_context_is_asked() -> None:
    """certflow's own converter (pydantic, no codec, no external storage): nothing would read a context,
    so the sandbox is not entered for one."""
    assert not contexts_used_by(pydantic_data_converter)
    assert contexts_used_by(DataConverter(payload_codec=StampingCodec()))
    sandboxed = CountingInstance()
    instance = ContextsAskedOncePerTask(sandboxed, contexts_used=False)
    assert instance.get_serialization_context("seq-1") is None
    assert instance.get_external_store_context("seq-1").target is None
    assert sandboxed.asked == []


async def test_the_worker_and_replayers_use_certflows_sandbox(temporal_env: Any, pool: Any) -> None:
    from workers.main import build_worker  # not at the top: the sandbox imports this module for its workflow
    from workers.sandbox import PASSED_THROUGH

    runner = workflow_runner()
    assert isinstance(runner, CertflowSandboxRunner) and runner.contexts_used  # a replayer's: asks, once per task
    assert set(PASSED_THROUGH) <= runner.restrictions.passthrough_modules
    worker = build_worker(temporal_env.client, pool, f"sandbox-{uuid.uuid4().hex[:8]}")
    built = worker.config()["workflow_runner"]
    assert isinstance(built, CertflowSandboxRunner) and not built.contexts_used  # the client's pydantic converter
