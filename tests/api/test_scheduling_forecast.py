"""GET /api/v1/scheduling/forecast (issue 18): the audits due in the register against the people's capacity,
month by month from the body's today; read by programme managers, managers, operators and the staff
administrators (``scheduling.read``); 1 to 24 months, anything else 422 problem+json."""

from __future__ import annotations

import uuid
from datetime import date

import httpx

from api.app import create_app
from api.tasks import today
from certflow.settings import Settings
from schemas.staff import Role
from tests.store.scheduling_rows import certified

PROBLEM = "application/problem+json"
TODAY = date(2026, 3, 2)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_who_may_read_the_forecast(http, staff):
    for role in Role:
        _, token = await staff(role)
        answer = await http.get("/api/v1/scheduling/forecast?months=1", headers=bearer(token))
        if role in (Role.PROGRAMME_MANAGER, Role.MANAGER, Role.OPERATOR):
            assert answer.status_code == 200, (role, answer.text)
        else:
            assert answer.status_code == 403 and answer.headers["content-type"] == PROBLEM, role
            assert answer.json()["roles_needed"] == ["manager", "operator", "programme_manager"]
    assert (await http.get("/api/v1/scheduling/forecast")).status_code == 401


async def test_the_staff_administrators_read_it_too(temporal_env, pool, staff):
    settings = Settings(_env_file=None, task_queue=f"api-{uuid.uuid4().hex[:8]}", database_url="postgresql://unused",
                        staff_admin_roles=(Role.MANAGER, Role.REVIEWER))
    app = create_app(settings, pool=pool, temporal=temporal_env.client)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        _, reviewer = await staff(Role.REVIEWER)
        assert (await http.get("/api/v1/scheduling/forecast", headers=bearer(reviewer))).status_code == 200


async def test_months_from_1_to_24(http, staff):
    _, token = await staff(Role.PROGRAMME_MANAGER)
    for months in ("0", "25", "-1", "twelve"):
        refused = await http.get(f"/api/v1/scheduling/forecast?months={months}", headers=bearer(token))
        assert refused.status_code == 422 and refused.headers["content-type"] == PROBLEM, months
        assert "months" in refused.json()["detail"]
    assert len((await http.get("/api/v1/scheduling/forecast", headers=bearer(token))).json()["months"]) == 12
    assert len((await http.get("/api/v1/scheduling/forecast?months=24", headers=bearer(token))).json()["months"]) == 24


async def test_the_register_s_audits_against_its_auditors_from_the_body_s_today(app, http, pool, staff):
    """A surveillance due 2026-09-01 at 7 initial person-days (R-A.n1b: 2.5) closes its window in August
    (2026-08-11, R-9.2.1); one qualified auditor with the default cap gives 12 days a month."""
    app.dependency_overrides[today] = lambda: TODAY
    await certified(pool, next_due=date(2026, 9, 1), person_days="7")
    await staff(Role.AUDITOR, qualified=True)
    _, token = await staff(Role.PROGRAMME_MANAGER)
    answer = await http.get("/api/v1/scheduling/forecast?months=12", headers=bearer(token))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["today"] == "2026-03-02" and body["months"][0]["month"] == "2026-03"
    august = next(m for m in body["months"] if m["month"] == "2026-08")
    assert (august["audits"], august["auditor_demand"], august["auditor_capacity"]) == (1, "2.5", "12")
    assert august["by_kind"] == {"surveillance": "2.5"} and not august["over_capacity"]
    assert [m["month"] for m in body["months"] if m["provisional"]] == ["2027-01", "2027-02"]
