"""certflow's I/O worker (mail, certificate documents, the planner) as a process of its own, as a deployment
runs it beside the core worker (``CERTFLOW_WORKER_ROLE=io``, workers/pair.py): the ``engine`` benchmark
runs the core worker in its own process, like the twin's, and this one beside it.

``python -m bench.io_worker TEMPORAL_ADDRESS DSN TASK_QUEUE SMTP_PORT`` prints one line once it polls, and
stops on SIGTERM. Unlike `certflow worker` it starts none of the namespace's singleton processes (the
CNCA reminder, the planner's): a benchmark's server should run only what the benchmark drives.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import psutil


async def serve(address: str, dsn: str, task_queue: str, smtp_port: str) -> None:
    from temporalio.client import Client
    from temporalio.contrib.pydantic import pydantic_data_converter

    from activities.notify import MailSettings
    from store.db import create_pool
    from workers.main import build_worker

    client = await Client.connect(address, data_converter=pydantic_data_converter)
    pool = await create_pool(dsn, min_size=1, max_size=8)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    try:
        async with build_worker(client, pool, task_queue, MailSettings(host="127.0.0.1", port=int(smtp_port),
                                                                      timeout=10), role="io"):
            print(f"polling {task_queue}-io", flush=True)  # the parent waits for this line
            await stop.wait()
    finally:
        await pool.close()


@contextmanager
def io_worker_process(address: str, dsn: str, task_queue: str, smtp_port: int) -> Iterator[psutil.Process]:
    """The I/O worker of ``task_queue`` as a child process, once it polls; stopped on leaving."""
    child = subprocess.Popen([sys.executable, "-m", "bench.io_worker", address, dsn, task_queue, str(smtp_port)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        if not child.stdout.readline():  # nothing: it ended before polling
            raise RuntimeError(f"the I/O worker did not start (exit status {child.wait()})")
        yield psutil.Process(child.pid)
    finally:
        child.terminate()
        child.wait(timeout=60)


if __name__ == "__main__":
    asyncio.run(serve(*sys.argv[1:5]))
