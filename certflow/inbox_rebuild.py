"""``certflow inbox rebuild``: the task inbox (the register's ``tasks`` table) made to agree again with
the tasks the running processes hold open.

The workflows are the truth about which tasks are open (DESIGN.md "Data and truth"); the inbox is a
projection written by ``project_task`` (activities/inbox.py). Should rows be lost (a restore from an
older backup, a hand edit), each running CertificationWorkflow and AuditWorkflow is asked for its open
tasks (query ``status``) and where it is in its model (query ``elements``), and every open task is
upserted with the same store function the projection uses. What the workflow does not say is taken
from what the register still has: the row itself, else the task's ``task.opened`` event (its subject)
and ``TASK_PAYLOADS`` (its payload schema). The task's context (what the person deciding sees beside
it) is only in the projection activity's input: a lost row comes back without it (the API adds the
names it can). An open row that no process holds any more is cancelled, never deleted, unless its
process is closing it right now (a completion's or a withdrawal's step not yet done, perhaps held up by
an incident: the query's ``unclosed_tasks``), which is reported and left to that step; a row closed in
the register that a process still holds is reported, since no store function reopens a task.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from temporalio.api.enums.v1 import WorkflowExecutionStatus
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.service import RPCError, RPCStatusCode

from schemas.payloads import TASK_PAYLOADS
from schemas.tasking import ElementVisit, TaskView
from schemas.tasks import TaskRecord, TaskStatus
from store import events, tasks
from store._sql import Db

WORKFLOW_TYPES = ("CertificationWorkflow", "AuditWorkflow")
# Activities that close a task in the register: while one is pending, the row is about to change anyway
# (runs begun before the register's writes were local steps, which DescribeWorkflowExecution does not list).
CLOSING_ACTIVITIES = {"close_task", "cancel_task"}
_COMPARED = ("role", "assignee_id", "rule_id", "due_on", "due_provisional", "subject", "title", "available_from")


@dataclass
class HeldTask:
    """An open task as its running process holds it."""

    workflow_id: str
    view: TaskView
    element_id: str
    subject: str | None  # what the workflow knows of it (a certification's application id), else None


@dataclass
class Change:
    task_id: str
    action: str  # restored | corrected | cancelled | closing | left | skipped (a process that did not answer)
    detail: str

    @property
    def changed(self) -> bool:
        return self.action in ("restored", "corrected", "cancelled")

    def line(self) -> str:
        return f"{self.action:9}  {self.task_id}  {self.detail}"


async def running_workflow_ids(client: Client) -> list[str]:
    """The running certifications and audits, from Temporal's visibility store."""
    found: list[str] = []
    for kind in WORKFLOW_TYPES:
        async for execution in client.list_workflows(f'ExecutionStatus="Running" AND WorkflowType="{kind}"'):
            found.append(execution.id)
    return sorted(set(found))


@dataclass
class ProcessTasks:
    """What one running process says of its tasks: those it holds open, and those it is done with whose
    row its closing step has not written yet."""

    held: list[HeldTask]
    unclosed: set[str]


async def held_tasks(client: Client, workflow_id: str) -> ProcessTasks:
    handle = client.get_workflow_handle(workflow_id)
    status: dict[str, Any] = await handle.query("status", result_type=dict)
    visits = await handle.query("elements", result_type=list[ElementVisit])
    element_of = {v.task_id: v.element_id for v in visits if v.task_id}
    subject = str(status["application_id"]) if "application_id" in status else None
    views = [TaskView.model_validate(v) for v in status.get("open_tasks", [])]
    return ProcessTasks([HeldTask(workflow_id, v, element_of.get(v.task_id, v.kind), subject) for v in views],
                        set(status.get("unclosed_tasks", [])))


async def _execution(client: Client, workflow_id: str) -> tuple[bool, set[str]]:
    """Whether the workflow's latest run is running, and the activities it has pending. Raw, not
    ``handle.describe()``: the test server hands back search attributes the SDK cannot decode."""
    request = DescribeWorkflowExecutionRequest(namespace=client.namespace)
    request.execution.workflow_id = workflow_id
    try:
        described = await client.workflow_service.describe_workflow_execution(request)
    except RPCError as exc:
        if exc.status is RPCStatusCode.NOT_FOUND:
            return False, set()
        raise
    running = described.workflow_execution_info.status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
    return running, {a.activity_type.name for a in described.pending_activities}


