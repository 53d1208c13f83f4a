"""Tracing (issue 16): with the interceptor, a workflow's start, its run and its activities are spans of
one trace; without CERTFLOW_TRACING nothing is intercepted."""

from __future__ import annotations

import uuid

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from certflow.settings import Settings
from certflow.tracing import interceptors_for, tracer_provider, tracing_interceptor
from schemas.system import SmokeInput, SmokeResult
from workers.main import build_worker
from workflows.smoke import SmokeWorkflow


async def test_a_workflow_and_its_activities_are_spans_of_one_trace(temporal_env, pool):
    exporter = InMemorySpanExporter()
    provider = tracer_provider("certflow-test", exporter)
    client = await Client.connect(temporal_env.client.service_client.config.target_host,
                                  namespace=temporal_env.client.namespace, data_converter=pydantic_data_converter,
                                  interceptors=[tracing_interceptor(provider)])
    queue = f"traced-{uuid.uuid4().hex[:8]}"
    async with build_worker(client, pool, queue):
        await client.execute_workflow(SmokeWorkflow.run, SmokeInput(label="traced"), id=f"smoke-{uuid.uuid4()}",
                                      task_queue=queue, result_type=SmokeResult)
    provider.force_flush()
    spans = exporter.get_finished_spans()
    names = {span.name for span in spans}
    assert {"StartWorkflow:SmokeWorkflow", "RunWorkflow:SmokeWorkflow"} <= names, names
    assert any(name.startswith("RunActivity:") for name in names), names
    assert len({span.context.trace_id for span in spans}) == 1  # one trace from the start to the activity
    assert {span.resource.attributes["service.name"] for span in spans} == {"certflow-test"}


def test_tracing_is_off_unless_asked_for():
    assert interceptors_for(Settings(_env_file=None), "certflow-api") == []
    assert len(interceptors_for(Settings(_env_file=None, tracing=True), "certflow-api")) == 1
