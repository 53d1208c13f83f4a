"""OpenTelemetry tracing through Temporal's interceptor (issue 16), off unless CERTFLOW_TRACING=true.

The SDK's ``TracingInterceptor`` makes a span of every workflow start, Update, workflow run and activity,
and carries the trace across them in the Temporal headers, so a trace follows a task's completion from
the API's request through the workflow to the activities it ran. Spans leave by OTLP over HTTP to the
endpoint in OpenTelemetry's own variables (OTEL_EXPORTER_OTLP_ENDPOINT, _HEADERS ...): an OpenTelemetry
Collector, Jaeger or Tempo.
"""

from __future__ import annotations

import atexit

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from temporalio.contrib.opentelemetry import TracingInterceptor

from certflow.settings import Settings


def tracing_interceptor(provider: TracerProvider) -> TracingInterceptor:
    """The client's (and so its workers') interceptor, recording into ``provider``."""
    return TracingInterceptor(tracer=provider.get_tracer("certflow"))


def tracer_provider(service: str, exporter: SpanExporter | None = None) -> TracerProvider:
    """A provider naming this process's service; by default exporting by OTLP/HTTP as configured in the
    environment."""
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    atexit.register(provider.shutdown)  # the last batch is sent when the worker or the API stops
    return provider


def interceptors_for(settings: Settings, service: str) -> list[TracingInterceptor]:
    """What to hand Client.connect: the tracing interceptor when tracing is on, nothing otherwise."""
    return [tracing_interceptor(tracer_provider(service))] if settings.tracing else []
