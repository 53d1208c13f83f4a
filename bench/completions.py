"""``complete``: how long completing a task takes while many certifications run (issue 17: at 20 at once,
``POST /api/v1/tasks/{id}/complete`` had a p95 of 1.0–2.0 s, and each certification met about ten 409
"not open" refusals, tasks the inbox still listed after they were completed).

``concurrency`` certifications are driven through the API at once (bench/driver.py), each completion's
latency recorded. The baseline, in the same run and the same API process: ``GET /healthz`` asked at the
same time as the completions, so that it carries the same load (the ratio is what a completion costs
beyond a round trip through the busy API).
"""

from __future__ import annotations

import asyncio
import contextlib
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
from bench.twin import bare_update_latencies
from bench.worker_metrics import means_between, scrape


async def _round_trips(http: httpx.AsyncClient, into: list[float], every: float = 0.1) -> None:
    """``GET /healthz`` every ``every`` seconds until cancelled, latencies (ms) into ``into``."""
    while True:
        began = time.perf_counter()
        (await http.get("/healthz")).raise_for_status()
        into.append((time.perf_counter() - began) * 1000)
        await asyncio.sleep(every)


async def completion_latencies(stack: BenchStack, certifications: int, concurrency: int,
                               advance: Callable[..., None]) -> dict[str, Any]:
    """Drive ``certifications`` through the API, ``concurrency`` at a time: the completions' p50/p95 (ms),
    the refusals, and the loaded round trip's p50/p95 as the baseline."""
    limits = client_limits(concurrency)
    async with httpx.AsyncClient(base_url=stack.api_url, timeout=120, limits=limits) as http:
        before = await scrape(http, stack.worker_metrics_url)
        baseline: list[float] = []
        pinger = asyncio.create_task(_round_trips(http, baseline))
        try:
            done = await certify_many(Driver(http, stack.staff), certifications, concurrency, advance)
        finally:
            pinger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pinger
        worker = means_between(before, await scrape(http, stack.worker_metrics_url))
    latencies = [seconds * 1000 for c in done for _, seconds, status in c.completions if status == 200]
    p95, base_p95 = percentile(latencies, 0.95), percentile(baseline, 0.95)
    return {
        "certifications": len(done), "concurrency": concurrency,
        "certificates_issued": sum(1 for c in done if c.certificate_number),
        "completions": len(latencies),
        "complete_p50_ms": round(percentile(latencies, 0.5), 1), "complete_p95_ms": round(p95, 1),
        "complete_max_ms": round(max(latencies, default=0.0), 1),
        "not_open_409": sum(c.not_open for c in done),
        "not_open_409_per_certification": round(sum(c.not_open for c in done) / max(1, len(done)), 2),
        "baseline": {"what": "GET /healthz under the same load", "p50_ms": round(percentile(baseline, 0.5), 1),
                     "p95_ms": round(base_p95, 1), "requests": len(baseline)},
        "ratio": ratio(p95, base_p95),
        # Where a completion's time goes: each Update rides a workflow task (scheduled, taken, run, answered).
        "worker_mean_ms": worker,
    }


@bench("complete", "POST /tasks/{id}/complete p50/p95 and 409s with 20 certifications at once through the API")
async def complete_bench(run: Run) -> Figures:
    concurrency = run.count(20)
    certifications = concurrency  # one wave: every certification runs beside the others throughout
    async with BenchStack(Path(run.workdir) / "complete") as stack:
        with run.progress("complete: certifications", certifications) as advance:
            figures = await completion_latencies(stack, certifications, concurrency, advance)
        bare = await bare_updates_on(stack, updates=figures["completions"], concurrency=concurrency)
    # The goal: a completion within 1.3 times a bare Update on the same server, as many at once.
    return {**figures, "api_ratio": figures["ratio"], "bare_update": bare,
            "ratio": ratio(figures["complete_p95_ms"], bare["p95_ms"])}


async def bare_updates_on(stack: BenchStack, *, updates: int, concurrency: int) -> dict[str, Any]:
    """Bare Updates (bench/twin.py) on the stack's own Temporal server, after the certifications, as many
    senders as certifications ran at once: the floor a completion is measured against."""
    client = await Client.connect(stack.temporal_address, namespace=stack.temporal_namespace)
    values = await bare_update_latencies(client, f"bare-{uuid.uuid4().hex[:6]}", updates=max(updates, concurrency),
                                         concurrency=concurrency)
    return {"updates": len(values), "concurrency": concurrency, "p50_ms": round(percentile(values, 0.5), 1),
            "p95_ms": round(percentile(values, 0.95), 1)}
