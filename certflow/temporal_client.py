"""One way to reach Temporal for the worker, the API and the CLI: same namespace, TLS/API key and
the pydantic data converter (DESIGN.md "Conventions")."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from certflow.settings import Settings


def metrics_runtime(bind_address: str) -> Runtime:
    """A Temporal runtime whose SDK metrics (workflow and activity task latencies, slots, polls, failures)
    Prometheus scrapes at ``http://{bind_address}/metrics``: the SDK's own exporter, nothing of ours."""
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=bind_address)))


async def connect_client(settings: Settings, address: str | None = None, runtime: Runtime | None = None,
                         service: str = "certflow") -> Client:
    """``service``: the name this process's spans bear when tracing is on (certflow/tracing.py)."""
    from certflow.tracing import interceptors_for

    return await Client.connect(
        address or settings.temporal_target,
        namespace=settings.temporal_namespace,
        api_key=settings.temporal_api_key,
        tls=settings.temporal_tls,
        data_converter=pydantic_data_converter,
        runtime=runtime,
        interceptors=interceptors_for(settings, service),
    )
