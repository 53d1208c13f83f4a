"""The task inbox: what waits for me, what a task expects, and completing it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Literal
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel, Field, ValidationError
from structlog.contextvars import bound_contextvars
from temporalio.client import Client

from api.auth import db, temporal
from api.paging import MAX_PAGE
from api.permissions import OVERSEERS, Action, permitted
from api.planning_signals import PROGRAMME_KINDS, programme_decided, schedule_view
from api.problems import Problem
from api.processes import send_update
from certflow.logging import get_logger
from rules.lifecycle import shanghai_date
from schemas.payloads import TASK_PAYLOADS
from schemas.scheduling import ScheduleView
from schemas.staff import Role
from schemas.task_titles import Language, preferred_language, task_title
from schemas.tasking import COMPLETE_TASK_UPDATE, Actor, TaskCompletion, TaskReceipt
from schemas.tasks import TaskRecord, TaskStatus
from schemas.text import JsonObject, Line
from store.facts import staff_facts
from store.inbox_pages import Viewer, inbox_page
from store.task_subjects import TaskSubject, subjects_of
from store.tasks import get_task

INBOX_PAGE = 100  # rows per inbox page unless asked otherwise

log = get_logger(__name__)

router = APIRouter(prefix="/api/v1/tasks", tags=["tasks"])


class TaskSummary(BaseModel):
    id: str
    kind: str
    title: str
    role: str
    assignee_id: UUID | None
    status: str
    due_on: date | None
    due_provisional: bool
    overdue: bool
    rule_id: str | None
    subject: str | None = Field(description="what the process calls its subject (an application's id, an organization)")
    organization: str | None = Field(None, description="the organization the task is about, from the register")
    certificate_number: str | None = Field(None, description="the certificate the task is about, once one is issued")
    workflow_id: str
    opened_at: datetime | None = None
    available_from: date | None = Field(None, description="what the task records can be recorded from this day on "
                                                          "(the programme's date); completing it earlier is refused")


class TaskDetail(TaskSummary):
    context: dict[str, Any]
    payload_schema: dict[str, Any]
    schedule: ScheduleView | None = Field(
        None, description="a programme task's proposal in force (issue 18): the team and dates to accept or change")


class CompleteRequest(BaseModel):
    payload: JsonObject


def today() -> date:
    """The body's calendar day (Asia/Shanghai) for "overdue" in the inbox. A dependency, so a test can pin
    it (``app.dependency_overrides``); the workflows keep their own today for the deadlines they enforce."""
    return shanghai_date(datetime.now(UTC))


def language(accept_language: str | None = Header(None, description="en for English titles; Chinese otherwise")
             ) -> Language:
    return preferred_language(accept_language)


def _summary(row: TaskRecord, today: date, about: TaskSubject | None, lang: Language) -> dict[str, Any]:
    overdue = row.status == TaskStatus.OPEN and row.due_on is not None and row.due_on < today
    return {"id": row.id, "kind": row.kind, "title": task_title(row.kind, row.title, row.context, lang),
            "role": row.role, "assignee_id": row.assignee_id,
            "status": row.status, "due_on": row.due_on, "due_provisional": row.due_provisional, "overdue": overdue,
            "rule_id": row.rule_id, "subject": row.subject, "workflow_id": row.workflow_id,
            "organization": about.organization if about else row.context.get("organization"),
            "certificate_number": about.certificate_number if about else row.context.get("certificate_number"),
            "opened_at": row.opened_at, "available_from": row.available_from}


def _visible(row: TaskRecord, actor: Actor) -> bool:
    """Whether ``actor`` may see the task at all: theirs, one of their roles' (as the inbox with mine=false
    shows), or anything for those who oversee (managers, operators)."""
    if OVERSEERS & set(actor.roles):
        return True
    return row.assignee_id == actor.staff_id or row.role in actor.roles


@router.get("", response_model=list[TaskSummary], summary="tasks waiting for me (or, with mine=false, all I may see)")
async def tasks(
    request: Request, response: Response,
    actor: Actor = Depends(permitted(Action.LIST_TASKS)), pool: asyncpg.Pool = Depends(db),
    kind: Line | None = None, role: Role | None = None, status: TaskStatus | None = TaskStatus.OPEN,
    overdue: bool = Query(False, description="only open tasks past their due date"),
    mine: bool = Query(True, description="false: every task of my roles (managers and operators: all tasks)"),
    day: date = Depends(today), lang: Language = Depends(language),
    limit: int = Query(INBOX_PAGE, ge=1, le=MAX_PAGE, description=f"rows per page (1–{MAX_PAGE})"),
    after: Line | None = Query(None, max_length=400, description="the cursor of the next page, from the previous "
                                                               "answer's Link header (rel=next)"),
    sort: Literal["due", "-due", "opened", "-opened"] = Query(
        "due", description="due: soonest due first, undated last; opened: oldest opened first; a leading - reverses"),
) -> list[dict[str, Any]]:
    """The inbox: open tasks waiting for me (assigned to me, or to a role I hold), soonest due first (or
    as ``sort`` asks).
    With ``mine=false``, every task of my roles (managers and operators: every task). A page at a time:
    when there is more, the ``Link`` header names the next page (``rel="next"``), which starts after this
    page's last row, so tasks opened or closed meanwhile neither repeat nor skip a row."""
    viewer = Viewer(staff_id=actor.staff_id, roles=[r.value for r in actor.roles], mine=mine,
                    oversees=bool(OVERSEERS & set(actor.roles)))
    page = await inbox_page(pool, viewer, kind=kind, role=role.value if role else None, status=status,
                            overdue_on=day if overdue else None, after=after, limit=limit, sort=sort)
    if page.next_cursor is not None:
        following = request.url.include_query_params(after=page.next_cursor)
        response.headers["Link"] = f'<{following.path}?{following.query}>; rel="next"'
    about = await subjects_of(pool, {r.workflow_id for r in page.rows})
    return [_summary(r, day, about.get(r.workflow_id), lang) for r in page.rows]


