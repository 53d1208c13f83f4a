"""Signing in to the pages: the staff token, kept in an HttpOnly, SameSite=Strict cookie, and a CSRF
token on every form.

The cookie holds the same token the API takes as a bearer token; it is judged exactly as the API
judges it (``api.auth.current_actor``: expired, revoked, holder left), so a page signs in whom the API
would. Scripts cannot read it (HttpOnly), other sites' pages cannot send it (SameSite=Strict), and
each form carries a CSRF token, an HMAC of the session token: a page elsewhere cannot compute it
without the token, and nothing needs to be stored on the server for it (any API process checks it).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import parse_qsl

from fastapi import Request, Response
from fastapi.security import HTTPAuthorizationCredentials

from api.auth import current_actor, now
from api.problems import Problem
from schemas.tasking import Actor

SESSION_COOKIE = "certflow_session"
MAX_FORM_BYTES = 1_000_000
MAX_FORM_FIELDS = 5_000


@dataclass(frozen=True)
class Session:
    """Who is signed in, with their token (to call the API as them) and the CSRF token of their forms."""

    actor: Actor
    token: str

    @property
    def csrf(self) -> str:
        return csrf_token(self.token)

    def holds(self, *roles: str) -> bool:
        return bool(set(roles) & {r.value for r in self.actor.roles})


def csrf_token(session_token: str) -> str:
    return hmac.new(session_token.encode(), b"certflow-page-form", hashlib.sha256).hexdigest()


class SignInNeeded(Exception):
    """The page needs a signed-in person; the handler sends them to the sign-in page, with why."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason


async def session_of(request: Request) -> Session:
    """The signed-in person, judged as the API judges their token; ``SignInNeeded`` otherwise."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise SignInNeeded()
    credentials = HTTPAuthorizationCredentials(scheme="Bearer", credentials=token)
    try:
        actor = await current_actor(request, credentials, request.app.state.pool, now())
    except Problem as problem:
        raise SignInNeeded(problem.detail) from None
    return Session(actor=actor, token=token)


def keep_session(response: Response, request: Request, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https")


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")


async def form_of(request: Request) -> list[tuple[str, str]]:
    """A submitted form (application/x-www-form-urlencoded), as its pairs in order. Bounded in size and
    in fields; the standard library parses it, no multipart parser is needed for forms without files.
    A form another site's page posted is refused before it is read."""
    refuse_other_sites(request)
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise Problem(413, "The form is too large.")
    try:
        return parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False,
                         max_num_fields=MAX_FORM_FIELDS)
    except (UnicodeDecodeError, ValueError) as exc:
        raise Problem(400, f"The form could not be read: {exc}") from None


def refuse_other_sites(request: Request) -> None:
    """A form posted from another site's page is refused (``Sec-Fetch-Site``, which browsers send and
    pages cannot forge; ``Origin`` is ``null`` here because the pages send no Referer)."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        raise Problem(403, "This form did not come from certflow's own page.", title="Form not accepted")


def check_csrf(session: Session, pairs: list[tuple[str, str]]) -> None:
    sent = dict(pairs).get("_csrf", "")
    if not hmac.compare_digest(sent, session.csrf):
        raise Problem(403, "This form is stale or did not come from certflow's own page; open the page again.",
                      title="Form not accepted")
