"""What the API tells the audit planner (workflows/audit_planning.py), and the proposal it shows on a
programme task (issue 18).

The planner's process runs once per namespace, started by the worker (workers/main.py). A signal is
told after the change it reports was written: if Temporal cannot be reached at that moment, or the
process is not running, the change still stands, the failure is logged, and the next re-plan (or a
programme manager's "plan again") catches up — the proposals are advice, the register is the truth.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
from fastapi import Request
from temporalio.client import Client
from temporalio.service import RPCError

from certflow.logging import get_logger
from schemas.scheduling import DateSpan, ProposedAudit, ScheduleView
from store import audit_proposals
from workflows.audit_planning import AUDIT_PLANNING_WORKFLOW_ID, REPLAN_SIGNAL, ReplanRequest

log = get_logger(__name__)
PROGRAMME_KINDS = frozenset({"programme", "surveillance_programme", "recertification_programme", "special_programme"})


async def tell_planner(state: Any, request: ReplanRequest) -> bool:
    """Signal the planner's process (``state``: the app's, with its Temporal client); False (logged)
    when it cannot be reached or is not running (the worker starts it: workers/main.py)."""
    client: Client = state.temporal
    try:
        await client.get_workflow_handle(AUDIT_PLANNING_WORKFLOW_ID).signal(REPLAN_SIGNAL, request)
    except RPCError as exc:
        log.warning("planner.not_told", reason=request.reason, error=str(exc))
        return False
    return True


async def absence_changed(request: Request, staff_id: UUID, span: DateSpan) -> None:
    """Told to the audit planner; see workflows/audit_planning.py: the open proposals that ask this person
    for a day of ``span`` are planned again, the others kept."""
    await tell_planner(request.app.state, ReplanRequest(
        reason=f"absence of {staff_id} from {span.starts_on} to {span.ends_on} changed", staff_id=staff_id,
        span=span))


async def programme_decided(request: Request, task_context: dict[str, Any], payload: dict[str, Any]) -> None:
    """A programme task was completed: its team and dates are now taken, and the open proposals that asked
    the same people for the same days are planned again (a refused proposal re-plans what it touches)."""
    key = task_context.get("schedule_key")
    if not key:
        return
    fields = payload.get("programme", payload)  # a surveillance programme nests it beside its sampling
    try:
        decided = ProposedAudit.model_validate({**fields, "key": key})
    except ValueError:
        return  # the process refused it, and nothing is taken
    await tell_planner(request.app.state, ReplanRequest(reason=f"programme of {key} decided", decided=decided))


async def schedule_view(pool: asyncpg.Pool, context: dict[str, Any]) -> ScheduleView | None:
    """The proposal in force for a task whose context names one."""
    key = context.get("schedule_key")
    if not key:
        return None
    stored = await audit_proposals.current(pool, key)
    if stored is None:
        return ScheduleView(key=key, failed=context.get("schedule_failed") or "no proposal was made")
    return ScheduleView(
        key=key, version=stored.version, planned_on=stored.planned_on, reason=stored.reason,
        programme=stored.proposal.programme_fields() if stored.proposal else None,
        travel=stored.proposal.travel if stored.proposal else None, unplaced=stored.unplaced)
