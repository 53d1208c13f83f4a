"""Changing an audit's programme from a page (R-9.1.10): the programme in force, drawn as a form to
change, with the reason; every version is kept by the audit's process, which checks the new one as it
checked the first (R-7 team, R-9.1.4 impartiality, R-9.1.6 notice, R-3.10 visits)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.pages.acting import act, new_key, read_form, to
from api.pages.backend import Backend
from api.pages.forms import SchemaForm, field_errors
from api.pages.i18n import language_of
from api.pages.people import people_for
from api.pages.render import page
from api.pages.session import Session, session_of
from schemas.payload_schemas import payload_schema
from schemas.payloads import ProgrammeRevision

router = APIRouter(include_in_schema=False)


async def _draw(request: Request, session: Session, audit_id: str, *, values: dict[str, Any] | None = None,
                problem: dict[str, Any] | None = None) -> Response:
    backend = Backend(request, session)
    audit = await backend.get(f"/api/v1/audits/{quote(audit_id, safe='')}")
    if not audit.ok:
        return page(request, "problem.html", session, status=audit.status, problem=audit.problem)
    if values is None:
        values = {"programme": audit.body["programme"]}
    errors = field_errors(problem or {})
    fields = SchemaForm(payload_schema(ProgrammeRevision), language_of(request)).fields(values, errors)
    people = await people_for(backend, session, {"context": audit.body["programme"]}, fields)
    return page(request, "programme.html", session, status=int((problem or {}).get("status", 200)),
                title="修改审查方案", audit=audit.body, fields=fields, people=people, problem=problem or {},
                idempotency_key=new_key(), notice=request.query_params.get("notice", ""))


@router.get("/app/audits/{audit_id}/programme")
async def programme_form(audit_id: str, request: Request, session: Session = Depends(session_of)) -> Response:
    return await _draw(request, session, audit_id)


@router.post("/app/audits/{audit_id}/programme")
async def revise_programme(audit_id: str, request: Request, session: Session = Depends(session_of)) -> Response:
    fields = await read_form(request, session)
    body = SchemaForm(payload_schema(ProgrammeRevision)).payload(fields.items())
    if "_add" in fields:
        return await _draw(request, session, audit_id, values=body)

    async def redraw(problem: dict[str, Any]) -> Response:
        return await _draw(request, session, audit_id, values=body, problem=problem)

    here = f"/app/audits/{quote(audit_id, safe='')}/programme"
    return await act(request, session, f"/api/v1/audits/{quote(audit_id, safe='')}/programme", body, fields,
                     then=lambda a: to(here, f"方案已改为第 {a.body['programme_version']} 版 / programme version "
                                             f"{a.body['programme_version']}"), redraw=redraw)
