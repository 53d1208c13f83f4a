"""A certification driven through the staff pages: the same journey as tests/workflows (its answers,
its days), but each task completed by its person signed in to the pages, through the task's form.

Each answer is turned into the form's fields (``team[0].staff_id``) and posted with the form's CSRF
token and idempotency key; before that, the drawn form is checked to hold every field the answer
fills, so a payload the pages cannot express fails here.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from api.pages.session import SESSION_COOKIE
from schemas.tasking import Actor, TaskReceipt
from tests.workflows.conftest import Journey


def form_pairs(payload: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """A payload as the fields of its form: nested objects by dots, rows by [n], yes/no as true/false."""
    pairs: list[tuple[str, str]] = []
    for key, value in payload.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            pairs += form_pairs(value, name)
        elif isinstance(value, list):
            for n, row in enumerate(value):
                pairs += form_pairs(row, f"{name}[{n}]") if isinstance(row, dict) else [(f"{name}[{n}]", str(row))]
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


def _first_row(name: str) -> str:
    return re.sub(r"\[\d+\]", "[0]", name)


class PagesJourney(Journey):
    """Completes every task through the task page (``self.http`` is a client of the app under test)."""

    http: httpx.AsyncClient
    pages_used: list[str]

    def token_of(self, actor: Actor) -> str:
        for key, token in self.people.tokens.items():
            if getattr(self.people, key).staff_id == actor.staff_id:
                return token
        raise AssertionError(f"no token for {actor.name}")

    async def _drawn_names(self, url: str, form: str, pairs: list[tuple[str, str]]) -> set[str]:
        """The fields the form draws, with a first row of each list the answer fills that the form starts
        without (an optional list shows only its "add a row" button, which is pressed, as a person would)."""
        drawn = {_first_row(n) for n in re.findall(r'name="([^"]+)"', form)}
        lists = {n.split("[", 1)[0] for n, _ in pairs if "[" in n and _first_row(n) not in drawn}
        for name in sorted(lists):
            more = await post_form(self.http, url, [("_csrf", hidden(form, "_csrf")), ("_add", name)])
            assert more.status_code == 200, more.text[-2000:]
            drawn |= {_first_row(n) for n in re.findall(r'name="([^"]+)"', more.text)}
        return drawn

    async def complete(self, kind: str, actor: Actor, payload: dict[str, Any], *, handle=None) -> TaskReceipt:
        view = await self.task(kind, handle)
        self.http.cookies.set(SESSION_COOKIE, self.token_of(actor))
        url = f"/app/tasks/{quote(view.task_id, safe='')}"
        form = await self.http.get(url)
        assert form.status_code == 200, form.text[-2000:]
        pairs = form_pairs(payload)
        drawn = await self._drawn_names(url, form.text, pairs)
        missing = [n for n, _ in pairs if _first_row(n) not in drawn]
        assert not missing, f"the {kind} form cannot take {missing}"
        sent = [("_csrf", hidden(form.text, "_csrf")), ("_idem", hidden(form.text, "_idem")), *pairs]
        answer = await post_form(self.http, url, sent)
        assert answer.status_code == 303, f"{kind}: {answer.status_code} {answer.text[-3000:]}"
        self.pages_used.append(kind)
        # The page answers with the inbox and a notice, not the receipt; the receipt the caller gets is that.
        return TaskReceipt(task_id=view.task_id, kind=kind, accepted_at=await self.env.get_current_time(),
                           message=answer.headers["location"])
