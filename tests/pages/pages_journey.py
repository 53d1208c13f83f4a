"""A certification driven through the staff pages: the same journey as tests/workflows (its answers,
its days), but each task completed by its person signed in to the pages, through the task's form.

Each answer is turned into the form's fields (``team[0].staff_id``) and posted with the form's CSRF
token and idempotency key; before that, the drawn form is checked to hold every field the answer
fills, so a payload the pages cannot express fails here.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import httpx

from api.pages.session import SESSION_COOKIE
from schemas.tasking import Actor, TaskReceipt
from tests.pages.page_forms import form_pairs, hidden, post_form
from tests.workflows.conftest import Journey


def refusal_in(html: str) -> str:
    """What a page drawn again says was refused (its alert and the errors beside fields)."""
    said = re.findall(r'role="alert"[^>]*>(.*?)</(?:div|p)>', html, re.S)
    said += re.findall(r'class="field-error"[^>]*>(.*?)</p>', html, re.S)
    return " | ".join(re.sub(r"<[^>]+>|\s+", " ", s).strip() for s in said) or html[-2000:]


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
        assert answer.status_code == 303, f"{kind}: {answer.status_code} {refusal_in(answer.text)}"
        self.pages_used.append(kind)
        # The page answers with the inbox and a notice, not the receipt; the receipt the caller gets is that.
        return TaskReceipt(task_id=view.task_id, kind=kind, accepted_at=await self.env.get_current_time(),
                           message=answer.headers["location"])
