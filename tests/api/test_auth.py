"""Who is asking: 401 with the Bearer challenge for no or a bad token, 403 naming the role needed."""

from __future__ import annotations

from schemas.staff import Role
from store.staff import set_active

PROBLEM = "application/problem+json"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_without_a_token_401_problem_with_the_bearer_challenge(http):
    response = await http.get("/api/v1/tasks")
    assert response.status_code == 401 and response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["status"] == 401 and "Bearer" in response.json()["detail"]


async def test_another_scheme_is_no_token(http):
    response = await http.get("/api/v1/tasks", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Bearer")


async def test_an_unknown_token_401_invalid_token(http, staff):
    await staff(Role.REVIEWER)
    response = await http.get("/api/v1/tasks", headers=bearer("not-a-token"))
    assert response.status_code == 401 and response.headers["content-type"] == PROBLEM
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_the_token_of_someone_who_left_no_longer_works(http, staff, pool):
    actor, token = await staff(Role.REVIEWER)
    assert (await http.get("/api/v1/tasks", headers=bearer(token))).status_code == 200
    await set_active(pool, actor.staff_id, False)
    assert (await http.get("/api/v1/tasks", headers=bearer(token))).status_code == 401


async def test_a_missing_role_is_403_naming_the_role(http, staff):
    # Changing an audit's programme is the programme manager's.
    _, token = await staff(Role.REVIEWER, Role.AUDITOR)
    response = await http.post("/api/v1/audits/audit-x-initial-1/programme", json={}, headers=bearer(token))
    assert response.status_code == 403 and response.headers["content-type"] == PROBLEM
    assert "programme_manager" in response.json()["detail"]
