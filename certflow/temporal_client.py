"""One way to reach Temporal for the worker, the API and the CLI: same namespace, TLS/API key and
the pydantic data converter (DESIGN.md "Conventions")."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from certflow.settings import Settings


async def connect_client(settings: Settings, address: str | None = None) -> Client:
    return await Client.connect(
        address or settings.temporal_target,
        namespace=settings.temporal_namespace,
        api_key=settings.temporal_api_key,
        tls=settings.temporal_tls,
        data_converter=pydantic_data_converter,
    )
