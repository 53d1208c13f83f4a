"""Talking to a running process: Updates that may be refused, queries of where it stands.

A refusal from a workflow's validator is an ``ApplicationError`` whose type is a
:class:`schemas.tasking.Refusal`; it becomes the problem document the person can act on.
"""

from __future__ import annotations

from typing import Any

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from api.problems import Problem
from schemas.tasking import Refusal


async def send_update(client: Client, workflow_id: str, update: str, argument: Any, result_type: type) -> Any:
    handle = client.get_workflow_handle(workflow_id)
    try:
        return await handle.execute_update(update, argument, result_type=result_type)
    except WorkflowUpdateFailedError as failure:
        raise _problem_of(failure) from None
    except RPCError as exc:
        if exc.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION):
            raise Problem(409, f"The process {workflow_id} is no longer running, so it cannot take this.") from None
        raise


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
        }
        return Problem(refusal.http_status, detail.get("message", cause.message), title=titles[refusal],
                       rule_id=detail.get("rule_id"), errors=detail.get("errors") or None)
    return Problem(409, f"The process did not take this: {cause}")


async def query(client: Client, workflow_id: str, name: str, result_type: type) -> Any | None:
    """The live answer, or None when the process is not running any more (the register still knows)."""
    try:
        return await client.get_workflow_handle(workflow_id).query(name, result_type=result_type)
    except RPCError:
        return None
