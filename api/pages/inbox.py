"""The inbox: my tasks, soonest due first, overdue ones marked, each naming its organization and
certificate; the tasks of my roles; and, for managers, everyone's (the team's queue)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from api.pages.backend import Backend
from api.pages.render import page
from api.pages.session import SESSION_COOKIE, Session, session_of

router = APIRouter(include_in_schema=False)

VIEWS = {"mine": {"mine": "true"}, "roles": {"mine": "false"}, "overdue": {"mine": "false", "overdue": "true"}}


def next_cursor(link: str | None) -> str | None:
    """The ``after`` of the API's ``Link: <...>; rel="next"``."""
    if not link or 'rel="next"' not in link:
        return None
    url = link.split(";", 1)[0].strip().strip("<>")
    found = parse_qs(urlsplit(url).query).get("after")
    return found[0] if found else None


@router.get("/")
async def home(request: Request) -> Response:
    """The staff's inbox for someone signed in (or who was: the sign-in page says why not any more);
    the public register for everyone else."""
    return RedirectResponse("/app" if request.cookies.get(SESSION_COOKIE) else "/public", status_code=303)


@router.get("/app")
async def inbox(request: Request, view: str = "mine", after: str | None = None, sort: str = "due",
                session: Session = Depends(session_of)) -> Response:
    view = view if view in VIEWS else "mine"
    answer = await Backend(request, session).get("/api/v1/tasks", after=after, sort=sort, **VIEWS[view])
    if not answer.ok:
        return page(request, "problem.html", session, status=answer.status, problem=answer.problem)
    return page(request, "inbox.html", session, title="我的任务", tasks=answer.body, view=view, sort=sort,
                after=next_cursor(answer.headers.get("link")), done=request.query_params.get("done", ""))
