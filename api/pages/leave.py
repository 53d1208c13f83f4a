"""A person's capacity and absences on the pages (issue 18): on the staff person page for those who plan
the audits (R-9.1.3), and on "my leave" (``/app/me/absences``) for everyone, to record and cancel their
own. Everything goes through the API (api/staff_capacity.py): a form is drawn only for a reader the API
would let do it, and its refusal is shown beside the form.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.pages.acting import act, new_key, read_form, to
from api.pages.backend import Backend
from api.pages.forms import SchemaForm, field_errors
from api.pages.i18n import language_of
from api.pages.permits import may
from api.pages.render import page
from api.pages.session import Session, session_of
from api.permissions import Action
from api.staff_capacity import AbsenceRequest, CapacityChange
from api.tasks import today

router = APIRouter(include_in_schema=False)

Redraw = Callable[[dict[str, Any], dict[str, Any]], Awaitable[Response]]  # (problem, values) → the page again
CAPACITY_FORM, ABSENCE_FORM = "capacity", "absence"


def in_order(absences: list[dict[str, Any]], day: date) -> list[dict[str, Any]]:
    """Those still to come or under way first, soonest first, marked ``cancellable``; then the rest as the
    API lists them (the latest first): over, or cancelled."""
    def ahead(a: dict[str, Any]) -> bool:
        return a.get("cancelled_at") is None and date.fromisoformat(a["ends_on"]) >= day

    coming = sorted((a for a in absences if ahead(a)), key=lambda a: (a["starts_on"], a["ends_on"]))
    for a in coming:
        a["cancellable"] = True
        a["now"] = date.fromisoformat(a["starts_on"]) <= day
    return coming + [a for a in absences if not ahead(a)]


async def leave_context(request: Request, session: Session, staff_id: UUID, *, problem: dict[str, Any] | None = None,
                        values: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the leave part of a page (``_leave.html``) draws for ``staff_id``: the capacity and the
    absences the reader may read, and the forms they may use, filled with ``values`` after a refusal."""
    backend, own = Backend(request, session), session.actor.staff_id == staff_id
    lang, problem = language_of(request), problem or {}
    form = problem.get("form")
    capacity = await backend.get(f"/api/v1/staff/{staff_id}/capacity")
    absences = await backend.get(f"/api/v1/staff/{staff_id}/absences")
    shown_capacity = capacity.body if capacity.ok else None
    current = {k: (shown_capacity or {}).get(k) for k in ("home_city", "max_audit_days_per_month")}
    errors = field_errors(problem)
    return {
        "capacity": shown_capacity,
        "absences": in_order(absences.body, today()) if absences.ok else None,
        "may_change_capacity": may(request, session, Action.CHANGE_CAPACITY),
        "may_record_absence": own or may(request, session, Action.RECORD_ABSENCE),
        "may_cancel_absence": own or may(request, session, Action.CANCEL_ABSENCE),
        "capacity_fields": SchemaForm(CapacityChange.model_json_schema(), lang).fields(
            values if form == CAPACITY_FORM else current, errors if form == CAPACITY_FORM else {}),
        "absence_fields": SchemaForm(AbsenceRequest.model_json_schema(), lang).fields(
            values if form == ABSENCE_FORM else {}, errors if form == ABSENCE_FORM else {}),
        "leave_problem": problem if form in (CAPACITY_FORM, ABSENCE_FORM) else {},
        "leave_key": new_key(),
    }


async def change_capacity(request: Request, session: Session, staff_id: UUID, back: str, redraw: Redraw) -> Response:
    """The capacity form, sent to the API as the PUT it is (a whole capacity, so a repeat is harmless)."""
    fields = await read_form(request, session)
    body = SchemaForm(CapacityChange.model_json_schema()).payload(fields.items())
    answer = await Backend(request, session).put(f"/api/v1/staff/{staff_id}/capacity", body)
    if answer.ok:
        return to(back, "已保存 / saved")
    return await redraw({**answer.problem, "status": answer.status, "form": CAPACITY_FORM}, body)


async def record_absence(request: Request, session: Session, staff_id: UUID, back: str, redraw: Redraw) -> Response:
    fields = await read_form(request, session)
    body = SchemaForm(AbsenceRequest.model_json_schema()).payload(fields.items())
    return await act(request, session, f"/api/v1/staff/{staff_id}/absences", body, fields,
                     then=lambda _: to(back, "请假已登记 / absence recorded"),
                     redraw=lambda problem: redraw({**problem, "form": ABSENCE_FORM}, body))


async def cancel_absence(request: Request, session: Session, staff_id: UUID, absence_id: UUID, back: str,
                         redraw: Redraw) -> Response:
    fields = await read_form(request, session)
    return await act(request, session, f"/api/v1/staff/{staff_id}/absences/{absence_id}/cancel", {}, fields,
                     then=lambda _: to(back, "请假已取消 / absence cancelled"),
                     redraw=lambda problem: redraw({**problem, "form": "cancel"}, {}))


# --- my leave: every signed-in person's own ------------------------------------------------------------

MINE = "/app/me/absences"


async def _my_page(request: Request, session: Session, problem: dict[str, Any] | None = None,
                   values: dict[str, Any] | None = None) -> Response:
    context = await leave_context(request, session, session.actor.staff_id, problem=problem, values=values)
    return page(request, "my_absences.html", session, status=int((problem or {}).get("status", 200)),
                title="我的请假", leave_base="/app/me", notice=request.query_params.get("notice", ""),
                problem_shown=problem if (problem or {}).get("form") == "cancel" else None, **context)


def _redraw_mine(request: Request, session: Session) -> Redraw:
    async def redraw(problem: dict[str, Any], values: dict[str, Any]) -> Response:
        return await _my_page(request, session, problem, values)
    return redraw


@router.get(MINE)
async def my_absences(request: Request, session: Session = Depends(session_of)) -> Response:
    return await _my_page(request, session)


@router.post("/app/me/absences/new")
async def record_mine(request: Request, session: Session = Depends(session_of)) -> Response:
    return await record_absence(request, session, session.actor.staff_id, MINE, _redraw_mine(request, session))


@router.post("/app/me/absences/{absence_id}/cancel")
async def cancel_mine(absence_id: UUID, request: Request, session: Session = Depends(session_of)) -> Response:
    return await cancel_absence(request, session, session.actor.staff_id, absence_id, MINE,
                                _redraw_mine(request, session))


@router.post("/app/me/capacity/change")
async def change_mine(request: Request, session: Session = Depends(session_of)) -> Response:
    return await change_capacity(request, session, session.actor.staff_id, MINE, _redraw_mine(request, session))
