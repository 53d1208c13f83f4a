"""``certflow temporal worker-alive``: the health check of a worker container (docker-compose.yml).

A worker is alive when Temporal has seen it poll certflow's task queue lately (an I/O worker,
``CERTFLOW_WORKER_ROLE=io``: the ``<queue>-io`` one it serves). The SDK names each
worker ``<pid>@<host name>``, and in a container the host name is the container's, so the check looks
for a poller of this host among those the task queue reports. It runs beside the worker (a second
process in the same container), so it only reads: it never polls the queue itself."""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
from datetime import UTC, datetime, timedelta

from certflow.settings import Settings, get_settings

RECENT = timedelta(minutes=2)  # the server keeps a poller in the list for about this long


def polled_queue(settings: Settings) -> str:
    """The task queue this host's worker polls: the I/O worker's own, or certflow's."""
    if settings.worker_role == "io":
        from workflows.mail import IO_QUEUE_SUFFIX  # only here: the health check of a core worker stays light

        return f"{settings.task_queue}{IO_QUEUE_SUFFIX}"
    return settings.task_queue


async def pollers_of_this_host(settings: Settings, host: str) -> list[str]:
    """Identities of this host's workers that polled the task queue within ``RECENT``."""
    from temporalio.api.enums.v1 import TaskQueueType
    from temporalio.api.taskqueue.v1 import TaskQueue
    from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

    from certflow.temporal_client import connect_client

    client = await connect_client(settings)
    since = datetime.now(UTC) - RECENT
    seen: list[str] = []
    for kind in (TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY):
        described = await client.workflow_service.describe_task_queue(DescribeTaskQueueRequest(
            namespace=settings.temporal_namespace, task_queue=TaskQueue(name=polled_queue(settings)),
            task_queue_type=kind))
        seen += [poller.identity for poller in described.pollers
                 if poller.identity.endswith(f"@{host}") and poller.last_access_time.ToDatetime(UTC) >= since]
    return seen


def cmd_worker_alive(args: argparse.Namespace) -> int:
    settings, host = get_settings(), socket.gethostname()
    try:
        seen = asyncio.run(asyncio.wait_for(pollers_of_this_host(settings, host), timeout=8))
    except Exception as exc:  # TimeoutError and RPC errors alike: not healthy, say why
        print(f"certflow temporal worker-alive: cannot ask Temporal at {settings.temporal_target}: {exc}",
              file=sys.stderr)
        return 1
    if not seen:
        print(f"certflow temporal worker-alive: no worker on {host} polled task queue {polled_queue(settings)} "
              f"in the last {RECENT.seconds // 60} minutes", file=sys.stderr)
        return 1
    print(f"alive: {', '.join(sorted(set(seen)))}")
    return 0
