"""``memory``: the worker's memory with N open certifications and a bounded workflow cache, against the
same N twins. Each worker runs in a process of its own (``python -m bench.memory worker …``) so that its
resident memory (psutil) is its own; the bench starts the certifications and reads that memory as the
cache fills (up to its bound, half of N) and after (beyond the bound it should stay flat).

A certification is *open* once it waits for its first task (the review of the application); its twin
once it has answered its first Update and waits for the next, as the grant path's twin does then.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import signal
import sys
import uuid
from typing import Any

import psutil
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from bench.certflow_parts import certflow_parts, search_attributes, start_certification
from bench.harness import Run, bench, ratio
from bench.twin import dev_server, twin_input, twin_worker
from bench.twin_profile import load_profile

READY = "worker ready"
MB = 1024 * 1024


async def open_certification(client: Client, queue: str, staff: Any) -> None:
    handle = await start_certification(client, queue, staff)
    await handle.execute_update("wait_for_task", "application_review")


async def open_twin(client: Client, queue: str, profile: dict[str, Any]) -> None:
    root = profile["scenarios"]["grant"]["root"]
    first = profile["histories"][root]["driver"][0]
    handle = await client.start_workflow("TwinCertificationWorkflow", twin_input(profile, root),
                                         id=f"twin-{uuid.uuid4()}", task_queue=queue, result_type=str)
    await handle.execute_update(first["name"], "x" * max(0, first["input_bytes"] - 2))


async def _spawn_worker(kind: str, address: str, queue: str, cache: int, dsn: str, smtp_port: int) -> Any:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.memory", "worker", kind, address, queue, str(cache), dsn, str(smtp_port),
        stdout=asyncio.subprocess.PIPE, env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert process.stdout is not None
    async with asyncio.timeout(120):
        while READY not in (await process.stdout.readline()).decode():
            if process.returncode is not None:
                raise RuntimeError(f"the {kind} worker exited ({process.returncode})")
    return process


def _rss_mb(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / MB


async def fill(opener: Any, process: Any, n: int, concurrency: int, advance: Any) -> list[dict[str, float]]:
    """Open ``n`` workflows ``concurrency`` at a time; the worker's memory after each quarter of them."""
    await opener()  # a first one: what the worker loads once is not counted per workflow
    readings = [{"open": 0, "rss_mb": round(_rss_mb(process.pid), 1)}]
    gate = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with gate:
            await opener()
            advance()

    quarters = [round(n * q / 4) for q in range(1, 5)]
    done = 0
    for mark in quarters:
        await asyncio.gather(*(one() for _ in range(mark - done)))
        done = mark
        readings.append({"open": done, "rss_mb": round(_rss_mb(process.pid), 1)})
    return readings


async def measure(kind: str, client: Client, address: str, parts: Any, n: int, cache: int, concurrency: int,
                  advance: Any) -> dict[str, Any]:
    queue = f"mem-{kind}-{uuid.uuid4().hex[:6]}"
    process = await _spawn_worker(kind, address, queue, cache, parts.dsn, parts.mail.port)
    try:
        if kind == "certflow":
            readings = await fill(lambda: open_certification(client, queue, parts.staff), process, n, concurrency,
                                  advance)
        else:
            profile = load_profile()
            readings = await fill(lambda: open_twin(client, queue, profile), process, n, concurrency, advance)
    finally:
        process.send_signal(signal.SIGTERM)
        await process.wait()
    at_bound = next(r for r in readings if r["open"] >= cache)
    per_workflow = (at_bound["rss_mb"] - readings[0]["rss_mb"]) / max(1, at_bound["open"])
    return {"rss_mb": readings, "mb_per_cached_workflow": round(per_workflow, 3),
            "growth_beyond_bound_mb": round(readings[-1]["rss_mb"] - at_bound["rss_mb"], 1)}


@bench("memory", "worker memory with N open certifications and a bounded cache, against N twins", slow=True)
async def memory_bench(run: Run) -> dict[str, Any]:
    n = run.count(200, minimum=8)
    cache, concurrency = max(2, n // 2), 8
    async with certflow_parts(run.workdir) as parts, \
            dev_server(run.workdir, search_attributes(), pydantic_data_converter) as client:
        address = client.service_client.config.target_host
        with run.progress("open workflows", 2 * n) as advance:
            certflow = await measure("certflow", client, address, parts, n, cache, concurrency, advance)
            twin = await measure("twin", client, address, parts, n, cache, concurrency, advance)
    return {"open": n, "cache": cache, "certflow": certflow, "twin": twin,
            "ratio": ratio(certflow["mb_per_cached_workflow"], twin["mb_per_cached_workflow"]),
            "baseline": "the same number of the grant path's twins, each after its first Update"}


async def serve(kind: str, address: str, queue: str, cache: int, dsn: str, smtp_port: int) -> None:
    """The worker process: certflow's worker (workers/main.py) or the twin's, until SIGTERM."""
    from activities.notify import MailSettings
    from store.db import create_pool
    from workers.main import build_worker

    client = await Client.connect(address, data_converter=pydantic_data_converter)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    pool = await create_pool(dsn, min_size=1, max_size=8) if kind == "certflow" else None
    worker: Any = build_worker(client, pool, queue, MailSettings(host="127.0.0.1", port=smtp_port),
                               max_cached_workflows=cache) if pool else twin_worker(client, queue,
                                                                                   max_cached_workflows=cache)
    async with worker:
        gc.collect()
        print(READY, flush=True)
        await stop.wait()
    if pool is not None:
        await pool.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.memory")
    parser.add_argument("role", choices=["worker"])
    for name in ("kind", "address", "queue", "cache", "dsn", "smtp_port"):
        parser.add_argument(name)
    a = parser.parse_args()
    asyncio.run(serve(a.kind, a.address, a.queue, int(a.cache), a.dsn, int(a.smtp_port)))
