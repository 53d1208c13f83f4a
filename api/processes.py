"""Talking to a running process: Updates that may be refused, queries of where it stands.

A refusal from a workflow's validator is an ``ApplicationError`` whose type is a
:class:`schemas.tasking.Refusal`; it becomes the problem document the person can act on.

Every call has a deadline: with no worker polling, Temporal holds an Update or a query until the
caller gives up, and an HTTP request must not hang with it. A process that does not answer in time is
503 (try again), never a 500, and a process that is gone is 409.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from api.problems import Problem, too_large_for_engine
from certflow.logging import get_logger
from schemas.tasking import Refusal

log = get_logger(__name__)

# Module constants rather than settings: they bound a request, they do not shape the process. Tests
# shorten them to see the 503 without waiting.
UPDATE_TIMEOUT = timedelta(seconds=30)
QUERY_TIMEOUT = timedelta(seconds=5)

_GONE = (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION)


def engine_unavailable(exc: Exception) -> Problem:
    """503: Temporal (or the worker behind it) did not answer; the request may simply be repeated. A
    payload past gRPC's or Temporal's size limit is the request's fault, not the engine's: 413."""
    if isinstance(exc, RPCError) and too_large_for_engine(exc):
        return Problem(413, "The request is too large for the process engine to take.")
    reason = exc.message if isinstance(exc, RPCError) else type(exc).__name__
    log.warning("api.engine_unavailable", reason=reason)  # not in the answer: it may name internal addresses
    return Problem(503, "The process engine did not answer. Please try again in a moment.",
                   title="Process engine unavailable", headers={"Retry-After": "5"})


async def send_update(client: Client, workflow_id: str, update: str, argument: Any, result_type: type) -> Any:
    handle = client.get_workflow_handle(workflow_id)
    try:
        return await handle.execute_update(update, argument, result_type=result_type, rpc_timeout=UPDATE_TIMEOUT)
    except WorkflowUpdateFailedError as failure:
        raise _problem_of(failure) from None
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        raise Problem(503, f"The process {workflow_id} did not answer within {UPDATE_TIMEOUT.seconds} seconds "
                      "(is a worker running?). Look at the task again before repeating: if it was taken "
                      "meanwhile, it shows as completed.", title="Process did not answer",
                      headers={"Retry-After": "5"}) from None
    except RPCError as exc:
        if exc.status in _GONE:
            raise Problem(409, f"The process {workflow_id} is no longer running, so it cannot take this.") from None
        raise engine_unavailable(exc) from None


def _problem_of(failure: WorkflowUpdateFailedError) -> Problem:
    cause = failure.cause
    if isinstance(cause, ApplicationError) and cause.type in {r.value for r in Refusal}:
        refusal = Refusal(cause.type)
        detail: dict[str, Any] = cause.details[0] if cause.details and isinstance(cause.details[0], dict) else {}
        titles = {
            Refusal.TASK_NOT_OPEN: "Task not open",
            Refusal.NOT_ASSIGNED: "Not yours to do",
            Refusal.CONFLICT_OF_IMPARTIALITY: "Conflict of impartiality",
            Refusal.INVALID_PAYLOAD: "The answer is not complete or not valid",
            Refusal.RULE_VIOLATION: "Refused by a rule of the scheme",
            Refusal.STATE_CONFLICT: "Not possible in the certificate's present state",
        }
        return Problem(refusal.http_status, detail.get("message", cause.message), title=titles[refusal],
                       rule_id=detail.get("rule_id"), errors=detail.get("errors") or None)
    return Problem(409, f"The process did not take this: {cause}")


@dataclass(frozen=True)
class LiveState:
    """What Temporal says about a process: its execution state, the query's answer when it is running
    and answered, and otherwise a sentence saying why there is no live answer."""

    state: str  # RUNNING, COMPLETED, FAILED, CANCELED, TERMINATED, TIMED_OUT, UNKNOWN
    answer: Any | None = None
    note: str | None = None

    @property
    def running(self) -> bool:
        return self.state == WorkflowExecutionStatus.RUNNING.name


async def live_state(client: Client, workflow_id: str, query: str, result_type: type) -> LiveState | None:
    """``None`` when Temporal has never heard of the process. A closed process is not queried: the
    register's record is what stands, and a query would need a worker to replay the whole history."""
    handle = client.get_workflow_handle(workflow_id)
    try:
        described = await handle.describe(rpc_timeout=QUERY_TIMEOUT)
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return None
        return LiveState("UNKNOWN", note=f"The process engine did not answer ({exc.message}).")
    state = described.status.name if described.status else "UNKNOWN"
    if described.status != WorkflowExecutionStatus.RUNNING:
        return LiveState(state, note=f"The process is closed ({state.lower()}); the register shows what it recorded.")
    try:
        return LiveState(state, answer=await handle.query(query, result_type=result_type, rpc_timeout=QUERY_TIMEOUT))
    except (RPCError, WorkflowQueryFailedError) as exc:
        reason = exc.message if isinstance(exc, RPCError) else str(exc)
        return LiveState(state, note=f"The process is running but did not say where it stands ({reason}); "
                                     "is a worker running?")
