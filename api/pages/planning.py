"""The year's audit forecast for those who programme audits (issue 18): month by month, the person-days
the audits due demand against what the auditors and mystery shoppers can give, months over capacity
flagged in words and with a mark, months of a year without holiday data marked provisional (R-dates).

The numbers are the API's (``GET /api/v1/scheduling/forecast``); the page draws them, without JavaScript.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from api.pages.backend import Backend
from api.pages.i18n import language_of
from api.pages.permits import may
from api.pages.render import page
from api.pages.session import Session, check_csrf, form_of, session_of
from api.pages.team import refuse_unless
from api.permissions import Action

router = APIRouter(include_in_schema=False)

KIND_WORDS = {"initial": ("初次认证", "initial"), "surveillance": ("监督", "surveillance"),
              "recertification": ("再认证", "recertification"), "special": ("特殊审核", "special")}


def days(value: Any) -> str:
    """Person-days as people write them: 8, 2.5."""
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    return f"{number.normalize():f}"


def bar_top(demand: Any, capacity: Any) -> str:
    """The scale of a month's bar: its capacity, or its demand when that is larger (the bar then full)."""
    top = max(Decimal(str(demand)), Decimal(str(capacity)))
    return days(top if top > 0 else 1)


@router.get("/app/planning")
async def planning(request: Request, session: Session = Depends(session_of)) -> Response:
    return await _draw(request, session)


@router.post("/app/planning/replan")
async def replan(request: Request, session: Session = Depends(session_of)) -> Response:
    """A programme manager's "plan again" (issue 18): every open proposal re-planned, with the reason."""
    pairs = await form_of(request)
    check_csrf(session, pairs)
    sent = dict(pairs)
    answer = await Backend(request, session).post(
        "/api/v1/scheduling/replan", {"reason": sent.get("reason", ""), "horizon": True},
        idempotency_key=sent.get("_idem") or None)
    if answer.ok:
        return RedirectResponse("/app/planning?replanned=1", status_code=303)
    return await _draw(request, session, problem=answer.problem, status=answer.status)


async def _draw(request: Request, session: Session, *, problem: dict[str, Any] | None = None,
                status: int = 200) -> Response:
    refuse_unless(request, session, Action.READ_SCHEDULING.value)
    backend = Backend(request, session)
    answer = await backend.get("/api/v1/scheduling/forecast", months=12)
    if not answer.ok:
        return page(request, "problem.html", session, status=answer.status, problem=answer.problem)
    proposals = upcoming = None
    if may(request, session, Action.LIST_PROPOSALS.value):
        listed = await backend.get("/api/v1/scheduling/proposals")
        proposals = listed.body if listed.ok else None
        planned = await backend.get("/api/v1/scheduling/proposals", upcoming="true")
        upcoming = planned.body if planned.ok else None
    english = language_of(request) == "en"
    return page(request, "planning.html", session, status=status, title="审核排期预测", forecast=answer.body,
                days=days, bar_top=bar_top, kind_words=lambda kind: KIND_WORDS.get(kind, (kind, kind))[english],
                proposals=proposals, upcoming=upcoming, problem=problem or {},
                idempotency_key=secrets.token_urlsafe(16),
                may_replan=may(request, session, Action.REPLAN.value))
