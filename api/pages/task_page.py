"""A task as a form: what it asks drawn from its payload schema, what its person needs to decide (its
context) beside it, and the process's refusal shown next to the field it is about, with its rule id.

The form is completed through ``POST /api/v1/tasks/{id}/complete`` as the signed-in person, with the
idempotency key the form was drawn with: a second click, or a retry after a lost answer, does not
complete anything twice.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from api.pages.backend import Backend
from api.pages.calendar_view import month_grids
from api.pages.forms import FormField, SchemaForm, field_errors
from api.pages.i18n import language_of
from api.pages.people import people_for
from api.pages.permits import may
from api.pages.render import page
from api.pages.session import Session, check_csrf, form_of, session_of
from api.pages.task_prefill import prefilled
from api.permissions import Action
from api.tasks import today
from schemas.payload_schemas import payload_schema
from schemas.payloads import TASK_PAYLOADS

router = APIRouter(include_in_schema=False)

CALENDAR_MONTHS = 3  # beside a form with dates: this month and the next two, working days and holidays


def may_complete(task: dict[str, Any], session: Session) -> bool:
    """Whether the form is offered: the task is open and names this person or one of their roles. The
    process checks qualification and impartiality (R-7, R-9.1.9.n1) when the form is sent."""
    if task.get("status") != "open":
        return False
    if task.get("assignee_id"):
        return task["assignee_id"] == str(session.actor.staff_id)
    return session.holds(task.get("role", ""))


async def _task(request: Request, session: Session, task_id: str) -> tuple[Backend, dict[str, Any] | Response]:
    backend = Backend(request, session)
    answer = await backend.get(f"/api/v1/tasks/{quote(task_id, safe='')}")
    if not answer.ok:
        return backend, page(request, "problem.html", session, status=answer.status, problem=answer.problem)
    return backend, answer.body


def _has_dates(fields: list[FormField]) -> bool:
    return any(f.kind == "date" or _has_dates(f.children) or any(_has_dates(r) for r in f.rows) for f in fields)


def schema_of(task: dict[str, Any]) -> dict[str, Any]:
    """The payload's schema with its fields in the model's order (the register keeps the task's copy as
    JSONB, which orders keys by their length); the task's own copy for a kind this version does not know."""
    model = TASK_PAYLOADS.get(task.get("kind", ""))
    return payload_schema(model) if model is not None else task["payload_schema"]


async def _draw(request: Request, session: Session, backend: Backend, task: dict[str, Any], *,
                values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                extra_rows: dict[str, int] | None = None, problem: dict[str, Any] | None = None,
                status: int = 200) -> Response:
    form = SchemaForm(schema_of(task), language_of(request))
    day = today()
    first_values, captions = await prefilled(backend, task)
    values = first_values if values is None else values
    fields = form.fields(values, errors or {}, extra_rows or {})
    people = await people_for(backend, session, task, fields)
    calendars = await month_grids(request.app.state.pool, day, CALENDAR_MONTHS, day) if _has_dates(fields) else []
    revisable = task["workflow_id"].startswith("audit-") and may(request, session, Action.REVISE_PROGRAMME)
    return page(request, "task.html", session, status=status, title=task["title"], task=task, fields=fields,
                revisable=revisable, calendars=calendars,
                people=people, captions=captions, problem=problem or {}, idempotency_key=secrets.token_urlsafe(16),
                may_complete=may_complete(task, session))


@router.get("/app/tasks/{task_id:path}")
async def task_form(task_id: str, request: Request, session: Session = Depends(session_of)) -> Response:
    backend, task = await _task(request, session, task_id)
    if isinstance(task, Response):
        return task
    return await _draw(request, session, backend, task)


@router.post("/app/tasks/{task_id:path}")
async def complete_task(task_id: str, request: Request, session: Session = Depends(session_of)) -> Response:
    pairs = await form_of(request)
    check_csrf(session, pairs)
    backend, task = await _task(request, session, task_id)
    if isinstance(task, Response):
        return task
    form = SchemaForm(schema_of(task))
    payload = form.payload(pairs)
    sent = dict(pairs)
    if "_add" in sent:  # one more row for a list, without script: the form again, as filled so far
        return await _draw(request, session, backend, task, values=payload, extra_rows={sent["_add"]: 1})
    answer = await backend.post(f"/api/v1/tasks/{quote(task_id, safe='')}/complete", {"payload": payload},
                                idempotency_key=sent.get("_idem") or None)
    if answer.ok:
        return RedirectResponse(f"/app?done={quote(task['title'])}", status_code=303)
    problem = answer.problem
    errors = field_errors(problem, prefix=("payload",))
    return await _draw(request, session, backend, task, values=payload, errors=errors, problem=problem,
                       status=answer.status)
