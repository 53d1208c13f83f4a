"""The applications: the list (newest first, a page at a time), each application's page (organization,
completeness, where its process stands, its open tasks and timeline) and the form to submit a new one
(R-9.1.1), shown only to the roles the permission matrix lets submit (the body's intake roles)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from api.pages.acting import new_key
from api.pages.backend import Backend
from api.pages.form_tools import find_field, one_more_row
from api.pages.forms import FormField, SchemaForm, field_errors
from api.pages.i18n import language_of
from api.pages.inbox import next_cursor
from api.pages.labels import option_label
from api.pages.permits import may
from api.pages.render import page
from api.pages.session import Session, check_csrf, form_of, session_of
from api.permissions import Action, permission_matrix, refusal
from schemas.applications import ApplicationStatus
from schemas.intake import REQUIRED_MATERIALS, ApplicationSubmission
from schemas.task_titles import task_title

router = APIRouter(include_in_schema=False)

MATERIALS = "materials"  # drawn as one box per material lists
ROW_LISTS = ("sites", "licences")


def may_submit(request: Request, session: Session) -> bool:
    return may(request, session, Action.SUBMIT_APPLICATION)


@router.get("/app/applications")
async def application_list(request: Request, session: Session = Depends(session_of)) -> Response:
    asked = {k: request.query_params.get(k, "").strip() for k in ("status", "organization", "limit")}  # limit: URL
    answer = await Backend(request, session).get("/api/v1/applications", after=request.query_params.get("after"),
                                                  **asked)
    cursor = next_cursor(answer.headers.get("link")) if answer.ok else None
    lang = language_of(request)
    return page(request, "applications.html", session, status=200 if answer.ok else answer.status, title="申请",
                asked=asked, rows=answer.body if answer.ok else None, problem=answer.problem,
                next_url=("/app/applications?" + urlencode({**{k: v for k, v in asked.items() if v}, "after": cursor}))
                if cursor else "", may_submit=may_submit(request, session),
                statuses=[(s.value, option_label(s.value, lang)) for s in ApplicationStatus],
                word=lambda v: option_label(str(v), lang))


@router.get("/app/applications/new")
async def new_application(request: Request, session: Session = Depends(session_of)) -> Response:
    _refuse_unless_intake(request, session)
    return _form_page(request, session, {}, {}, {})


@router.post("/app/applications/new")
async def submit_application(request: Request, session: Session = Depends(session_of)) -> Response:
    """The form sent: "one more row" draws it again with another row; otherwise the application goes to
    the API (with the form's idempotency key) and the reader to its page, or the form comes back with
    the API's refusal beside the fields."""
    pairs = await form_of(request)
    check_csrf(session, pairs)
    payload = read_application(pairs, language_of(request))
    added = dict(pairs).get("_add", "")
    if added in ROW_LISTS:
        return _form_page(request, session, payload, {}, one_more_row(pairs, payload, added))
    answer = await Backend(request, session).post("/api/v1/applications", payload,
                                                  idempotency_key=dict(pairs).get("_idem") or None)
    if answer.ok and isinstance(answer.body, dict):
        return RedirectResponse(f"/app/applications/{quote(str(answer.body['application_id']))}?submitted=1",
                                status_code=303)
    if answer.status in (401, 403):  # not theirs to submit (an old page, a role taken away): no form again
        return page(request, "problem.html", session, status=answer.status, title=str(answer.problem.get("title", "")),
                    problem=answer.problem)
    return _form_page(request, session, payload, answer.problem, {}, status=answer.status)


@router.get("/app/applications/{application_id}")
async def application_page(request: Request, application_id: str, session: Session = Depends(session_of)) -> Response:
    answer = await Backend(request, session).get(f"/api/v1/applications/{quote(application_id, safe='')}")
    if not answer.ok:
        return page(request, "problem.html", session, status=answer.status, title=str(answer.problem.get("title", "")),
                    problem=answer.problem)
    lang = language_of(request)
    return page(request, "application.html", session, title="申请", view=answer.body, plain=without_links,
                task_words=lambda task: task_title(task["kind"], task["title"], {}, lang),
                submitted=request.query_params.get("submitted") == "1", materials=_material_words(lang),
                word=lambda v: option_label(str(v), lang))


def without_links(text: str) -> str:
    """The process's summary without its Markdown links (written for the Temporal UI; the page has its own)."""
    return re.sub(r"\s*\[[^\]]*\]\([^)]*\)", "", text or "")


def read_application(pairs: list[tuple[str, str]], lang: str) -> dict[str, Any]:
    """The submitted form as an ``ApplicationSubmission`` body: the materials ticked as their keys."""
    return SchemaForm(ApplicationSubmission.model_json_schema(), lang).payload(pairs)


def missing_errors(problem: Mapping[str, Any], lang: str = "zh") -> dict[str, str]:
    """R-9.1.1's list of what is missing (``"sites[0].headcount: a positive ..."``) beside the fields it
    names; the missing materials named together beside their boxes, in the reader's words."""
    found: dict[str, str] = {}
    materials = _material_words(lang)
    lacking: list[str] = []
    for item in problem.get("missing") or []:
        where, _, words = str(item).partition(": ")
        if where.startswith(MATERIALS + "."):
            lacking.append(materials.get(where.split(".", 1)[1], where))
            continue
        words = words or ("必填" if lang == "zh" else "needed")
        found[where] = f"{found[where]}; {words}" if where in found else words
    if lacking:
        found[MATERIALS] = ("缺少：" if lang == "zh" else "Missing: ") + ("、" if lang == "zh" else ", ").join(lacking)
    return found


def missing_summary(problem: Mapping[str, Any], fields: list[FormField]) -> list[tuple[str, str]]:
    """Each item R-9.1.1 found missing, with the id of its field to jump to ("" when none is drawn)."""
    summary = []
    for item in problem.get("missing") or []:
        where = str(item).partition(": ")[0]
        drawn = find_field(fields, MATERIALS if where.startswith(MATERIALS + ".") else where)
        summary.append((str(item), drawn.input_id if drawn else ""))
    return summary


def _refuse_unless_intake(request: Request, session: Session) -> None:
    if not may_submit(request, session):
        settings = request.app.state.settings
        roles = permission_matrix(settings.intake_roles, settings.staff_admin_roles, settings.staff_readers)
        raise refusal(Action.SUBMIT_APPLICATION, roles[Action.SUBMIT_APPLICATION])


def _form_page(request: Request, session: Session, values: dict[str, Any], problem: Mapping[str, Any],
               extra_rows: dict[str, int], *, status: int = 200) -> Response:
    lang = language_of(request)
    errors = {**field_errors(problem), **missing_errors(problem, lang)}
    if not values.get("sites") and "sites" not in extra_rows:
        extra_rows = {**extra_rows, "sites": 1}  # an application names at least one site: a row to fill
    fields = SchemaForm(ApplicationSubmission.model_json_schema(), lang).fields(values, errors, extra_rows)
    _materials_as_boxes(fields, values, lang)
    return page(request, "application_new.html", session, status=status, title="提交申请", fields=fields,
                problem=problem, missing=missing_summary(problem, fields), idem=new_key())


def _materials_as_boxes(fields: list[FormField], values: Mapping[str, Any], lang: str) -> None:
    boxes = find_field(fields, MATERIALS)
    if boxes is not None:
        words = _material_words(lang)
        boxes.options = list(words.items())
        boxes.value = values.get(MATERIALS, [])
        boxes.description = ""


def _material_words(lang: str) -> dict[str, str]:
    """R-9.1.1's materials in the reader's language (the scheme gives both: "营业执照 business licence")."""
    words = {}
    for key, both in REQUIRED_MATERIALS.items():
        zh, _, en = both.partition(" ")
        words[key] = en if lang == "en" else zh
    return words
