"""What every endpoint reaches through the app: the register's pool, the Temporal client, the settings
and the body's "today".

They live on ``app.state`` (set by the lifespan, or injected by ``create_app`` in tests) so that nothing
is held in module globals and API instances scale out (DESIGN.md "Running it").
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import asyncpg
from fastapi import Request
from temporalio.client import Client

from certflow.settings import Settings

SHANGHAI = ZoneInfo("Asia/Shanghai")


def get_pool(request: Request) -> asyncpg.Pool:
    return request.app.state.pool


def get_temporal(request: Request) -> Client:
    return request.app.state.temporal


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def shanghai_today() -> date:
    """The body's calendar day (Asia/Shanghai), for "overdue" in lists and "expired" on the public page.

    A dependency, not a call inside the endpoints, so a test can pin the day (``dependency_overrides``):
    the workflows keep their own today, from ``workflow.now()``, for every deadline they enforce.
    """
    return datetime.now(SHANGHAI).date()
