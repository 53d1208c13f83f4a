"""The API's edge for paths and query parameters: what the register cannot hold never reaches a query.

A body is checked by its model (schemas.text), but a path segment or a query parameter goes straight
into SQL: ``/public/certificates/%00`` or ``?organization=%00`` made PostgreSQL refuse the NUL and the
client got a 500. Rather than a type on every parameter of every endpoint, this middleware looks at
the decoded path and every query parameter before routing: a path holding such a character names no
resource (404), a query parameter holding one is bad input (422 naming the parameter). Checked with
the same rules as free text (schemas.text.check_text), so the two edges cannot disagree.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from pydantic_core import PydanticCustomError
from starlette.types import ASGIApp, Receive, Scope, Send

from api.problems import printable, problem_response
from schemas.text import check_text


def _unsafe(text: str) -> str | None:
    """Why ``text`` cannot be used, or None when it can."""
    try:
        check_text(text)
    except PydanticCustomError as exc:
        return exc.message()
    return None


def _query_refusal(query_string: bytes) -> tuple[str, str] | None:
    """The first query parameter (name, why) that holds what the register cannot, if any. Decoded as
    Starlette decodes it (percent escapes as UTF-8, invalid bytes becoming U+FFFD), so the check sees
    what the endpoint would."""
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        if (why := _unsafe(name)) is not None:
            return "query", f"a parameter's name: {why}"
        if (why := _unsafe(value)) is not None:
            return name, why
    return None


class UnsafeTextGuard:
    """ASGI middleware: refuse a request whose path or query holds text the register cannot keep."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope.get("path", "")
            if (why := _unsafe(path)) is not None:
                response = problem_response(404, f"No resource has such a path: {why}.", instance=printable(path))
                await response(scope, receive, send)
                return
            refusal = _query_refusal(scope.get("query_string", b""))
            if refusal is not None:
                name, why = refusal
                response = problem_response(422, f"The request is not valid: query.{name}: {why}", instance=path,
                                            errors=[{"loc": ["query", name], "msg": why, "type": "text_unsafe"}])
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
