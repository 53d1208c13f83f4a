"""Forms as a browser sends them, for the pages' tests: signing in, a payload as its form's fields, the
hidden keys a drawn form carries, and a form posted with its names in order (repeated where boxes are
ticked)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import httpx


async def sign_in(http: httpx.AsyncClient, token: str) -> None:
    """Signed in through the sign-in form; the client keeps the session cookie."""
    answer = await http.post("/sign-in", data={"token": token, "next": "/app"})
    assert answer.status_code == 303, answer.text


def form_pairs(payload: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """A payload as the fields of its form: nested objects by dots, rows by [n], yes/no as true/false, a
    list of strings as its name repeated (ticked boxes; a textarea takes them one per line alike)."""
    pairs: list[tuple[str, str]] = []
    for key, value in payload.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            pairs += form_pairs(value, name)
        elif isinstance(value, list):
            for n, row in enumerate(value):
                pairs += form_pairs(row, f"{name}[{n}]") if isinstance(row, dict) else [(name, str(row))]
        elif isinstance(value, bool):
            pairs.append((name, "true" if value else "false"))
        elif value is not None:
            pairs.append((name, str(value)))
    return pairs


async def post_form(http: httpx.AsyncClient, url: str, pairs: list[tuple[str, str]]) -> httpx.Response:
    """Post fields in their order, names repeated as a browser does (httpx's ``data=`` takes a dict)."""
    return await http.post(url, content=urlencode(pairs),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"the form has no {name}"
    return match.group(1)


def form_keys(html: str) -> tuple[str, str]:
    """The CSRF token and the idempotency key of the (first) form drawn on a page."""
    return hidden(html, "_csrf"), hidden(html, "_idem")
