"""The worker's Temporal SDK metrics (issue 16): with CERTFLOW_WORKER_METRICS_ADDRESS the SDK's own
Prometheus exporter serves them, and they move as the worker runs workflows."""

from __future__ import annotations

import uuid

import httpx
from prometheus_client.parser import text_string_to_metric_families
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from certflow.embedded import free_port
from certflow.temporal_client import metrics_runtime
from schemas.system import SmokeInput, SmokeResult
from workers.main import build_worker
from workflows.smoke import SmokeWorkflow


def completed(text: str) -> float:
    return sum(s.value for family in text_string_to_metric_families(text) for s in family.samples
               if s.name == "temporal_workflow_completed_total")


async def test_the_sdk_metrics_are_served_and_count_completed_workflows(temporal_env, pool):
    address = f"127.0.0.1:{free_port()}"
    target = temporal_env.client.service_client.config.target_host
    client = await Client.connect(target, namespace=temporal_env.client.namespace,
                                  data_converter=pydantic_data_converter, runtime=metrics_runtime(address))
    queue = f"metrics-{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(base_url=f"http://{address}") as scraper, build_worker(client, pool, queue):
        for label in ("one", "two"):
            await client.execute_workflow(SmokeWorkflow.run, SmokeInput(label=label), id=f"smoke-{uuid.uuid4()}",
                                          task_queue=queue, result_type=SmokeResult)
        page = await scraper.get("/metrics")
    assert page.status_code == 200
    assert completed(page.text) >= 2, page.text[:3000]
    assert "temporal_workflow_task_execution_latency" in page.text
