"""The two workers of one task queue (issue 16): the core worker runs the workflows and the register's
activities on ``<queue>``, the I/O worker runs mail and documents on ``<queue>-io`` (workflows/mail.py),
so a slow SMTP server or PDF never holds up a decision. One process runs both by default; with
CERTFLOW_WORKER_ROLE=core or io a deployment scales them apart.

The core worker keeps the I/O activities too: runs begun before the I/O queue still schedule their
mail on the workflow's own queue, and must find it served there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from types import TracebackType
from typing import Any, Literal

from temporalio.client import Client
from temporalio.worker import Worker

from workflows.mail import IO_QUEUE_SUFFIX

WorkerRole = Literal["all", "core", "io"]
# The planner's activities too (issue 18): a solver thinking for seconds belongs beside the process.
IO_ACTIVITIES = frozenset({
    "deliver_mail", "issue_certificate_document", "propose_programme", "replan_proposals", "plan_horizon",
})


class WorkerPair:
    """Run as one: ``async with`` starts every worker the role asks for and stops them all."""

    def __init__(self, workers: list[Worker], cleanups: Sequence[Callable[[], Awaitable[None]]] = ()) -> None:
        self.workers = workers
        self.cleanups = list(cleanups)  # once the workers have stopped (e.g. the kept SMTP connections' QUIT)
        self._stack: AsyncExitStack | None = None

    def config(self) -> Any:
        """The first worker's configuration (the core one unless the role is io)."""
        return self.workers[0].config()

    async def __aenter__(self) -> WorkerPair:
        async with AsyncExitStack() as stack:
            for worker in self.workers:
                await stack.enter_async_context(worker)
            self._stack = stack.pop_all()
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        if self._stack is not None:
            await self._stack.__aexit__(kind, error, trace)  # in reverse: the I/O worker stops first
            self._stack = None
            for cleanup in self.cleanups:
                await cleanup()


def pair_workers(client: Client, task_queue: str, workflows: list[type], activities: list[Any], *,
                 role: WorkerRole = "all", io_options: dict[str, Any] | None = None,
                 cleanups: Sequence[Callable[[], Awaitable[None]]] = (), **options: Any) -> WorkerPair:
    """``options`` go to the core worker (workflow cache, sandbox ...), ``io_options`` to the I/O one
    (concurrency of deliveries); both share the interceptors. ``cleanups`` run once both have stopped."""
    io = [a for a in activities if _name(a) in IO_ACTIVITIES]
    workers = []
    if role in ("all", "core"):
        workers.append(Worker(client, task_queue=task_queue, workflows=workflows, activities=activities, **options))
    if role in ("all", "io"):
        workers.append(Worker(client, task_queue=f"{task_queue}{IO_QUEUE_SUFFIX}", activities=io,
                              interceptors=options.get("interceptors", ()), **(io_options or {})))
    return WorkerPair(workers, cleanups)


def _name(activity: Any) -> str:
    definition = getattr(activity, "__temporal_activity_definition", None)
    return definition.name if definition is not None else getattr(activity, "__name__", "")
