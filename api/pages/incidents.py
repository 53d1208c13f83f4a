"""Incidents for those who watch the processes (operators, managers): the steps that failed for good,
each with its error, rule id, step and process, and a form to retry it once the cause is fixed.

The list, the incident and the retry are the API's (``/api/v1/incidents``): who may see and retry,
and whether a retry is possible now, are its answers, shown as they come.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from api.pages.backend import Answer, Backend
from api.pages.i18n import language_of
from api.pages.render import page
from api.pages.session import Session, check_csrf, form_of, session_of
from api.pages.team import refuse_unless
from api.permissions import Action
from api.problems import Problem

router = APIRouter(include_in_schema=False)

SHANGHAI = ZoneInfo("Asia/Shanghai")
STATE_WORDS = {"open": ("待处理", "open"), "retrying": ("重试中", "retrying"), "resolved": ("已解决", "resolved")}


def when(iso: str | None) -> str:
    """A time of the API's, as the body reads it (Beijing time, to the minute)."""
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def _words(request: Request) -> dict[str, Any]:
    """What both incident templates use to word a state and a time."""
    english = language_of(request) == "en"
    return {"when": when, "state_words": lambda state: STATE_WORDS.get(state, (state, state))[english]}


def _path_id(incident_id: str) -> str:
    if not incident_id.isdigit() or len(incident_id) > 19:
        raise Problem(404, f"There is no incident {incident_id}.")
    return incident_id


@router.get("/app/incidents")
async def incidents(request: Request, view: str = "open", session: Session = Depends(session_of)) -> Response:
    refuse_unless(request, session, Action.LIST_INCIDENTS.value)
    view = "all" if view == "all" else "open"
    answer = await Backend(request, session).get("/api/v1/incidents", all="true" if view == "all" else None)
    if not answer.ok:
        return page(request, "problem.html", session, status=answer.status, problem=answer.problem)
    return page(request, "incidents.html", session, title="故障", incidents=answer.body, view=view, **_words(request))


@router.get("/app/incidents/{incident_id}")
async def incident(request: Request, incident_id: str, session: Session = Depends(session_of)) -> Response:
    refuse_unless(request, session, Action.READ_INCIDENT.value)
    answer = await Backend(request, session).get(f"/api/v1/incidents/{_path_id(incident_id)}")
    return _incident_page(request, session, answer, done=request.query_params.get("done") == "retry")


@router.post("/app/incidents/{incident_id}/retry")
async def retry(request: Request, incident_id: str, session: Session = Depends(session_of)) -> Response:
    """Retry the incident's step (the API's ``POST .../retry``); back to the incident with a notice, or the
    incident again with the API's refusal."""
    pairs = await form_of(request)
    check_csrf(session, pairs)
    refuse_unless(request, session, Action.RETRY_INCIDENT.value)
    number = _path_id(incident_id)
    backend = Backend(request, session)
    idempotency_key = dict(pairs).get("_idem") or secrets.token_urlsafe(16)
    answer = await backend.post(f"/api/v1/incidents/{number}/retry", {}, idempotency_key=idempotency_key)
    if answer.ok:
        return RedirectResponse(f"/app/incidents/{number}?done=retry", status_code=303)
    current = await backend.get(f"/api/v1/incidents/{number}")
    return _incident_page(request, session, current, refusal=answer)


def _incident_page(request: Request, session: Session, answer: Answer, *, done: bool = False,
                   refusal: Answer | None = None) -> Response:
    if not answer.ok:
        return page(request, "problem.html", session, status=answer.status, problem=answer.problem)
    found = answer.body
    return page(request, "incident.html", session, status=refusal.status if refusal else 200,
                title=f"故障 {found['id']}", incident=found, done=done,
                refusal=refusal.problem if refusal else None, idem=secrets.token_urlsafe(16), **_words(request))