async def _opened_subject(db: Db, held: HeldTask) -> str | None:
    for event in await events.events_for(db, workflow_id=held.workflow_id):
        if event.idempotency_key == f"{held.view.task_id}/opened":
            return event.subject
    return None


async def _restore(db: Db, held: HeldTask) -> Change | None:
    v = held.view
    existing = await tasks.get_task(db, v.task_id)
    if existing is not None and existing.status is not TaskStatus.OPEN:
        return Change(v.task_id, "left", f"{held.workflow_id} holds it open but the register has it "
                      f"{existing.status.value}; no store function reopens a task")
    model = TASK_PAYLOADS.get(v.kind)
    schema = (existing.payload_schema if existing else None) or (model.model_json_schema() if model else {})
    subject = (existing.subject if existing else None) or await _opened_subject(db, held) or held.subject
    after = await tasks.upsert_open_task(
        db, v.task_id, held.workflow_id, v.kind, v.role.value, v.opened_at, assignee_id=v.assignee_id,
        due_on=v.due_on, due_provisional=v.due_provisional, rule_id=v.rule_id, subject=subject, title=v.title,
        payload_schema=schema, context=existing.context if existing else {}, available_from=v.available_from)
    if existing is None:
        return Change(v.task_id, "restored", f"{v.kind} of {held.workflow_id} (context not restorable: the "
                      "process does not keep it)")
    changed = _differences(existing, after)
    return Change(v.task_id, "corrected", ", ".join(changed)) if changed else None


def _differences(before: TaskRecord, after: TaskRecord) -> list[str]:
    return [f"{name}: {getattr(before, name)} -> {getattr(after, name)}" for name in _COMPARED
            if getattr(before, name) != getattr(after, name)]


async def _cancel_stale(db: Db, client: Client, asked: dict[str, ProcessTasks],
                        only: Iterable[str] | None) -> list[Change]:
    """Open rows no running process holds: cancelled, unless their process is running but was not asked
    (another workflow type) or is closing the task right now."""
    changes: list[Change] = []
    wanted = None if only is None else set(only)
    held = {workflow_id: {h.view.task_id for h in said.held} for workflow_id, said in asked.items()}
    for row in await tasks.list_tasks(db, status=TaskStatus.OPEN):
        if wanted is not None and row.workflow_id not in wanted:
            continue
        if row.id in held.get(row.workflow_id, set()):
            continue
        if row.workflow_id in asked and row.id in asked[row.workflow_id].unclosed:
            changes.append(Change(row.id, "closing", f"{row.kind} of {row.workflow_id}: its process is done with "
                                  "it and its closing step has not written it yet (see its incidents if this stays)"))
            continue
        running, pending = await _execution(client, row.workflow_id)
        if running and (row.workflow_id not in held or pending & CLOSING_ACTIVITIES):
            continue
        await tasks.cancel_task(db, row.id)
        why = "its process holds it no longer" if running else "its process is not running"
        changes.append(Change(row.id, "cancelled", f"{row.kind} of {row.workflow_id}: {why}"))
    return changes


async def rebuild_inbox(client: Client, db: Db, workflow_ids: list[str] | None = None) -> list[Change]:
    """Make the inbox agree with the running processes (all of them, or the ``workflow_ids`` named);
    returns what changed, what it could not repair (``left``, ``skipped``) and what it left to a closing
    under way (``closing``). Idempotent: a second run changes nothing and reports only those."""
    ids = workflow_ids if workflow_ids is not None else await running_workflow_ids(client)
    changes: list[Change] = []
    asked: dict[str, ProcessTasks] = {}
    for workflow_id in ids:
        running, _ = await _execution(client, workflow_id)
        if not running:
            continue
        try:
            found = await held_tasks(client, workflow_id)
        except (RPCError, WorkflowQueryFailedError) as exc:  # no worker answers, or the query failed
            changes.append(Change(workflow_id, "skipped", f"its open tasks could not be asked: {exc}; its rows are "
                                  "left as they are"))
            continue
        asked[workflow_id] = found
        for task in found.held:
            change = await _restore(db, task)
            if change is not None:
                changes.append(change)
    changes += await _cancel_stale(db, client, asked, workflow_ids)
    return changes
