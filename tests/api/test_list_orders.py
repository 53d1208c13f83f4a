"""The staff's lists in the orders they offer (issue 13, ``sort``): every order pages by keyset (Link
rel=next) without repeating or skipping a row, a cursor is taken back only by the order that gave it,
and an order the list does not offer is a 422 naming those it does."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from schemas.organizations import Organization
from schemas.staff import Role
from store.certificate_search import record_next_due
from store.organizations import upsert_organization

from .test_api import bearer
from .test_application_pages import received
from .test_inbox_pages import next_link, open_review
from .test_public import issued_certificate


async def walk(http, url: str, token: str, rows=lambda body: body) -> list[dict]:
    seen: list[dict] = []
    next_url: str | None = url
    while next_url:
        response = await http.get(next_url, headers=bearer(token))
        assert response.status_code == 200, response.text
        seen += rows(response.json())
        next_url = next_link(response)
    return seen


async def test_tasks_by_due_reversed_and_by_opening(http, pool, staff):
    _, token = await staff(Role.REVIEWER)
    day = date(2027, 2, 1)
    # Opened in the order o0..o3 (upsert_open_task keeps the time given), due in the order o3, o1, o2, o0.
    dues = [day + timedelta(days=9), day + timedelta(days=2), day + timedelta(days=5), day]
    made = [await open_review(pool, f"o{i}", due) for i, due in enumerate(dues)]
    undated = await open_review(pool, "o-undated", None)
    ids = [*made, undated]

    latest_first = [t["id"] for t in await walk(http, "/api/v1/tasks?limit=2&sort=-due&kind=application_review",
                                                 token) if t["id"] in ids]
    assert latest_first == [undated, made[0], made[2], made[1], made[3]]  # undated sorts as the latest

    by_opening = await walk(http, "/api/v1/tasks?limit=2&sort=opened&kind=application_review", token)
    opened = [t["id"] for t in by_opening if t["id"] in ids]
    assert len(opened) == len(set(opened)) == len(ids)
    stamps = [t["opened_at"] for t in by_opening]
    assert stamps == sorted(stamps)


async def test_a_cursor_of_one_order_is_refused_by_another_and_unknown_orders_are_named(http, pool, staff):
    _, token = await staff(Role.REVIEWER)
    for i in range(3):
        await open_review(pool, f"c{i}", date(2027, 3, 1) + timedelta(days=i))
    first = await http.get("/api/v1/tasks?limit=1&kind=application_review", headers=bearer(token))
    cursor = next_link(first).split("after=")[1].split("&")[0]
    crossed = await http.get("/api/v1/tasks", params={"sort": "opened", "after": cursor}, headers=bearer(token))
    assert crossed.status_code == 422 and "sort order 'due'" in crossed.json()["detail"]
    unknown = await http.get("/api/v1/tasks", params={"sort": "colour"}, headers=bearer(token))
    assert unknown.status_code == 422 and unknown.headers["content-type"] == "application/problem+json"
    assert "opened" in unknown.text


async def test_applications_oldest_first(http, pool, staff):
    _, token = await staff(Role.REVIEWER)
    org = await upsert_organization(pool, Organization(id=uuid.uuid4(), name="排序呼叫中心有限公司",
                                                       credit_code="91110000MA01PXKT5X"))
    made = [await received(pool, org, "排序呼叫中心有限公司", h) for h in (3, 1, 4, 2)]
    oldest_first = await walk(http, "/api/v1/applications?limit=3&sort=submitted&organization=排序呼叫", token)
    assert [a["id"] for a in oldest_first] == [made[1], made[3], made[0], made[2]]


async def test_certificates_by_number_reversed_and_by_what_is_due(http, pool, staff):
    _, token = await staff(Role.PROGRAMME_MANAGER)
    made = [(await issued_certificate(pool, f"次序呼叫中心{i}有限公司", f"9111000MA01BRDR{i}0X"))[0] for i in range(4)]
    for number, due in zip(made, (date(2027, 5, 1), None, date(2027, 4, 1), date(2027, 6, 1)), strict=True):
        await record_next_due(pool, number, due, "surveillance" if due else None)

    def items(body: dict) -> list[dict]:
        return body["items"]

    reversed_numbers = await walk(http, "/api/v1/certificates?limit=3&sort=-number&organization=次序呼叫中心", token,
                                  items)
    assert [c["number"] for c in reversed_numbers] == sorted(made, reverse=True)
    by_due = await walk(http, "/api/v1/certificates?limit=1&sort=next_due&organization=次序呼叫中心", token, items)
    assert [c["number"] for c in by_due] == [made[2], made[0], made[3], made[1]]  # nothing due: last
    expiring = await walk(http, "/api/v1/certificates?limit=2&sort=valid_to&organization=次序呼叫中心", token, items)
    assert sorted(c["number"] for c in expiring) == sorted(made)  # same expiry: by number, each once
    assert [c["number"] for c in expiring] == sorted(made)
