"""The planner's proposal for a programme task (issue 18): asked for just before the task opens, so the
programme manager finds a team and dates that keep every rule the task checks (R-9.1.3, R-9.1.4, R-7,
R-3.10, R-9.1.6, R-A.*) already filled in, and accepts or changes them.

The proposal is advice: the planner is asked a few times and, if it still fails, the task opens without
one (the manager plans by hand, as before) rather than the process waiting on it. It is stored under the
task's id (store/audit_proposals.py); the task's context names it (``schedule_key``) and the API shows its
latest version, which a re-plan (workflows/audit_planning.py) may have replaced since. Runs begun before
proposals ("programme-proposal") open their tasks as they did.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.scheduling import ProposalAsk, ProposalMade, SchedulingActivities
    from schemas.audits import AuditKind
    from workflows.mail import IO_QUEUE_SUFFIX
    from workflows.patching import patched
    from workflows.tasks import TaskBoard, today

# Longer than the solver's own time limit (SchedulingPolicy.time_limit_seconds, at most 600 s).
PROPOSAL_TIMEOUT = timedelta(minutes=11)
# A proposal whose worker (or whose completion) was lost is tried again after this, not after 11 minutes:
# the activity beats every few seconds while the solver thinks (activities/scheduling.py).
PROPOSAL_HEARTBEAT = timedelta(seconds=30)
PROPOSAL_RETRY = RetryPolicy(initial_interval=timedelta(seconds=5), maximum_attempts=3)


async def propose_programme(board: TaskBoard, task_kind: str, audit_kind: AuditKind, *, minimum: Decimal,
                            stage1: bool, visits: bool, site_names: list[str], end_by: date | None = None,
                            window_rule: str = "R-9.1.3") -> dict:
    """The context entries that point the programme task ``task_kind`` about to open at its proposal:
    empty for runs begun before proposals."""
    if not patched("programme-proposal"):  # runs begun before open their tasks without one
        return {}
    key = board.next_task_id(task_kind)
    ask = ProposalAsk(key=key, workflow_id=workflow.info().workflow_id, audit_kind=audit_kind, today=today(),
                      minimum_person_days=minimum, stage1=stage1, visits=visits, site_names=site_names,
                      end_by=end_by, window_rule=window_rule)
    try:
        made: ProposalMade = await workflow.execute_activity_method(
            SchedulingActivities.propose_programme, ask, start_to_close_timeout=PROPOSAL_TIMEOUT,
            heartbeat_timeout=PROPOSAL_HEARTBEAT, retry_policy=PROPOSAL_RETRY,
            task_queue=workflow.info().task_queue + IO_QUEUE_SUFFIX,
            summary="排程建议 (proposed team and dates)")
    except ActivityError as failure:
        workflow.logger.warning("no proposal for %s: %s", key, failure.cause or failure)
        return {"schedule_key": key, "schedule_failed": str(failure.cause or failure)}
    return {"schedule_key": key, "schedule_version": made.version}
