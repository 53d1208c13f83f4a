"""The inbox a page at a time (issue 13): keyset pages that stay right while tasks open and close, and a
task's page shown only to those its inbox shows it to."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from schemas.staff import Role
from store.tasks import complete_task, upsert_open_task

from .test_api import bearer

OPENED = datetime(2026, 12, 1, 1, tzinfo=UTC)


async def open_review(pool, name: str, due: date | None) -> str:
    task_id = f"certification-{name}/application_review/1"
    await upsert_open_task(pool, task_id, f"certification-{name}", "application_review", Role.REVIEWER.value, OPENED,
                           due_on=due, title=f"review {name}")
    return task_id


def next_link(response) -> str | None:
    found = re.fullmatch(r'<([^>]+)>; rel="next"', response.headers.get("link", ""))
    return found[1] if found else None


async def test_pages_follow_each_other_while_tasks_open_and_close(http, pool, staff):
    reviewer, token = await staff(Role.REVIEWER)
    day = date(2027, 1, 4)
    first = [await open_review(pool, f"p{i}", day + timedelta(days=i)) for i in range(5)]
    undated = await open_review(pool, "p-undated", None)
    seen: list[str] = []
    url: str | None = "/api/v1/tasks?limit=2&kind=application_review"
    pages = 0
    while url:
        response = await http.get(url, headers=bearer(token))
        assert response.status_code == 200, response.text
        seen += [t["id"] for t in response.json()]
        pages += 1
        if pages == 1:  # meanwhile: one task opens before the cursor, one after it; one closes
            await open_review(pool, "p-early", day - timedelta(days=1))
            late = await open_review(pool, "p-late", day + timedelta(days=30))
            await complete_task(pool, first[3], reviewer.staff_id, OPENED + timedelta(hours=1))
        url = next_link(response)
    expected = [first[0], first[1], first[2], first[4], late, undated]  # due order, undated last
    assert [t for t in seen if t in expected] == expected and len(seen) == len(set(seen))
    assert first[3] not in seen[2:] and pages >= 3
    assert "certification-p-early/application_review/1" not in seen  # opened before the cursor: on page one next time


async def test_a_cursor_the_inbox_did_not_give_is_422(http, staff):
    _, token = await staff(Role.REVIEWER)
    response = await http.get("/api/v1/tasks", params={"after": "not-a-cursor"}, headers=bearer(token))
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"


async def test_a_task_is_shown_only_to_whom_the_inbox_shows_it(http, pool, staff):
    task_id = await open_review(pool, "private", date(2027, 1, 4))
    _, shopper = await staff(Role.MYSTERY_SHOPPER)
    _, reviewer = await staff(Role.REVIEWER)
    _, manager = await staff(Role.MANAGER)
    hidden = await http.get(f"/api/v1/tasks/{task_id}", headers=bearer(shopper))
    assert hidden.status_code == 404 and hidden.headers["content-type"] == "application/problem+json"
    for token in (reviewer, manager):
        assert (await http.get(f"/api/v1/tasks/{task_id}", headers=bearer(token))).status_code == 200