async def _task_or_404(pool: asyncpg.Pool, task_id: str) -> TaskRecord:
    row = await get_task(pool, task_id)
    if row is None:
        raise Problem(404, f"There is no task {task_id}.")
    return row


@router.post("/{task_id:path}/complete", response_model=TaskReceipt, summary="complete a task with its payload")
async def complete(
    task_id: str, body: CompleteRequest, request: Request, actor: Actor = Depends(permitted(Action.COMPLETE_TASK)),
    pool: asyncpg.Pool = Depends(db),
    client: Client = Depends(temporal),
    day: date = Depends(today),
) -> TaskReceipt:
    """Complete a task with its payload (its schema is in ``GET /api/v1/tasks/{id}``). The task's process
    decides: a task no longer open is 409; a person without the role or qualification (R-7), or with a
    conflict of impartiality (R-9.1.9.n1), 403; a payload that breaks a rule 422 with the rule id (a
    programme naming someone with a declared conflict of interest with the organization: R-9.1.4)."""
    row = await _task_or_404(pool, task_id)
    if row.status != TaskStatus.OPEN:
        raise Problem(409, f"Task '{row.title}' is {row.status.value}; there is nothing left to complete.")
    model = TASK_PAYLOADS.get(row.kind)
    if model is None:
        raise Problem(409, f"Task kind {row.kind} is not known to this version of the API.")
    try:
        payload = model.model_validate(body.payload)
    except ValidationError as exc:
        errors = [{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors()]
        where = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'payload'}: {e['msg']}" for e in errors)
        raise Problem(422, f"The payload is not valid: {where}", errors=errors) from None
    subject = (await subjects_of(pool, [row.workflow_id])).get(row.workflow_id)
    facts = await staff_facts(pool, payload.staff_ids(), organization=subject and subject.credit_code, day=day)
    completion = TaskCompletion(task_id=task_id, actor=actor, payload=body.payload, facts=facts)
    with bound_contextvars(task_id=task_id, workflow_id=row.workflow_id):  # on every log line of this request
        receipt = await send_update(client, row.workflow_id, COMPLETE_TASK_UPDATE, completion, TaskReceipt)
        log.info("task.completed", kind=row.kind, by=str(actor.staff_id))
    if row.kind in PROGRAMME_KINDS:
        await programme_decided(request, row.context, body.payload)
    return receipt


@router.get("/{task_id:path}", response_model=TaskDetail, summary="one task, with the JSON schema of its payload")
async def task(task_id: str, actor: Actor = Depends(permitted(Action.READ_TASK)), pool: asyncpg.Pool = Depends(db),
               day: date = Depends(today), lang: Language = Depends(language)) -> dict:
    """One task: who it is for, when it is due, what its person needs to decide (``context``) and the JSON
    schema of the payload that completes it."""
    row = await _task_or_404(pool, task_id)
    if not _visible(row, actor):  # as the inbox hides it: its context is not this person's to read
        raise Problem(404, f"There is no task {task_id} for you.")
    schema = row.payload_schema or (TASK_PAYLOADS[row.kind].model_json_schema() if row.kind in TASK_PAYLOADS else {})
    summary = _summary(row, day, (await subjects_of(pool, [row.workflow_id])).get(row.workflow_id), lang)
    # What the task is about goes with its context too: an audit's process does not know the certificate.
    named = {k: summary[k] for k in ("organization", "certificate_number") if summary[k] is not None}
    return {**summary, "context": {**named, **row.context}, "payload_schema": schema,
            "schedule": await schedule_view(pool, row.context)}
