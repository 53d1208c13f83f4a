"""``Idempotency-Key`` on every POST (issue 13): a client that did not hear the answer may send the same
request again, with the same key, and nothing starts twice: the first answer is given again, marked
``Idempotent-Replayed: true``. The key belongs to the caller (their token's hash); the same key on a
different request is refused (422), and a repeat that arrives while the first is still being answered
is told to wait (409, Retry-After). Answers of 5xx are not kept: the request may be tried again.

ASGI middleware, so that one mechanism covers every POST, and the endpoint never sees a repeat.
"""

from __future__ import annotations

import hashlib
import re

import asyncpg
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem_response
from store import idempotency

HEADER = b"idempotency-key"
KEY = re.compile(r"[\x21-\x7e]{1,200}")  # printable ASCII, as a header can carry it safely


def _header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers", []):
        if k == name:
            return v.decode("latin-1")
    return None


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


class IdempotencyKeys:
    """ASGI middleware: answer a repeated POST (same caller, same key) from what was kept."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _header(scope, HEADER) if scope["type"] == "http" and scope["method"] == "POST" else None
        if key is None or _header(scope, b"authorization") is None:  # no caller to keep it for: a 401 follows
            await self.app(scope, receive, send)
            return
        if not KEY.fullmatch(key):
            await problem_response(422, "Idempotency-Key must be 1 to 200 printable ASCII characters.",
                                   instance=scope["path"])(scope, receive, send)
            return
        body = await _read_body(receive)
        caller = hashlib.sha256(str(_header(scope, b"authorization")).encode()).hexdigest()
        request_hash = hashlib.sha256(scope["path"].encode() + b"\n" + body).hexdigest()
        pool = scope["app"].state.pool
        try:
            kept = await idempotency.claim(pool, caller, key, "POST", scope["path"], request_hash)
        except (asyncpg.PostgresError, OSError):
            await problem_response(503, "The register is not available; try again in a moment.",
                                   headers={"Retry-After": "5"})(scope, receive, send)
            return
        if kept is not None:
            await self._answer_kept(kept, request_hash, scope, receive, send)
            return
        await self._answer_first(pool, caller, key, body, scope, send)

    async def _answer_kept(self, kept: idempotency.KeptAnswer, request_hash: str, scope: Scope, receive: Receive,
                           send: Send) -> None:
        if kept.request_hash != request_hash:
            response = problem_response(422, "This Idempotency-Key was used for a different request; use a new key "
                                             "for a new request.", instance=scope["path"])
        elif kept.status_code is None:
            response = problem_response(409, "The first request with this Idempotency-Key is still being answered; "
                                             "try again in a moment.", headers={"Retry-After": "1"})
        else:
            headers = [(b"content-type", (kept.content_type or "application/json").encode()),
                       (b"idempotent-replayed", b"true")]
            if kept.location:
                headers.append((b"location", kept.location.encode()))
            await send({"type": "http.response.start", "status": kept.status_code, "headers": headers})
            await send({"type": "http.response.body", "body": kept.body or b""})
            return
        await response(scope, receive, send)

    async def _answer_first(self, pool: asyncpg.Pool, caller: str, key: str, body: bytes, scope: Scope,
                            send: Send) -> None:
        """Run the request once, passing its answer on as it comes and keeping it under the key."""
        started: dict = {}
        chunks: list[bytes] = []
        delivered = False

        async def replay_body() -> Message:
            nonlocal delivered
            if delivered:
                return {"type": "http.disconnect"}
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_body, capture)
        finally:
            status = started.get("status")
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in started.get("headers", [])}
            if status is None or status >= 500:
                await idempotency.release(pool, caller, key)
            else:
                await idempotency.keep(pool, caller, key, status, headers.get("content-type"), headers.get("location"),
                                       b"".join(chunks))
