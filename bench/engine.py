"""``engine``: certflow's grant path against its bare-Temporal twin on the same dev server, in the same
run, with the same counts and concurrency: certifications per minute, and the round trip of completing
a task (certflow's ``complete_task``) against the twin's same Updates.

certflow's side is its real worker (workers/main.py) with PostgreSQL and mail, driven at the engine (the
Updates the API would send, without the API); the audit is recorded after the fact since the dev
server's clock does not move. As deployed, its I/O worker (mail, documents, the planner: work the twin's
no-op activities do not do) runs in a process of its own; the core worker, with the workflows and the
register's writes, runs in this process as the twin's worker does. CPU per certification is reported for
each, and for the Temporal server on either side. The twin runs its grant scenario (bench/twin_profile.json).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from typing import Any

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import MetricBuffer, MetricBufferDurationFormat, Runtime, TelemetryConfig

from bench.certflow_parts import certflow_parts, search_attributes
from bench.harness import Run, bench, percentile, ratio
from bench.io_worker import io_worker_process
from bench.life_driver import LifeDriver, WallClock
from bench.stack import tree_cpu_seconds
from bench.twin import dev_server_process, run_twin


class TaskTimes:
    """The worker's time on each workflow task (the SDK's ``workflow_task_execution_latency``), by workflow
    type, read from a metric buffer of the client's runtime while the workers run."""

    METRIC = "workflow_task_execution_latency"

    def __init__(self) -> None:
        self.buffer = MetricBuffer(200_000, MetricBufferDurationFormat.SECONDS)  # seconds come as floats
        self.runtime = Runtime(telemetry=TelemetryConfig(metrics=self.buffer))
        self.by_type: dict[str, list[float]] = {}

    def drain(self) -> None:
        for update in self.buffer.retrieve_updates():
            if update.metric.name.endswith(self.METRIC):
                kind = str(update.attributes.get("workflow_type", "?"))
                self.by_type.setdefault(kind, []).append(float(update.value) * 1000)

    async def drain_while(self, work: Any) -> Any:
        """Run ``work``, draining the buffer as it goes (a full buffer drops updates)."""
        task = asyncio.ensure_future(work)
        while not task.done():
            self.drain()
            await asyncio.wait([task], timeout=0.5)
        self.drain()
        return task.result()

    def take(self) -> dict[str, list[float]]:
        """The times seen since the last take, by workflow type (for the side that just ran)."""
        taken, self.by_type = self.by_type, {}
        return taken


def task_time_summary(by_type: dict[str, list[float]]) -> dict[str, Any]:
    """p50 / p95 per workflow type, and over all."""
    every = [v for values in by_type.values() for v in values]
    return {kind: _spread(values) for kind, values in sorted(by_type.items())} | {"all": _spread(every)}


def _spread(values: list[float]) -> dict[str, Any]:
    return {"tasks": len(values), "p50_ms": round(percentile(values, 0.5), 2),
            "p95_ms": round(percentile(values, 0.95), 2)}


async def run_certflow(client: Any, parts: Any, *, certifications: int, concurrency: int,
                       advance: Any, io_apart: bool = True) -> dict[str, Any]:
    """``certifications`` grant paths, ``concurrency`` at a time, on certflow's worker: the core worker in
    this process and, with ``io_apart`` (as deployed), the I/O worker in a process of its own
    (bench/io_worker.py); without it, both here (``CERTFLOW_WORKER_ROLE=all``)."""
    from workers.main import build_worker

    queue, gate, completions = f"grant-{uuid.uuid4().hex[:6]}", asyncio.Semaphore(concurrency), []

    async def one() -> None:
        async with gate:
            driver = LifeDriver(WallClock(client), parts, queue)
            await driver.grant(clock_moves=False)
            completions.extend(driver.completions_ms)
            advance()

    with contextlib.ExitStack() as apart:
        io = apart.enter_context(io_worker_process(client.service_client.config.target_host, parts.dsn, queue,
                                                   parts.mail.port)) if io_apart else None
        async with build_worker(client, parts.pool, queue, parts.mail, role="core" if io_apart else "all"):
            started, cpu, io_cpu = time.perf_counter(), time.process_time(), tree_cpu_seconds(io) if io else 0.0
            pg_cpu = tree_cpu_seconds(parts.postgres) if parts.postgres else 0.0
            await asyncio.gather(*(one() for _ in range(certifications)))
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            io_cpu = tree_cpu_seconds(io) - io_cpu if io else 0.0
            pg_cpu = tree_cpu_seconds(parts.postgres) - pg_cpu if parts.postgres else 0.0
    return {"certifications": certifications, "wall_s": round(wall, 2),
            "per_minute": round(certifications / wall * 60, 2),
            "io_worker": "a process of its own" if io_apart else "in the core worker's process",
            "process_cpu_s_per_certification": round(cpu / certifications, 3),
            "io_process_cpu_s_per_certification": round(io_cpu / certifications, 3),
            "postgres_cpu_s_per_certification": round(pg_cpu / certifications, 3),
            "complete_task_p50_ms": round(percentile(completions, 0.5), 1),
            "complete_task_p95_ms": round(percentile(completions, 0.95), 1), "completions": len(completions),
            "completions_ms": completions}


@bench("engine", "certflow's grant path against its bare-Temporal twin on one dev server: per minute, "
                    "task completion round trips")
