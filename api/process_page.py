"""The process page: a process's BPMN diagram (bpmn-js, from web/, pinned) with the elements it is in,
the ones it passed and the overdue ones marked, a list of them in plain words, its incidents (a step
that failed for good, with the error and how to retry it), and a link to the process in the Temporal
UI. The page holds no data of its own: its script reads the process (GET /api/v1/processes/{id}) and
the model from /bpmn/{file}.bpmn.

Who reads: a person signed in to the pages (the session cookie) reads through
``/app/processes/{id}/view.json``, the same answer fetched as them by the pages' ``Backend``; a caller
with a staff token gives it after ``#token=`` (kept in the tab's sessionStorage, never sent in a URL
the server sees). Without either, the page says how to sign in. It is the one page that needs
JavaScript (issue 15); it wears the pages' header and links back to the application and certificate.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.pages.backend import Backend
from api.pages.render import page as render_page
from api.pages.session import Session, SignInNeeded, session_of
from api.problems import Problem
from certflow.bpmn import BPMN_DIR

router = APIRouter(tags=["pages"])

BPMN_JS_DIR = Path(__file__).resolve().parents[1] / "web" / "node_modules" / "bpmn-js" / "dist"
MODEL_FILES = {"certification", "audit"}
APPLICATION_OF = re.compile(r"certification-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")


def model_file_of(workflow_id: str) -> str:
    return "audit" if workflow_id.startswith("audit-") else "certification"


def application_of(workflow_id: str) -> str | None:
    """The application a certification (or one of its audits) was started by, from its workflow id."""
    found = APPLICATION_OF.search(workflow_id)
    return found.group(1) if found else None


async def signed_in(request: Request) -> Session | None:
    try:
        return await session_of(request)
    except SignInNeeded:
        return None


@router.get("/bpmn/{name}.bpmn", summary="a process model (BPMN 2.0 XML with its diagram)", response_class=Response,
            responses={200: {"content": {"application/xml": {}}}})
async def model(name: str) -> Response:
    """A process model: the BPMN 2.0 XML with its diagram, as in bpmn/ (the pictures the workflows follow)."""
    if name not in MODEL_FILES:
        raise Problem(404, f"There is no process model {name}; there are {', '.join(sorted(MODEL_FILES))}.")
    return Response((BPMN_DIR / f"{name}.bpmn").read_bytes(), media_type="application/xml")


@router.get("/processes/{workflow_id}", response_class=HTMLResponse, summary="a process's page: its diagram, live")
async def page(workflow_id: str, request: Request) -> Response:
    """A process's page: its diagram drawn by bpmn-js with the elements it is in now, live from the API,
    read as the signed-in person or with the token after ``#token=``. The inline blocks bear the
    response's CSP nonce (api/security_headers.py)."""
    session = await signed_in(request)
    quoted = quote(workflow_id, safe="")
    data = {"workflowId": workflow_id, "model": f"/bpmn/{model_file_of(workflow_id)}.bpmn",
            "signedIn": session is not None, "view": f"/app/processes/{quoted}/view.json"}
    return render_page(request, "process.html", session, title="过程", workflow_id=workflow_id, data=data,
                       application_id=application_of(workflow_id),
                       sign_in=f"/sign-in?next={quote('/processes/' + quoted, safe='')}")


@router.get("/app/processes/{workflow_id}/view.json", include_in_schema=False)
async def view(workflow_id: str, request: Request) -> Response:
    """The process as the signed-in person may read it (the API's answer, or its refusal, as it is):
    what the page's script reads when the reader signed in with the session cookie."""
    session = await signed_in(request)
    if session is None:
        return JSONResponse({"title": "Sign in", "status": 401, "detail": "Sign in to see this process."},
                            status_code=401, media_type="application/problem+json")
    answer = await Backend(request, session).get(f"/api/v1/processes/{quote(workflow_id, safe='')}")
    return JSONResponse(answer.body, status_code=answer.status,
                        media_type="application/json" if answer.ok else "application/problem+json")
