"""Pages to read from: the item catalogue and its levels (R-6), the regulator's monthly report (CNCA)
to download, and how long the processes spend at each step."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.pages.backend import Backend
from api.pages.permits import may
from api.pages.render import page
from api.pages.session import Session, session_of
from api.permissions import Action
from workflows.model import MODEL_OF

router = APIRouter(include_in_schema=False)

PASSED_ON = ("content-type", "content-disposition", "x-report-period")


@router.get("/app/catalogue")
async def catalogue(request: Request, session: Session = Depends(session_of)) -> Response:
    answer = await Backend(request, session).get("/api/v1/catalogue")
    if not answer.ok:
        return page(request, "problem.html", session, status=answer.status, problem=answer.problem)
    return page(request, "catalogue.html", session, title="评价项目", catalogue=answer.body)


@router.get("/app/reports")
async def reports(request: Request, month: str = "", session: Session = Depends(session_of)) -> Response:
    backend = Backend(request, session)
    stats = await backend.get("/api/v1/processes/stats") if may(request, session, Action.READ_PROCESS_STATS) else None
    names = {e.id: e.name for model in MODEL_OF.values() for e in model.elements} if stats else {}
    return page(request, "reports.html", session, title="报表", month=month,
                may_report=may(request, session, Action.READ_CNCA_REPORT),
                stats=stats.body if stats is not None and stats.ok else [], names=names)


@router.get("/app/reports/cnca")
async def cnca(request: Request, month: str = "", format: str = "csv",
               session: Session = Depends(session_of)) -> Response:
    """The report as the API makes it, handed on to the signed-in reader (a browser has no bearer token)."""
    answer = await Backend(request, session).get_file("/api/v1/reports/cnca", month=month, format=format)
    if answer.status_code != 200:
        problem = answer.json() if "json" in answer.headers.get("content-type", "") else {"detail": answer.text}
        return page(request, "reports.html", session, status=answer.status_code, title="报表", month=month,
                    may_report=may(request, session, Action.READ_CNCA_REPORT), stats=[], names={}, problem=problem)
    headers = {k: v for k, v in answer.headers.items() if k.lower() in PASSED_ON}
    return Response(answer.content, headers=headers)
