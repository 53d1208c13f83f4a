"""Staff tokens over their life (issue 13): an expired, revoked, replaced token or one of someone
deactivated is 401 problem+json saying which and how to get a new one; rotation hands out a new token
once; the last use is recorded, at most once a minute. Time is the app's ``now`` dependency, moved on
by the test, never waited for."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from api.app import create_app
from api.auth import now
from certflow.settings import Settings
from schemas.staff import Role
from store.staff import hash_token

PROBLEM = "application/problem+json"
TASKS = "/api/v1/tasks"


class Clock:
    """The app's clock, as a test sets it."""

    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock(app) -> Clock:
    app.dependency_overrides[now] = clock = Clock()
    return clock


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_refused(response: httpx.Response, status: str) -> dict:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == PROBLEM
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    problem = response.json()
    assert problem["token_status"] == status
    return problem


async def test_a_token_lets_its_holder_in_until_it_expires_then_says_how_to_get_a_new_one(http, staff, clock):
    actor, token = await staff(Role.REVIEWER)
    clock.at += timedelta(days=89, hours=23)
    assert (await http.get(TASKS, headers=bearer(token))).status_code == 200
    clock.at += timedelta(days=1)  # past the default 90 days (CERTFLOW_TOKEN_LIFETIME_DAYS)
    problem = assert_refused(await http.get(TASKS, headers=bearer(token)), "expired")
    assert problem["title"] == "Token expired" and problem["staff_id"] == str(actor.staff_id)
    assert "expired" in problem["detail"] and f"certflow staff rotate {actor.staff_id}" in problem["detail"]
    assert f"/api/v1/staff/{actor.staff_id}/rotate" in problem["detail"] and "manager or operator" in problem["detail"]


async def test_a_revoked_token_is_401_at_once_and_revoking_again_keeps_the_first_time(http, staff, clock):
    actor, token = await staff(Role.AUDITOR)
    _, admin = await staff(Role.MANAGER)
    assert (await http.get(TASKS, headers=bearer(token))).status_code == 200
    revoked = await http.post(f"/api/v1/staff/{actor.staff_id}/revoke", headers=bearer(admin))
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    problem = assert_refused(await http.get(TASKS, headers=bearer(token)), "revoked")
    assert "revoked" in problem["detail"] and "rotate" in problem["detail"]
    clock.at += timedelta(hours=1)
    again = await http.post(f"/api/v1/staff/{actor.staff_id}/revoke", headers=bearer(admin))
    assert again.json()["revoked_at"] == revoked.json()["revoked_at"]


async def test_rotating_replaces_the_token_shown_once_and_kept_as_a_hash(http, staff, pool, clock):
    actor, old = await staff(Role.REVIEWER)
    _, admin = await staff(Role.OPERATOR)
    await http.post(f"/api/v1/staff/{actor.staff_id}/revoke", headers=bearer(admin))
    rotated = await http.post(f"/api/v1/staff/{actor.staff_id}/rotate", headers=bearer(admin))
    assert rotated.status_code == 200, rotated.text
    issued = rotated.json()
    assert issued["staff_id"] == str(actor.staff_id)
    assert datetime.fromisoformat(issued["expires_at"]) == clock.at + timedelta(days=90)
    assert (await http.get(TASKS, headers=bearer(issued["token"]))).status_code == 200  # a rotation undoes a revocation
    refused = await http.get(TASKS, headers=bearer(old))
    assert refused.status_code == 401 and "replaced" in refused.json()["detail"]
    stored = await pool.fetchval("SELECT token_hash FROM staff WHERE id = $1", actor.staff_id)
    assert stored == hash_token(issued["token"]) and issued["token"] not in stored
    state = (await http.get(f"/api/v1/staff/{actor.staff_id}/token", headers=bearer(admin))).json()
    assert "token" not in state and state["status"] == "valid" and state["revoked_at"] is None


async def test_a_deactivated_persons_token_is_401_and_no_new_token_is_given_them(http, staff):
    actor, token = await staff(Role.AUDITOR)
    _, admin = await staff(Role.MANAGER)
    done = await http.post(f"/api/v1/staff/{actor.staff_id}/deactivate", headers=bearer(admin))
    assert done.status_code == 200 and done.json()["active"] is False and done.json()["status"] == "inactive"
    problem = assert_refused(await http.get(TASKS, headers=bearer(token)), "inactive")
    assert "no longer active" in problem["detail"]
    refused = await http.post(f"/api/v1/staff/{actor.staff_id}/rotate", headers=bearer(admin))
    assert refused.status_code == 409 and refused.headers["content-type"] == PROBLEM
    assert (await http.post(f"/api/v1/staff/{actor.staff_id}/deactivate", headers=bearer(admin))).status_code == 200


