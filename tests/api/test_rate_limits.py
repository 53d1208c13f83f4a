"""Rate limits (issue 13): the public register per client address, refused tokens per client address;
429 with Retry-After, on a clock the test moves (no sleeping)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest_asyncio

from api.app import create_app
from api.rate_limits import Limiter
from certflow.settings import Settings
from schemas.staff import Role


class Clock:
    """A clock that stands still until the test moves it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest_asyncio.fixture
async def limited(temporal_env, pool, api_settings) -> AsyncIterator[tuple[Clock, object]]:
    """An app allowing 5 public requests and 3 refused tokens per minute per address, and a client
    for each of two addresses."""
    clock = Clock()
    settings = Settings(**{**api_settings.model_dump(), "public_rate_limit": 5, "public_rate_window": 60,
                           "failed_auth_limit": 3, "failed_auth_window": 60}, _env_file=None)
    app = create_app(settings, pool=pool, temporal=temporal_env.client, clock=clock)

    def client(address: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 1234)),
                                 base_url="http://test")

    async with client("203.0.113.7") as one, client("198.51.100.9") as other:
        yield clock, (one, other)


async def test_the_limiter_allows_a_burst_then_one_per_interval():
    clock = Clock()
    limiter = Limiter(limit=3, window=30, clock=clock)
    assert [limiter.take("a") for _ in range(3)] == [0, 0, 0]
    assert limiter.take("a") == 10  # one earned back every 30 / 3 s
    assert limiter.take("b") == 0  # another key has its own bucket
    clock.now += 9.5
    assert limiter.take("a") == 0.5
    clock.now += 0.5
    assert limiter.take("a") == 0 and limiter.take("a") == 10
    clock.now += 30
    assert [limiter.take("a") for _ in range(4)] == [0, 0, 0, 10]  # full again, never more than full


async def test_no_limit_when_set_to_zero():
    limiter = Limiter(limit=0, window=60, clock=Clock())
    assert all(limiter.take("a") == 0 for _ in range(1000))


async def test_the_public_register_is_limited_per_address(limited):
    clock, (one, other) = limited
    answers = [(await one.get(f"/public/certificates/CN-{n}")).status_code for n in range(6)]
    assert answers == [404] * 5 + [429]
    refused = await one.get("/public/certificates/CN-9")
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["retry-after"] == "12"  # 60 s / 5
    assert (await other.get("/public/certificates/CN-1")).status_code == 404  # another address is not held back
    assert (await one.get("/healthz")).status_code == 200  # nor is the rest of the API
    clock.now += 12
    assert (await one.get("/public/certificates/CN-1")).status_code == 404


async def test_refused_tokens_are_limited_per_address_and_signing_in_does_not_count(limited, staff):
    clock, (one, other) = limited
    _, token = await staff(Role.MANAGER)
    for _ in range(10):  # successful requests do not count
        assert (await one.get("/api/v1/tasks", headers=bearer(token))).status_code == 200
    for _ in range(5):  # asking without a token is no attempt to sign in
        assert (await one.get("/api/v1/tasks")).status_code == 401
    for _ in range(3):
        assert (await one.get("/api/v1/tasks", headers=bearer("guess"))).status_code == 401
    held = await one.get("/api/v1/tasks", headers=bearer("guess"))
    assert held.status_code == 429 and held.headers["retry-after"] == "20"
    # While held, a token from that address is not even looked at: a right guess would learn nothing.
    assert (await one.get("/api/v1/tasks", headers=bearer(token))).status_code == 429
    assert (await one.get("/public/certificates/CN-1")).status_code == 404  # no token, not held
    assert (await other.get("/api/v1/tasks", headers=bearer(token))).status_code == 200
    clock.now += 20
    assert (await one.get("/api/v1/tasks", headers=bearer(token))).status_code == 200
    assert (await one.get("/api/v1/tasks", headers=bearer("guess"))).status_code == 401
    assert (await one.get("/api/v1/tasks", headers=bearer("guess"))).status_code == 429
