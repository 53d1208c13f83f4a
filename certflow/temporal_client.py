"""One way to reach Temporal for the worker, the API and the CLI: same namespace, TLS (with a client
certificate for mTLS) or API key, and the pydantic data converter (DESIGN.md "Conventions")."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.service import TLSConfig

from certflow.settings import Settings


def tls_config(settings: Settings) -> TLSConfig | bool:
    """``CERTFLOW_TEMPORAL_TLS_CERT`` and ``_KEY`` (PEM files) make it mTLS; ``CERTFLOW_TEMPORAL_TLS``
    alone is TLS with the system's roots (an API key, e.g. Temporal Cloud's, needs TLS too)."""
    if settings.temporal_tls_cert is None and settings.temporal_tls_key is None:
        return settings.temporal_tls
    if settings.temporal_tls_cert is None or settings.temporal_tls_key is None:
        raise ValueError("mTLS to Temporal needs both CERTFLOW_TEMPORAL_TLS_CERT and CERTFLOW_TEMPORAL_TLS_KEY")
    return TLSConfig(client_cert=settings.temporal_tls_cert.read_bytes(),
                     client_private_key=settings.temporal_tls_key.read_bytes())


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
        tls=tls_config(settings),
        data_converter=pydantic_data_converter,
        runtime=runtime,
        interceptors=interceptors_for(settings, service),
    )