async def test_the_last_use_is_recorded_at_most_once_a_minute(http, staff, clock):
    actor, token = await staff(Role.REVIEWER)
    _, admin = await staff(Role.MANAGER)
    state_url = f"/api/v1/staff/{actor.staff_id}/token"

    async def last_used() -> datetime | None:
        value = (await http.get(state_url, headers=bearer(admin))).json()["last_used_at"]
        return value and datetime.fromisoformat(value)

    assert await last_used() is None
    first = clock.at
    assert (await http.get(TASKS, headers=bearer(token))).status_code == 200
    assert await last_used() == first
    clock.at += timedelta(seconds=30)
    await http.get(TASKS, headers=bearer(token))
    assert await last_used() == first  # not written again within the minute
    clock.at += timedelta(seconds=31)
    await http.get(TASKS, headers=bearer(token))
    assert await last_used() == clock.at


async def test_a_failed_sign_in_records_no_use(http, staff, clock):
    actor, token = await staff(Role.REVIEWER)
    _, admin = await staff(Role.MANAGER)
    clock.at += timedelta(days=91)
    await http.get(TASKS, headers=bearer(token))
    clock.at = datetime.now(UTC)
    state = (await http.get(f"/api/v1/staff/{actor.staff_id}/token", headers=bearer(admin))).json()
    assert state["last_used_at"] is None and state["status"] == "valid"


@pytest.mark.parametrize("path", ["token", "revoke", "rotate", "deactivate"])
async def test_an_unknown_staff_id_is_404_and_a_malformed_one_422(http, staff, path):
    _, admin = await staff(Role.MANAGER)
    method = "GET" if path == "token" else "POST"
    unknown = await http.request(method, f"/api/v1/staff/{uuid.uuid4()}/{path}", headers=bearer(admin))
    assert unknown.status_code == 404 and unknown.headers["content-type"] == PROBLEM
    malformed = await http.request(method, f"/api/v1/staff/not-a-uuid/{path}", headers=bearer(admin))
    assert malformed.status_code == 422 and malformed.headers["content-type"] == PROBLEM


async def test_the_lifetime_of_a_rotated_token_is_the_bodys_decision(temporal_env, pool, staff):
    settings = Settings(_env_file=None, task_queue=f"api-{uuid.uuid4().hex[:8]}", database_url="postgresql://unused",
                        token_lifetime_days=1)
    app = create_app(settings, pool=pool, temporal=temporal_env.client)
    app.dependency_overrides[now] = clock = Clock()
    actor, _ = await staff(Role.REVIEWER)
    _, admin = await staff(Role.MANAGER)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        issued = (await http.post(f"/api/v1/staff/{actor.staff_id}/rotate", headers=bearer(admin))).json()
        assert datetime.fromisoformat(issued["expires_at"]) == clock.at + timedelta(days=1)
        clock.at += timedelta(hours=23)
        assert (await http.get(TASKS, headers=bearer(issued["token"]))).status_code == 200
        clock.at += timedelta(hours=2)
        assert_refused(await http.get(TASKS, headers=bearer(issued["token"])), "expired")


def test_the_token_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("CERTFLOW_TOKEN_LIFETIME_DAYS", "30")
    monkeypatch.setenv("CERTFLOW_STAFF_ADMIN_ROLES", '["manager"]')
    settings = Settings(_env_file=None)
    assert (settings.token_lifetime_days, settings.staff_admin_roles) == (30, (Role.MANAGER,))
    monkeypatch.setenv("CERTFLOW_STAFF_ADMIN_ROLES", "[]")
    with pytest.raises(ValueError, match="staff_admin_roles"):  # no one could stop a leaked token
        Settings(_env_file=None)
    monkeypatch.setenv("CERTFLOW_STAFF_ADMIN_ROLES", '["manager"]')
    monkeypatch.setenv("CERTFLOW_TOKEN_LIFETIME_DAYS", "0")
    with pytest.raises(ValueError, match="token_lifetime_days"):
        Settings(_env_file=None)
