"""Limits on what a request may bring (issue 13): the body's size (413, before the body is read in
full), the page bounds of lists (422); the security headers on every answer; /readyz telling the
public no more than ready or not."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI

from api.app import create_app
from api.paging import MAX_PAGE
from certflow.settings import Settings
from schemas.staff import Role

PROBLEM = "application/problem+json"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def small_body_app(temporal_env, pool, api_settings, max_bytes: int) -> FastAPI:
    settings = Settings(**{**api_settings.model_dump(), "max_body_bytes": max_bytes}, _env_file=None)
    return create_app(settings, pool=pool, temporal=temporal_env.client)


async def test_a_body_declared_too_large_is_413_before_it_is_read(http, api_settings):
    body = b"{" + b" " * api_settings.max_body_bytes + b"}"
    response = await http.post("/api/v1/applications", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert str(api_settings.max_body_bytes) in response.json()["detail"]


async def test_a_streamed_body_is_refused_at_the_first_chunk_past_the_limit(temporal_env, pool, api_settings):
    app = small_body_app(temporal_env, pool, api_settings, max_bytes=1000)
    sent = []

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: sent chunked
        for n in range(100):
            sent.append(n)
            yield b" " * 300

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        response = await client.post("/api/v1/applications", content=chunks(),
                                     headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and response.headers["content-type"] == PROBLEM
    assert len(sent) == 4  # 1200 bytes > 1000: the other 96 chunks were never asked for


async def test_a_body_within_the_limit_goes_on_to_the_endpoint(temporal_env, pool, api_settings, staff):
    app = small_body_app(temporal_env, pool, api_settings, max_bytes=1000)
    _, token = await staff(Role.REVIEWER)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        within = await client.post("/api/v1/applications", json={"scope": "x" * 900}, headers=bearer(token))
        past = await client.post("/api/v1/applications", json={"scope": "x" * 1000}, headers=bearer(token))
    assert within.status_code == 422  # read and judged incomplete: the limit let it through
    assert past.status_code == 413


async def test_page_bounds_are_422_problems(http, staff):
    _, token = await staff(Role.MANAGER)
    for query in (f"limit={MAX_PAGE + 1}", "limit=0", "offset=-1", "offset=99999999999999999999"):
        response = await http.get(f"/api/v1/certificates?{query}", headers=bearer(token))
        assert response.status_code == 422, query
        assert response.headers["content-type"] == PROBLEM
    assert (await http.get(f"/api/v1/certificates?limit={MAX_PAGE}&offset={2**63 - 1}",
                           headers=bearer(token))).json()["items"] == []


async def test_every_answer_carries_the_security_headers(http):
    for path in ("/healthz", "/public/certificates/NOPE", "/api/v1/tasks", "/processes/audit-x", "/bpmn/audit.bpmn"):
        response = await http.get(path)
        assert response.headers["x-frame-options"] == "DENY", path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        policy = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy
        assert "unsafe-inline" not in policy


async def test_the_page_s_inline_blocks_bear_this_response_s_nonce_only(http):
    first, second = await http.get("/processes/audit-x"), await http.get("/processes/audit-x")
    nonce = first.headers["content-security-policy"].split("'nonce-")[1].split("'")[0]
    assert f"script-src 'self' 'nonce-{nonce}'" in first.headers["content-security-policy"]
    assert first.text.count(f'nonce="{nonce}"') == 3  # bpmn-js and the two scripts (its styles are pages.css)
    assert "<script>" not in first.text and "<style>" not in first.text
    assert nonce not in second.text  # a fresh one each time: a nonce seen once opens nothing


async def test_readyz_tells_the_public_only_whether_it_is_ready(http, staff):
    public = await http.get("/readyz")
    assert public.status_code == 200 and public.json() == {"status": "ready"}
    _, reviewer = await staff(Role.REVIEWER)
    assert (await http.get("/readyz", headers=bearer(reviewer))).json() == {"status": "ready"}
    _, operator = await staff(Role.OPERATOR)
    detailed = (await http.get("/readyz", headers=bearer(operator))).json()
    assert detailed["checks"]["database"]["ok"] and detailed["checks"]["temporal"]["ok"]
    refused = await http.get("/readyz", headers=bearer("not-a-token"))
    assert refused.status_code == 401 and "checks" not in json.loads(refused.text)
