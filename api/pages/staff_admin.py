"""The staff directory and each person's page (issue 13's API, as pages): roles, R-7.auditor proofs,
audits taken part in (R-9.1.9.n1), conflicts of interest (R-9.1.4) with a form to declare and end one,
their token's state with revoke, rotate (the new token shown once) and deactivate, and their capacity
and absences (issue 18, api/pages/leave.py).

Who sees what is the API's: the directory for ``staff.list``, the token and its actions for the staff
administrators (``api/permissions.py``); a button is drawn only for a reader the matrix gives it.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.pages.acting import act, new_key, read_form, to
from api.pages.backend import Backend
from api.pages.forms import SchemaForm, field_errors
from api.pages.i18n import language_of
from api.pages.leave import Redraw, cancel_absence, change_capacity, leave_context, record_absence
from api.pages.permits import may
from api.pages.render import page
from api.pages.session import Session, session_of
from api.permissions import Action
from schemas.conflicts import ConflictDeclaration

router = APIRouter(include_in_schema=False)

TOKEN_ACTIONS = {"revoke": Action.REVOKE_STAFF_TOKEN, "rotate": Action.ROTATE_STAFF_TOKEN,
                 "deactivate": Action.DEACTIVATE_STAFF}


@router.get("/app/staff")
async def directory(request: Request, role: str | None = None, session: Session = Depends(session_of)) -> Response:
    answer = await Backend(request, session).get("/api/v1/staff", role=role)
    if not answer.ok:
        return page(request, "problem.html", session, status=answer.status, problem=answer.problem)
    return page(request, "staff_list.html", session, title="人员", people=answer.body, role=role or "")


async def _person_page(request: Request, session: Session, staff_id: UUID, *, problem: dict[str, Any] | None = None,
                       values: dict[str, Any] | None = None, issued: dict[str, Any] | None = None,
                       leave_values: dict[str, Any] | None = None) -> Response:
    backend = Backend(request, session)
    everyone = await backend.get("/api/v1/staff")
    if not everyone.ok:
        return page(request, "problem.html", session, status=everyone.status, problem=everyone.problem)
    person = next((p for p in everyone.body if p["id"] == str(staff_id)), None)
    if person is None:
        return page(request, "problem.html", session, status=404,
                    problem={"title": "Not Found", "detail": f"There is no staff member {staff_id}."})
    token = await backend.get(f"/api/v1/staff/{staff_id}/token") if may(request, session, Action.READ_STAFF_TOKEN) \
        else None
    declaration = SchemaForm(ConflictDeclaration.model_json_schema(), language_of(request))
    errors = field_errors(problem or {}) if problem and problem.get("form") == "conflict" else {}
    status = int((problem or {}).get("status", 200))
    leave = await leave_context(request, session, staff_id, problem=problem, values=leave_values)
    return page(request, "staff_person.html", session, status=status, title=person["name"], person=person,
                token=token.body if token is not None and token.ok else None, issued=issued,
                token_actions=[n for n, a in TOKEN_ACTIONS.items() if may(request, session, a)],
                may_declare=may(request, session, Action.DECLARE_CONFLICT),
                may_end=may(request, session, Action.END_CONFLICT),
                conflict_fields=declaration.fields(values or {}, errors), problem=problem or {},
                idempotency_key=new_key(), notice=request.query_params.get("notice", ""),
                leave_base=f"/app/staff/{staff_id}", **leave)


@router.get("/app/staff/{staff_id}")
async def person(staff_id: UUID, request: Request, session: Session = Depends(session_of)) -> Response:
    return await _person_page(request, session, staff_id)


@router.post("/app/staff/{staff_id}/{action}")
async def token_action(staff_id: UUID, action: str, request: Request,
                       session: Session = Depends(session_of)) -> Response:
    """Revoke, rotate or deactivate; a rotation's new token is shown on the page it answers with, once
    (the register keeps only its hash), never put in an address."""
    fields = await read_form(request, session)
    if action not in TOKEN_ACTIONS:
        return page(request, "problem.html", session, status=404,
                    problem={"title": "Not Found", "detail": f"There is no staff action {action}."})
    answer = await Backend(request, session).post(f"/api/v1/staff/{staff_id}/{action}", {},
                                                  idempotency_key=fields.get("_idem") or None)
    if not answer.ok:
        return await _person_page(request, session, staff_id, problem={**answer.problem, "status": answer.status})
    if action == "rotate":
        return await _person_page(request, session, staff_id, issued=answer.body)
    return to(f"/app/staff/{staff_id}", {"revoke": "令牌已撤销 / token revoked",
                                          "deactivate": "已停用 / deactivated"}[action])


@router.post("/app/staff/{staff_id}/conflicts/new")
async def declare_conflict(staff_id: UUID, request: Request, session: Session = Depends(session_of)) -> Response:
    fields = await read_form(request, session)
    body = SchemaForm(ConflictDeclaration.model_json_schema()).payload(fields.items())

    async def redraw(problem: dict[str, Any]) -> Response:
        return await _person_page(request, session, staff_id, problem={**problem, "form": "conflict"}, values=body)

    return await act(request, session, f"/api/v1/staff/{staff_id}/conflicts", body, fields,
                     then=lambda _: to(f"/app/staff/{staff_id}", "利益冲突已登记 / conflict declared"), redraw=redraw)


@router.post("/app/staff/{staff_id}/conflicts/{conflict_id}/end")
async def end_conflict(staff_id: UUID, conflict_id: UUID, request: Request,
                       session: Session = Depends(session_of)) -> Response:
    fields = await read_form(request, session)

    async def redraw(problem: dict[str, Any]) -> Response:
        return await _person_page(request, session, staff_id, problem=problem)

    return await act(request, session, f"/api/v1/staff/{staff_id}/conflicts/{conflict_id}/end",
                     {"ended_on": fields.get("ended_on", "")}, fields,
                     then=lambda _: to(f"/app/staff/{staff_id}", "利益冲突已结束 / conflict ended"), redraw=redraw)


def _redraw_person(request: Request, session: Session, staff_id: UUID) -> Redraw:
    async def redraw(problem: dict[str, Any], values: dict[str, Any]) -> Response:
        return await _person_page(request, session, staff_id, problem=problem, leave_values=values)
    return redraw


@router.post("/app/staff/{staff_id}/capacity/change")
async def capacity_change(staff_id: UUID, request: Request, session: Session = Depends(session_of)) -> Response:
    return await change_capacity(request, session, staff_id, f"/app/staff/{staff_id}",
                                 _redraw_person(request, session, staff_id))


@router.post("/app/staff/{staff_id}/absences/new")
async def absence_new(staff_id: UUID, request: Request, session: Session = Depends(session_of)) -> Response:
    return await record_absence(request, session, staff_id, f"/app/staff/{staff_id}",
                                _redraw_person(request, session, staff_id))


@router.post("/app/staff/{staff_id}/absences/{absence_id}/cancel")
async def absence_cancel(staff_id: UUID, absence_id: UUID, request: Request,
                         session: Session = Depends(session_of)) -> Response:
    return await cancel_absence(request, session, staff_id, absence_id, f"/app/staff/{staff_id}",
                                _redraw_person(request, session, staff_id))
