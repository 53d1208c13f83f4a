"""The staff API, called in-process by the pages as the signed-in person.

A page does what the API lets its reader do and nothing more, because it goes through the API: the
same permission matrix, validation, idempotency and refusals (with their rule ids). The request keeps
the reader's address, so the API's rate limits see the person, not the page server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import Request

from api.pages.i18n import language_of
from api.pages.session import Session

INTERNAL_BASE = "http://certflow.pages"


@dataclass(frozen=True)
class Answer:
    """What the API answered: its status, its JSON (a problem document when refused) and its headers."""

    status: int
    body: Any
    headers: httpx.Headers = field(default_factory=httpx.Headers)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def problem(self) -> dict[str, Any]:
        return self.body if not self.ok and isinstance(self.body, dict) else {}


class Backend:
    """The API as one signed-in person (or as nobody, for the public register)."""

    def __init__(self, request: Request, session: Session | None) -> None:
        client = request.client
        transport = httpx.ASGITransport(app=request.app, client=(client.host, client.port) if client else
                                        ("127.0.0.1", 0))
        self._transport = transport
        self._headers: dict[str, str] = {"Accept-Language": language_of(request)}
        if session is not None:
            self._headers["Authorization"] = f"Bearer {session.token}"

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self._transport, base_url=INTERNAL_BASE, headers=self._headers)

    async def get(self, path: str, **params: Any) -> Answer:
        query = {k: v for k, v in params.items() if v is not None and v != ""}
        async with self._client() as client:
            response = await client.get(path, params=query)
        return _answer(response)

    async def get_file(self, path: str, **params: Any) -> httpx.Response:
        """A file the API answers with (a report, a document), to be handed on as it came."""
        query = {k: v for k, v in params.items() if v is not None and v != ""}
        async with self._client() as client:
            return await client.get(path, params=query)

    async def post(self, path: str, body: dict[str, Any], *, idempotency_key: str | None = None) -> Answer:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        async with self._client() as client:
            response = await client.post(path, json=body, headers=headers)
        return _answer(response)

    async def put(self, path: str, body: dict[str, Any]) -> Answer:
        """A whole record replaced (a PUT is its own repeat: it takes no idempotency key)."""
        async with self._client() as client:
            response = await client.put(path, json=body)
        return _answer(response)


def _answer(response: httpx.Response) -> Answer:
    try:
        body = response.json()
    except ValueError:
        body = response.text
    return Answer(response.status_code, body, response.headers)
