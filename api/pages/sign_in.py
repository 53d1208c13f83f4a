"""Signing in and out of the staff pages with the staff token (``certflow staff add`` prints it)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials

from api.auth import current_actor, now
from api.pages.render import page
from api.pages.session import SignInNeeded, check_csrf, end_session, form_of, keep_session, session_of
from api.problems import Problem

router = APIRouter(include_in_schema=False)


def _local(target: str | None) -> str:
    """Only a path of this site is followed after signing in (never another site's address)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/app"


@router.get("/sign-in")
async def sign_in_form(request: Request, next: str | None = None, why: str | None = None) -> Response:
    return page(request, "sign_in.html", title="登录", next=_local(next), why=why or "", status=200)


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    fields = dict(await form_of(request))
    token, target = fields.get("token", "").strip(), _local(fields.get("next"))
    reason = ""
    if not token:
        reason = "Enter your staff token."
    else:
        try:
            await current_actor(request, HTTPAuthorizationCredentials(scheme="Bearer", credentials=token),
                                request.app.state.pool, now())
        except Problem as problem:
            reason = problem.detail
    if reason:
        return page(request, "sign_in.html", title="登录", next=target, why=reason, status=401)
    response = RedirectResponse(target, status_code=303)
    keep_session(response, request, token)
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    try:
        session = await session_of(request)
    except SignInNeeded:  # a token that no longer signs in: the session ends all the same
        session = None
    if session is not None:
        check_csrf(session, await form_of(request))
    response = RedirectResponse("/sign-in", status_code=303)
    end_session(response)
    return response
