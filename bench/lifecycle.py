"""``lifecycle``: certflow's side of throughput (issue 17: at 20 at once through the API, certflow made
0.54 times the certifications per minute of bare Temporal running the same steps).

``certifications`` initial certifications are driven through the API (bench/driver.py), ``concurrency``
at a time, from the application to the certificate in the register, and certifications per minute and
the CPU seconds each part of the system (worker, API, Temporal, PostgreSQL) spent per certification
are taken. The baseline is the bare-Temporal twin (bench/twin.py), run by the lead beside this one:
this benchmark leaves ``ratio`` null.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from temporalio.client import Client

from bench.driver import Driver, certify_many, client_limits
from bench.harness import Figures, Run, bench, percentile, ratio
from bench.stack import BenchStack
from bench.twin import run_twin
from bench.worker_metrics import counts_between, means_between, scrape


async def run_certflow_lifecycles(stack: BenchStack, *, certifications: int, concurrency: int,
                                  advance: Callable[..., None]) -> dict[str, Any]:
    """Certifications per minute through the API, the wall time, and CPU seconds per certification by part."""
    limits = client_limits(concurrency)
    async with httpx.AsyncClient(base_url=stack.api_url, timeout=120, limits=limits) as http:
        metrics_before = await scrape(http, stack.worker_metrics_url)
        cpu_before, began = stack.cpu_seconds(), time.monotonic()
        done = await certify_many(Driver(http, stack.staff), certifications, concurrency, advance)
        wall, cpu_after = time.monotonic() - began, stack.cpu_seconds()
        metrics_after = await scrape(http, stack.worker_metrics_url)
    happened = counts_between(metrics_before, metrics_after)
    spent = {part: cpu_after[part] - cpu_before.get(part, 0.0) for part in cpu_after}
    each = [c.seconds for c in done]
    return {
        "certifications": len(done), "concurrency": concurrency,
        "certificates_issued": sum(1 for c in done if c.certificate_number),
        "wall_seconds": round(wall, 2),
        "certifications_per_minute": round(len(done) / wall * 60, 2) if wall else None,
        "certification_p50_s": round(percentile(each, 0.5), 2), "certification_p95_s": round(percentile(each, 0.95), 2),
        "cpu_seconds_per_certification": {part: round(s / max(1, len(done)), 3) for part, s in spent.items()},
        "cpu_seconds_per_certification_total": round(sum(spent.values()) / max(1, len(done)), 3),
        "not_open_409": sum(c.not_open for c in done),
        # What the worker did per certification (workflow tasks are what the server persists one by one).
        "workflow_tasks_per_certification": round(happened["workflow_task_execution"] / max(1, len(done)), 1),
        "activities_per_certification": round(happened["activity_execution"] / max(1, len(done)), 1),
        "worker_mean_ms": means_between(metrics_before, metrics_after),
    }


@bench("lifecycle", "certifications per minute through the API, 20 at once, and CPU seconds per certification by part")
async def lifecycle_bench(run: Run) -> Figures:
    certifications, concurrency = run.count(60), run.count(20)
    async with BenchStack(Path(run.workdir) / "lifecycle") as stack:
        with run.progress("lifecycle: certifications", certifications) as advance:
            figures = await run_certflow_lifecycles(stack, certifications=certifications, concurrency=concurrency,
                                                    advance=advance)
        client = await Client.connect(stack.temporal_address, namespace=stack.temporal_namespace)
        with run.progress("lifecycle: bare-Temporal twins", certifications) as advance:
            twin = await run_twin(client, f"twin-{uuid.uuid4().hex[:6]}", certifications=certifications,
                                  concurrency=concurrency, advance=advance)
    twin.pop("workflow_ids", None)
    twin.pop("own_ms", None)  # the samples behind its percentiles
    # The baseline: the bare-Temporal twin of the grant path (bench/twin.py, the same activities, timers,
    # Updates and child as the recorded history) on the same dev server, as many at once, right after.
    return {**figures, "twin": twin,
            "ratio": ratio(figures["certifications_per_minute"] or 0.0, twin.get("per_minute") or 0.0)}
