"""certflow's I/O worker (mail, certificate documents, the planner) as a process of its own, as a deployment
runs it beside the core worker (``CERTFLOW_WORKER_ROLE=io``, workers/pair.py): the ``engine`` benchmark
runs the core worker in its own process, like the twin's, and this one beside it.

``python -m bench.io_worker certflow TEMPORAL_ADDRESS DSN TASK_QUEUE SMTP_PORT`` prints one line once it
polls, and stops on SIGTERM. Unlike `certflow worker` it starts none of the namespace's singleton processes
(the CNCA reminder, the planner's): a benchmark's server should run only what the benchmark drives.
``python -m bench.io_worker twin TEMPORAL_ADDRESS TASK_QUEUE`` is the twin's (its no-op activities on
``TASK_QUEUE-io``), for a twin whose activities go to a worker apart as certflow's do.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psutil


async def serve(address: str, dsn: str, task_queue: str, smtp_port: str) -> None:
    from temporalio.client import Client
    from temporalio.contrib.pydantic import pydantic_data_converter

    from activities.notify import MailSettings
    from store.db import create_pool
    from workers.main import build_worker

    client = await Client.connect(address, data_converter=pydantic_data_converter)
    pool = await create_pool(dsn, min_size=1, max_size=8)
    try:
        await _until_stopped(build_worker(client, pool, task_queue, MailSettings(
            host="127.0.0.1", port=int(smtp_port), timeout=10), role="io"), f"{task_queue}-io")
    finally:
        await pool.close()


async def serve_twin(address: str, task_queue: str) -> None:
    """The twin's I/O worker: its no-op activity on ``<task_queue>-io`` (bench/twin_workflows.py)."""
    from temporalio.client import Client
    from temporalio.worker import Worker

    from bench.twin_workflows import twin_activity

    client = await Client.connect(address)
    await _until_stopped(Worker(client, task_queue=f"{task_queue}-io", activities=[twin_activity]),
                         f"{task_queue}-io")


async def _until_stopped(worker: Any, queue: str) -> None:
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    async with worker:
        print(f"polling {queue}", flush=True)  # the parent waits for this line
        await stop.wait()


@contextmanager
def io_worker_process(address: str, dsn: str, task_queue: str, smtp_port: int) -> Iterator[psutil.Process]:
    """The I/O worker of ``task_queue`` as a child process, once it polls; stopped on leaving."""
    with _child("certflow", address, dsn, task_queue, str(smtp_port)) as process:
        yield process


@contextmanager
def twin_io_worker_process(address: str, task_queue: str) -> Iterator[psutil.Process]:
    """The twin's I/O worker of ``task_queue`` as a child process, once it polls; stopped on leaving."""
    with _child("twin", address, task_queue) as process:
        yield process


@contextmanager
def _child(*args: str) -> Iterator[psutil.Process]:
    child = subprocess.Popen([sys.executable, "-m", "bench.io_worker", *args], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        if not child.stdout.readline():  # nothing: it ended before polling
            raise RuntimeError(f"the I/O worker did not start (exit status {child.wait()})")
        yield psutil.Process(child.pid)
    finally:
        child.terminate()
        child.wait(timeout=60)


if __name__ == "__main__":
    asyncio.run(serve_twin(*sys.argv[2:4]) if sys.argv[1] == "twin" else serve(*sys.argv[2:6]))