async def engine_bench(run: Run) -> dict[str, Any]:
    """certflow, the twin and the twin with its I/O apart take turns in rounds, so that load from outside
    falls on all three alike; the figures pool the rounds, and each round's own ratios show the spread."""
    certifications, concurrency = run.count(20, minimum=2), run.count(4, minimum=1)
    rounds = max(1, min(3, certifications // (2 * concurrency)))  # each round at least two batches deep
    shares = [certifications // rounds + (1 if i < certifications % rounds else 0) for i in range(rounds)]
    times = TaskTimes()
    sides: dict[str, list[dict[str, Any]]] = {side: [] for side in SIDES}
    task_times: dict[str, dict[str, list[float]]] = {side: {} for side in SIDES}
    async with certflow_parts(run.workdir) as parts, \
            dev_server_process(run.workdir, search_attributes(), pydantic_data_converter, times.runtime) as served:
        client, server = served
        for number, share in enumerate(shares, start=1):
            for side in SIDES:
                with run.progress(f"round {number}/{rounds}: {side.replace('_', ' ')} grant paths", share) as advance:
                    before = tree_cpu_seconds(server)
                    figures = await times.drain_while(one_side(side, client, parts, share, concurrency, advance))
                    figures["server_cpu_s_per_certification"] = round((tree_cpu_seconds(server) - before) / share, 3)
                sides[side].append(figures)
                for kind, values in times.take().items():
                    task_times[side].setdefault(kind, []).extend(values)
    pooled = {side: pool_rounds(sides[side], task_times[side]) for side in SIDES}
    certflow = pooled["certflow"]
    return {"certifications": certifications, "concurrency": concurrency, "rounds": rounds, **pooled,
            **against(certflow, pooled["twin"]),
            **{f"{name}_io_apart": value for name, value in against(certflow, pooled["twin_io_apart"]).items()},
            "by_round": [{"ratio": ratio(c["per_minute"], t["per_minute"]),
                          "ratio_io_apart": ratio(c["per_minute"], a["per_minute"]),
                          "completion_ratio": ratio(c["complete_task_p50_ms"], t["update_p50_ms"])}
                         for c, t, a in zip(sides["certflow"], sides["twin"], sides["twin_io_apart"], strict=True)],
            "baseline": "the twin of the grant path (same counts) on the same server, same concurrency; "
                        "_io_apart: the twin with the activities certflow gives its I/O worker on a worker apart"}


SIDES = ("certflow", "twin", "twin_io_apart")


async def one_side(side: str, client: Any, parts: Any, certifications: int, concurrency: int,
                   advance: Any) -> dict[str, Any]:
    if side == "certflow":
        return await run_certflow(client, parts, certifications=certifications, concurrency=concurrency,
                                  advance=advance)
    twin = await run_twin(client, f"twin-{uuid.uuid4().hex[:6]}", certifications=certifications,
                          concurrency=concurrency, advance=advance, io_apart=side == "twin_io_apart")
    twin.pop("workflow_ids")
    return twin


def pool_rounds(rounds: list[dict[str, Any]], task_times: dict[str, list[float]]) -> dict[str, Any]:
    """One side's rounds as one run: per minute from the summed wall time, CPU per certification weighed by
    each round's certifications, round trips' percentiles over every sample."""
    total = sum(r["certifications"] for r in rounds)
    wall = sum(r["wall_s"] for r in rounds)
    pooled: dict[str, Any] = {k: v for k, v in rounds[0].items() if isinstance(v, str)}  # what the side is
    pooled |= {"certifications": total, "wall_s": round(wall, 2), "per_minute": round(total / wall * 60, 2)}
    for key in [k for k in rounds[0] if k.endswith("cpu_s_per_certification")]:
        pooled[key] = round(sum(r[key] * r["certifications"] for r in rounds) / total, 3)
    name = "complete_task" if "completions_ms" in rounds[0] else "update"
    samples = [ms for r in rounds for ms in r.pop("completions_ms" if name == "complete_task" else "own_ms")]
    pooled |= {key: sum(r[key] for r in rounds) for key in ("completions", "updates") if key in rounds[0]}
    pooled |= {f"{name}_p50_ms": round(percentile(samples, 0.5), 1),
               f"{name}_p95_ms": round(percentile(samples, 0.95), 1), "workflow_task_ms": task_time_summary(task_times)}
    return pooled


def total_cpu(side: dict[str, Any]) -> float:
    """CPU-seconds per certification of everything the side ran: its processes, the server, PostgreSQL."""
    return sum(value for key, value in side.items() if key.endswith("cpu_s_per_certification"))


def against(certflow: dict[str, Any], twin: dict[str, Any]) -> dict[str, Any]:
    """certflow against a twin: per minute and CPU as twin-relative shares (1 is even, below is behind),
    completion and workflow-task times as multiples of the twin's (1 is even, above is slower). Once the
    machine's cores are busy, ``total_cpu_ratio`` bounds ``ratio``."""
    return {"ratio": ratio(certflow["per_minute"], twin["per_minute"]),
            "total_cpu_ratio": ratio(total_cpu(twin), total_cpu(certflow)),
            "completion_ratio": ratio(certflow["complete_task_p50_ms"], twin["update_p50_ms"]),
            "cpu_ratio": ratio(twin["process_cpu_s_per_certification"], certflow["process_cpu_s_per_certification"]),
            "server_cpu_ratio": ratio(twin["server_cpu_s_per_certification"],
                                      certflow["server_cpu_s_per_certification"]),
            "workflow_task_ratio": ratio(certflow["workflow_task_ms"]["all"]["p50_ms"],
                                         twin["workflow_task_ms"]["all"]["p50_ms"])}
