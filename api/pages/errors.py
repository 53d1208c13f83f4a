"""What a page shows when something is refused or missing: a page in the reader's words, with the
rule id when a rule refused, instead of the API's problem JSON; and the sign-in page when nobody is
signed in."""

from __future__ import annotations

import inspect
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response

from api.pages.public_pages import prefers_html
from api.pages.render import page
from api.pages.session import SignInNeeded
from api.problems import Problem

PAGE_PREFIXES = ("/app", "/sign-in", "/sign-out")


def is_page(request: Request) -> bool:
    """A staff page, or the public register asked for by a browser (which prefers HTML)."""
    if request.url.path.startswith(PAGE_PREFIXES):
        return True
    return request.url.path.startswith("/public") and prefers_html(request)


def sign_in_redirect(request: Request, reason: str = "") -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = f"/sign-in?next={quote(target, safe='')}" + (f"&why={quote(reason, safe='')}" if reason else "")
    return RedirectResponse(location, status_code=303)


def problem_page(request: Request, status: int, problem: dict[str, Any]) -> Response:
    back = "/public" if request.url.path.startswith("/public") else "/app"
    return page(request, "problem.html", None, status=status, title=str(problem.get("title", status)),
                problem=problem, back=back)


def install_page_errors(app: FastAPI) -> None:
    """Pages answer refusals with a page; the API keeps its problem JSON (its handler is wrapped)."""
    api_problem = app.exception_handlers[Problem]

    @app.exception_handler(SignInNeeded)
    async def _sign_in(request: Request, exc: SignInNeeded) -> Response:
        return sign_in_redirect(request, exc.reason)

    async def _problem(request: Request, exc: Exception) -> Response:
        if is_page(request) and isinstance(exc, Problem):
            return problem_page(request, exc.status, {"title": exc.title, "detail": exc.detail,
                                                      "rule_id": exc.rule_id, **exc.extra})
        answered = api_problem(request, exc)
        return await answered if inspect.isawaitable(answered) else answered

    app.add_exception_handler(Problem, _problem)
    api_invalid = app.exception_handlers[RequestValidationError]

    async def _invalid(request: Request, exc: Exception) -> Response:
        if is_page(request) and isinstance(exc, RequestValidationError):
            where = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in exc.errors())
            return problem_page(request, 422, {"title": "Not valid", "detail": where})
        answered = api_invalid(request, exc)
        return await answered if inspect.isawaitable(answered) else answered

    app.add_exception_handler(RequestValidationError, _invalid)
