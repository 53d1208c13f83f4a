"""What every acting form of the staff pages does: read the form, check its CSRF token, send it to the
API with the form's idempotency key, and answer with a 303 to where the reader goes next (with a notice)
or with the page again, showing the API's refusal."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from api.pages.backend import Answer, Backend
from api.pages.session import Session, check_csrf, form_of

Redraw = Callable[[dict[str, Any]], Awaitable[Response]]


def new_key() -> str:
    """A form's idempotency key: drawn with the form, so a second click is the first one's answer."""
    return secrets.token_urlsafe(16)


async def read_form(request: Request, session: Session) -> dict[str, str]:
    pairs = await form_of(request)
    check_csrf(session, pairs)
    return dict(pairs)


def to(location: str, notice: str) -> RedirectResponse:
    joiner = "&" if "?" in location else "?"
    return RedirectResponse(f"{location}{joiner}notice={quote(notice)}", status_code=303)


async def act(request: Request, session: Session, path: str, body: dict[str, Any], fields: dict[str, str],
              *, then: Callable[[Answer], RedirectResponse], redraw: Redraw) -> Response:
    """POST ``body`` to the API at ``path`` as the reader; ``then`` says where to go when it was done,
    ``redraw`` draws the page again with the refusal."""
    answer = await Backend(request, session).post(path, body, idempotency_key=fields.get("_idem") or None)
    if answer.ok:
        return then(answer)
    return await redraw({**answer.problem, "status": answer.status})
