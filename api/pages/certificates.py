"""The certificates: a search over the register (status, star level, organization, "due this month",
order) and each certificate's page (facts, sites, what is due next, its documents and versions, its
timeline, the live process) with the actions of its life as forms, each shown only to those the
permission matrix gives it (api/pages/permits.py). Every action goes to the API, which decides."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from api.pages.acting import new_key
from api.pages.backend import Backend
from api.pages.form_tools import find_field
from api.pages.forms import FormField, SchemaForm, field_errors
from api.pages.i18n import language_of
from api.pages.inbox import next_cursor
from api.pages.labels import option_label
from api.pages.permits import may
from api.pages.render import page
from api.pages.session import Session, check_csrf, form_of, session_of
from api.permissions import CERTIFICATE_ACTIONS
from api.problems import Problem
from api.tasks import today
from schemas.actions import ACTION_MODELS
from schemas.certificates import CertStatus, StarLevel

router = APIRouter(include_in_schema=False)

FILTERS = ("status", "star_level", "organization", "due_before", "sort", "limit")  # limit: by URL only
SORTS = ("number", "-number", "issued", "-issued", "valid_to", "-valid_to", "next_due", "-next_due")
LIST_FIELDS = {"reduce_scope": "remove_sites"}  # lists of strings drawn as boxes: the certificate's sites


def first_of_next_month(today: date) -> date:
    """``due_before`` for "due this month": everything due before the 1st of the next month."""
    return date(today.year + today.month // 12, today.month % 12 + 1, 1)


def allowed_certificate_actions(request: Request, session: Session) -> list[str]:
    """The certificate actions (``suspend``, ``reissue``, ...) the permission matrix gives the reader's
    roles, in the API's order: the forms the page draws (api/pages/permits.py)."""
    return [name for name, action in CERTIFICATE_ACTIONS.items() if may(request, session, action)]


def action_schema(name: str) -> dict[str, Any]:
    """The action's JSON schema without its ``action`` tag (the URL names the action)."""
    schema = ACTION_MODELS[name].model_json_schema()
    schema["properties"] = {k: v for k, v in schema["properties"].items() if k != "action"}
    schema["required"] = [k for k in schema.get("required", ()) if k != "action"]
    return schema


@dataclass
class ActionForm:
    """One action's form on the certificate's page, with its refusal when it was just refused."""

    name: str
    fields: list[FormField]
    idem: str
    problem: dict[str, Any] = field(default_factory=dict)


@router.get("/app/certificates")
async def certificate_search(request: Request, session: Session = Depends(session_of)) -> Response:
    asked = {k: request.query_params.get(k, "").strip() for k in FILTERS}
    answer = await Backend(request, session).get("/api/v1/certificates", after=request.query_params.get("after"),
                                                  **asked)
    lang = language_of(request)
    day = today()  # the body's calendar day (Asia/Shanghai), as the inbox's "overdue"
    return page(request, "certificates.html", session, status=200 if answer.ok else answer.status, title="证书",
                asked=asked,
                found=answer.body if answer.ok else None, problem=answer.problem,
                errors=field_errors(answer.problem, ("query",)),
                next_url=_next_url(asked, next_cursor(answer.headers.get("link")) if answer.ok else None),
                this_month=first_of_next_month(day).isoformat(),
                statuses=[(s.value, option_label(s.value, lang)) for s in CertStatus],
                levels=[(s.value, option_label(s.value, lang)) for s in StarLevel], sorts=SORTS,
                word=lambda v: option_label(str(v), lang))


def _next_url(asked: dict[str, str], cursor: str | None) -> str:
    if cursor is None:
        return ""
    return "/app/certificates?" + urlencode({**{k: v for k, v in asked.items() if v}, "after": cursor})


@router.get("/app/certificates/{number}")
async def certificate_page(request: Request, number: str, session: Session = Depends(session_of)) -> Response:
    return await _draw(request, session, number, done=request.query_params.get("done", ""))


@router.post("/app/certificates/{number}/{action}")
async def certificate_action(request: Request, number: str, action: str,
                             session: Session = Depends(session_of)) -> Response:
    """One action's form sent: to the API with the form's idempotency key; back to the page with a
    notice, or the page again with the API's refusal beside the form."""
    pairs = await form_of(request)
    check_csrf(session, pairs)
    if action not in ACTION_MODELS:
        raise Problem(404, f"There is no certificate action {action!r}.")
    payload = read_action(action, pairs, language_of(request))
    answer = await Backend(request, session).post(
        f"/api/v1/certificates/{quote(number, safe='')}/{action}", payload,
        idempotency_key=dict(pairs).get("_idem") or None)
    if answer.ok:
        shown = answer.body.get("number", number) if isinstance(answer.body, dict) else number
        return RedirectResponse(f"/app/certificates/{quote(shown, safe='')}?done={action}#actions", status_code=303)
    return await _draw(request, session, number, refused=action, problem=answer.problem, values=payload,
                       status=answer.status)


def read_action(action: str, pairs: list[tuple[str, str]], lang: str) -> dict[str, Any]:
    """The submitted action form as the JSON body the API takes (boxes ticked read as a list)."""
    return SchemaForm(action_schema(action), lang).payload(pairs)


async def _draw(request: Request, session: Session, number: str, *, done: str = "", refused: str = "",
                problem: dict[str, Any] | None = None, values: dict[str, Any] | None = None,
                status: int = 200) -> Response:
    """The certificate's page; after a refusal, with it beside the refused form and what was typed, and
    the API's status (409, 422, 403)."""
    answer = await Backend(request, session).get(f"/api/v1/certificates/{quote(number, safe='')}")
    if not answer.ok:
        return page(request, "problem.html", session, status=answer.status, title=str(answer.problem.get("title", "")),
                    problem=answer.problem)
    view = answer.body
    lang = language_of(request)
    offered = allowed_certificate_actions(request, session)
    forms = [_action_form(name, view, lang, (problem or {}) if name == refused else {},
                          values if name == refused else None) for name in offered]
    # A refusal of a form this page does not offer (sent from an old page, or forged) is shown on top.
    elsewhere = (problem or {}) if refused and refused not in offered else {}
    return page(request, "certificate.html", session, status=status, title=view["certificate"]["number"],
                view=view, forms=forms, done=done, elsewhere=elsewhere, word=lambda v: option_label(str(v), lang))


def _action_form(name: str, view: dict[str, Any], lang: str, problem: dict[str, Any],
                 values: dict[str, Any] | None) -> ActionForm:
    fields = SchemaForm(action_schema(name), lang).fields(values or {}, field_errors(problem))
    if name in LIST_FIELDS and (boxes := find_field(fields, LIST_FIELDS[name])) is not None:
        boxes.options = [(s["name"], s["name"]) for s in view["sites"] if not s.get("removed_on")]
        boxes.value = (values or {}).get(LIST_FIELDS[name], [])
        if not boxes.options:  # no site left to take out: nothing to tick
            fields.remove(boxes)
    return ActionForm(name=name, fields=fields, idem=new_key(), problem=problem)
