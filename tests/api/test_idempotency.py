"""Idempotency-Key (issue 13): a POST sent again with the same key starts nothing new."""

from __future__ import annotations

import asyncio

from schemas.staff import Role

from .test_api import application, bearer


async def test_a_repeated_application_with_the_same_key_starts_nothing_new(http, staff, pool):
    _, token = await staff(Role.REVIEWER)
    headers = bearer(token) | {"Idempotency-Key": "intake-2026-0001"}
    first = await http.post("/api/v1/applications", json=application(), headers=headers)
    assert first.status_code == 201, first.text
    again = await http.post("/api/v1/applications", json=application(), headers=headers)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true" and again.headers["location"] == first.headers["location"]
    other = await http.post("/api/v1/applications", json=application(), headers=bearer(token))  # no key: a new one
    assert other.json()["application_id"] != first.json()["application_id"]


async def test_a_key_reused_for_another_request_or_malformed_is_422(http, staff):
    _, token = await staff(Role.REVIEWER)
    headers = bearer(token) | {"Idempotency-Key": "k-1"}
    assert (await http.post("/api/v1/applications", json=application(), headers=headers)).status_code == 201
    changed = application()
    changed["scope"] = "另一个范围"
    reused = await http.post("/api/v1/applications", json=changed, headers=headers)
    assert reused.status_code == 422 and reused.headers["content-type"] == "application/problem+json"
    for bad in ("", "x" * 201, "键"):
        response = await http.post("/api/v1/applications", json=application(),
                                   headers=bearer(token) | {"Idempotency-Key": bad.encode()})
        assert response.status_code == 422, (bad, response.text)


async def test_the_key_is_the_callers_own_and_a_refusal_is_kept_too(http, staff):
    _, first = await staff(Role.REVIEWER)
    _, second = await staff(Role.REVIEWER)
    _, shopper = await staff(Role.MYSTERY_SHOPPER)
    same = {"Idempotency-Key": "same"}
    a = await http.post("/api/v1/applications", json=application(), headers=bearer(first) | same)
    b = await http.post("/api/v1/applications", json=application(), headers=bearer(second) | same)
    assert a.status_code == b.status_code == 201 and a.json()["application_id"] != b.json()["application_id"]
    refused = [await http.post("/api/v1/applications", json=application(),
                               headers=bearer(shopper) | {"Idempotency-Key": "mine"}) for _ in range(2)]
    assert [r.status_code for r in refused] == [403, 403] and refused[1].headers["idempotent-replayed"] == "true"


async def test_two_copies_sent_at_once_start_one_application(http, staff):
    _, token = await staff(Role.REVIEWER)
    headers = bearer(token) | {"Idempotency-Key": "twice-at-once"}
    answers = await asyncio.gather(*(http.post("/api/v1/applications", json=application(), headers=headers)
                                     for _ in range(2)))
    started = {r.json()["application_id"] for r in answers if r.status_code == 201}
    assert len(started) == 1 and all(r.status_code in (201, 409) for r in answers), [r.text for r in answers]
