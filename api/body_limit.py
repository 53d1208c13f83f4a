"""The request body's size limit (issue 13): 413 before a large body is read in full.

A body declared too large by its ``Content-Length`` is refused before a byte of it is read; a body
sent without one (chunked) is counted as it streams in and refused at the first chunk past the
limit. Without this, a 10 MB body was read, parsed and handed to Temporal, whose gRPC limit turned
it into a misleading 503 "try again".
"""

from __future__ import annotations

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem_response


def _refusal_detail(limit: int) -> str:
    return f"The request body is larger than this API takes ({limit} bytes)."


def _declared_length(scope: Scope) -> int | None:
    """The Content-Length header as a number; None when absent or not a number (the server refuses those)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes the limit; FastAPI lets an HTTPException
    from reading the body through, and the problem handlers make it a 413 problem document."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, _refusal_detail(limit))


class BodySizeLimit:
    """ASGI middleware: no request body larger than ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            response = problem_response(413, _refusal_detail(self.max_bytes), instance=scope.get("path"))
            await response(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            if started:  # an endpoint that answered before reading its body: nothing more to say
                return
            response = problem_response(413, _refusal_detail(self.max_bytes), instance=scope.get("path"))
            await response(scope, receive, send)
