"""Where a worker's time goes, from the Temporal SDK's own metrics (Prometheus text on the worker's
metrics address, bench/stack.py): the mean of a latency histogram over a stretch of a benchmark, as
the difference of two scrapes. The SDK reports these in milliseconds."""

from __future__ import annotations

from collections import defaultdict

import httpx
from prometheus_client.parser import text_string_to_metric_families

# What a completion waits on: the workflow task that carries its Update, from being scheduled to being
# taken by the worker, run, and its answer written by the server; and the activities around it.
LATENCIES = {
    "workflow_task_schedule_to_start": ("temporal_workflow_task_schedule_to_start_latency", None),
    "workflow_task_execution": ("temporal_workflow_task_execution_latency", None),
    "respond_workflow_task_completed": ("temporal_request_latency", "RespondWorkflowTaskCompleted"),
    "activity_schedule_to_start": ("temporal_activity_schedule_to_start_latency", None),
    "activity_execution": ("temporal_activity_execution_latency", None),
}

Scrape = dict[str, tuple[float, float]]  # name -> (sum in ms, count)


async def scrape(http: httpx.AsyncClient, url: str) -> Scrape:
    """The sums and counts of :data:`LATENCIES`, over every label but the operation asked for."""
    text = (await http.get(url)).text
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for family in text_string_to_metric_families(text):
        for name, (metric, operation) in LATENCIES.items():
            if family.name != metric:
                continue
            for sample in family.samples:
                if operation is not None and sample.labels.get("operation") != operation:
                    continue
                if sample.name.endswith("_sum"):
                    totals[name][0] += sample.value
                elif sample.name.endswith("_count"):
                    totals[name][1] += sample.value
    return {name: (total, count) for name, (total, count) in totals.items()}


def means_between(before: Scrape, after: Scrape) -> dict[str, float | None]:
    """The mean latency (ms) of each over what happened between the two scrapes."""
    means: dict[str, float | None] = {}
    for name in LATENCIES:
        total = after.get(name, (0.0, 0.0))[0] - before.get(name, (0.0, 0.0))[0]
        count = after.get(name, (0.0, 0.0))[1] - before.get(name, (0.0, 0.0))[1]
        means[name] = round(total / count, 1) if count else None
    return means


def counts_between(before: Scrape, after: Scrape) -> dict[str, int]:
    """How many of each happened between the two scrapes (workflow tasks run, activities run, ...)."""
    return {name: int(after.get(name, (0.0, 0.0))[1] - before.get(name, (0.0, 0.0))[1]) for name in LATENCIES}
