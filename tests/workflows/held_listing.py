"""A worker's activities with the inbox's listing of the application review held back (a stand-in for
``project_task`` only: the tests that use it are about what the process does meanwhile)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from temporalio import activity

from activities.inbox import NoticesQueued, TaskProjection
from workers.main import activities_for


def with_held_listing(pool: Any, mail: Any, hold: Callable[[], Awaitable[Any]]) -> tuple[list, asyncio.Event]:
    """The activities, and an event set when the review's listing has begun; it goes on once ``hold()``
    returns."""
    listing = asyncio.Event()
    real = {getattr(a, "__name__", ""): a for a in activities_for(pool, mail)}

    @activity.defn(name="project_task")
    async def held_listing(projection: TaskProjection) -> NoticesQueued | None:
        if projection.view.kind == "application_review":
            listing.set()
            await hold()
        return await real["project_task"](projection)

    return [a for name, a in real.items() if name != "project_task"] + [held_listing], listing
