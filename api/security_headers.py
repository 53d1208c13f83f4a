"""Security headers on every response, the pages included (issue 13).

The pages (api/process_page.py) load bpmn-js and its stylesheets from the API's own ``/static``,
fetch the model and the process view from the API, and carry two inline scripts and one inline
stylesheet. The policy allows exactly that: our own origin, plus the inline blocks that bear this
response's nonce (``request.state.csp_nonce``, fresh per request), so a script injected into a page
without it does not run. bpmn-js draws its logo from a ``data:`` image. Nothing may frame a page
(clickjacking), nor be sniffed into another type, and no address leaves in a Referer.

A page with an inline ``<script>`` or ``<style>`` of its own must give it ``nonce="{csp_nonce}"``.
"""

from __future__ import annotations

import secrets

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(nonce: str) -> str:
    return "; ".join((
        "default-src 'none'",
        f"script-src 'self' 'nonce-{nonce}'",
        f"style-src 'self' 'nonce-{nonce}'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ))


FIXED_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class SecurityHeaders:
    """ASGI middleware: the headers above on every HTTP response, with a nonce per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = content_security_policy(nonce)
                for name, value in FIXED_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, with_headers)
