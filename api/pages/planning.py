"""The year's audit forecast for those who programme audits (issue 18): month by month, the person-days
the audits due demand against what the auditors and mystery shoppers can give, months over capacity
flagged in words and with a mark, months of a year without holiday data marked provisional (R-dates).

The numbers are the API's (``GET /api/v1/scheduling/forecast``); the page draws them, without JavaScript.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.pages.backend import Backend
from api.pages.i18n import language_of
from api.pages.render import page
from api.pages.session import Session, session_of
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
    refuse_unless(request, session, Action.READ_SCHEDULING.value)
    answer = await Backend(request, session).get("/api/v1/scheduling/forecast", months=12)
    if not answer.ok:
        return page(request, "problem.html", session, status=answer.status, problem=answer.problem)
    english = language_of(request) == "en"
    return page(request, "planning.html", session, title="审核排期预测", forecast=answer.body, days=days,
                bar_top=bar_top, kind_words=lambda kind: KIND_WORDS.get(kind, (kind, kind))[english])
