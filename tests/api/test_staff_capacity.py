"""Capacity and absences through the API (issue 18): staff administrators and programme managers change
anyone's (they plan the audits' schedule and resources, R-9.1.3); everyone records and cancels their own
leave and reads their own capacity; every refusal is problem+json."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
import pytest

from api.app import create_app
from api.tasks import today
from certflow.settings import Settings
from schemas.scheduling import SchedulingPolicy
from schemas.staff import Role

TODAY = date(2026, 12, 2)
PROBLEM = "application/problem+json"
DEFAULT_CAP = Settings.model_fields["scheduling"].default_factory().max_audit_days_per_month


def bearer(token: str, key: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **({"Idempotency-Key": key} if key else {})}


@pytest.fixture(autouse=True)
def body_today(app):
    app.dependency_overrides[today] = lambda: TODAY
    yield
    app.dependency_overrides.pop(today, None)


async def test_capacity_is_read_with_the_bodys_default_and_changed_as_a_whole_R_9_1_3(http, staff):
    auditor, own = await staff(Role.AUDITOR, name="李审核")
    _, planner = await staff(Role.PROGRAMME_MANAGER)
    path = f"/api/v1/staff/{auditor.staff_id}/capacity"
    fresh = await http.get(path, headers=bearer(own))  # their own: read whatever their roles
    assert fresh.status_code == 200, fresh.text
    assert fresh.json() == {"staff_id": str(auditor.staff_id), "home_city": "", "max_audit_days_per_month": None,
                            "effective_max_audit_days_per_month": DEFAULT_CAP}
    put = await http.put(path, headers=bearer(planner), json={"home_city": "上海", "max_audit_days_per_month": 6})
    assert put.status_code == 200 and put.json()["effective_max_audit_days_per_month"] == 6
    back = await http.put(path, headers=bearer(planner), json={"home_city": "上海"})  # the cap left out: default
    assert back.json()["max_audit_days_per_month"] is None
    assert (await http.get(path, headers=bearer(own))).json() == {
        "staff_id": str(auditor.staff_id), "home_city": "上海", "max_audit_days_per_month": None,
        "effective_max_audit_days_per_month": DEFAULT_CAP}


async def test_bad_capacities_are_refused(http, staff):
    auditor, own = await staff(Role.AUDITOR)
    _, admin = await staff(Role.MANAGER)
    path = f"/api/v1/staff/{auditor.staff_id}/capacity"
    for body in ({"home_city": "上海\x07"}, {"home_city": "上\n海"}, {"max_audit_days_per_month": 32},
                 {"max_audit_days_per_month": -1}, {"home_city": "上海", "extra": 1}):
        refused = await http.put(path, headers=bearer(admin), json=body)
        assert refused.status_code == 422 and refused.headers["content-type"] == PROBLEM, body
    nobody = await http.put(f"/api/v1/staff/{uuid.uuid4()}/capacity", headers=bearer(admin), json={})
    assert nobody.status_code == 404 and nobody.headers["content-type"] == PROBLEM
    assert (await http.get(f"/api/v1/staff/{uuid.uuid4()}/capacity", headers=bearer(admin))).status_code == 404
    mine = await http.put(path, headers=bearer(own), json={"home_city": "北京"})  # one's own cap is not one's to set
    assert mine.status_code == 403 and mine.json()["action"] == "staff.capacity.change"


async def test_an_absence_is_recorded_listed_and_cancelled_and_stays_on_record(http, staff):
    auditor, _ = await staff(Role.AUDITOR)
    _, admin_token = await staff(Role.MANAGER, name="王管理")
    path = f"/api/v1/staff/{auditor.staff_id}/absences"
    recorded = await http.post(path, headers=bearer(admin_token, "leave-1"),
                               json={"starts_on": "2027-01-04", "ends_on": "2027-01-08", "reason": "年假"})
    assert recorded.status_code == 201, recorded.text
    absence = recorded.json()
    assert (absence["staff_id"], absence["recorded_by"], absence["cancelled_at"]) == (
        str(auditor.staff_id), "王管理", None)
    later = await http.post(path, headers=bearer(admin_token, "leave-2"),
                            json={"starts_on": "2027-03-01", "ends_on": "2027-03-01"})
    cancelled = await http.post(f"{path}/{absence['id']}/cancel", headers=bearer(admin_token, "cancel-1"))
    assert cancelled.status_code == 200 and cancelled.json()["cancelled_by"] == "王管理"
    listed = (await http.get(path, headers=bearer(admin_token))).json()
    assert [(a["id"], a["cancelled_by"]) for a in listed] == [(later.json()["id"], None), (absence["id"], "王管理")]
    again = await http.post(f"{path}/{absence['id']}/cancel", headers=bearer(admin_token, "cancel-2"))
    assert again.status_code == 409 and again.headers["content-type"] == PROBLEM
    assert "already cancelled" in again.json()["detail"]


async def test_bad_absences_are_refused_with_reasons(http, staff):
    auditor, _ = await staff(Role.AUDITOR)
    _, admin = await staff(Role.OPERATOR)
    path = f"/api/v1/staff/{auditor.staff_id}/absences"
    backwards = await http.post(path, headers=bearer(admin), json={"starts_on": "2027-01-08", "ends_on": "2027-01-07"})
    assert backwards.status_code == 422 and "before starts_on" in backwards.json()["detail"]
    too_long = await http.post(path, headers=bearer(admin), json={"starts_on": "2027-01-01", "ends_on": "2028-01-02"})
    assert too_long.status_code == 422 and "at most 366 days" in too_long.json()["detail"]
    for body in ({"starts_on": 0, "ends_on": "2027-01-01"}, {"starts_on": "2027-01-01"},
                 {"starts_on": "2027-01-01", "ends_on": "2027-01-02", "reason": "年\x00假"}):
        refused = await http.post(path, headers=bearer(admin), json=body)
        assert refused.status_code == 422 and refused.headers["content-type"] == PROBLEM, body
    nobody = await http.post(f"/api/v1/staff/{uuid.uuid4()}/absences", headers=bearer(admin),
                             json={"starts_on": "2027-01-01", "ends_on": "2027-01-02"})
    assert nobody.status_code == 404
    assert (await http.get(f"/api/v1/staff/{uuid.uuid4()}/absences", headers=bearer(admin))).status_code == 404
    unknown = await http.post(f"{path}/{uuid.uuid4()}/cancel", headers=bearer(admin))
    assert unknown.status_code == 404


async def test_an_absence_that_is_over_is_kept_not_cancelled(http, staff):
    auditor, own = await staff(Role.AUDITOR)
    path = f"/api/v1/staff/{auditor.staff_id}/absences"
    over = (await http.post(path, headers=bearer(own), json={"starts_on": "2026-11-23",
                                                               "ends_on": "2026-12-01"})).json()
    refused = await http.post(f"{path}/{over['id']}/cancel", headers=bearer(own))
    assert refused.status_code == 409 and refused.headers["content-type"] == PROBLEM
    assert "ended on 2026-12-01, before today (2026-12-02)" in refused.json()["detail"]
    ends_today = (await http.post(path, headers=bearer(own), json={"starts_on": "2026-11-30",
                                                                     "ends_on": "2026-12-02"})).json()
    assert (await http.post(f"{path}/{ends_today['id']}/cancel", headers=bearer(own))).status_code == 200


async def test_everyone_records_and_cancels_their_own_leave_but_not_anothers(http, staff):
    auditor, own = await staff(Role.AUDITOR, name="赵审核")
    colleague, colleague_token = await staff(Role.MYSTERY_SHOPPER)
    mine = f"/api/v1/staff/{auditor.staff_id}/absences"
    recorded = await http.post(mine, headers=bearer(own), json={"starts_on": "2027-01-04", "ends_on": "2027-01-05"})
    assert recorded.status_code == 201 and recorded.json()["recorded_by"] == "赵审核"
    assert (await http.get(mine, headers=bearer(own))).status_code == 200
    theirs = f"/api/v1/staff/{colleague.staff_id}/absences"
    for method, path, action in (("POST", theirs, "staff.absence.record"), ("GET", theirs, "staff.absence.list"),
                                 ("GET", f"/api/v1/staff/{colleague.staff_id}/capacity", "staff.capacity.read"),
                                 ("POST", f"{mine}/{recorded.json()['id']}/cancel", "staff.absence.cancel")):
        token = colleague_token if path.endswith("/cancel") else own
        refused = await http.request(method, path, headers=bearer(token),
                                     json={"starts_on": "2027-01-04", "ends_on": "2027-01-05"} if method == "POST"
                                     and not path.endswith("/cancel") else None)
        assert refused.status_code == 403 and refused.json()["action"] == action, (method, path)
        assert refused.json()["roles_needed"] == sorted(["manager", "operator", "programme_manager"])
    cancelled = await http.post(f"{mine}/{recorded.json()['id']}/cancel", headers=bearer(own))
    assert cancelled.status_code == 200 and cancelled.json()["cancelled_by"] == "赵审核"


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
async def test_who_changes_anothers_capacity_and_absences_R_9_1_3(http, staff, role):
    """The staff administrators (managers and operators by default) and the programme managers."""
    person, _ = await staff(Role.AUDITOR)
    _, token = await staff(role)
    may = role in (Role.MANAGER, Role.OPERATOR, Role.PROGRAMME_MANAGER)
    base = f"/api/v1/staff/{person.staff_id}"
    answers = [await http.put(f"{base}/capacity", headers=bearer(token), json={"home_city": "广州"}),
               await http.get(f"{base}/capacity", headers=bearer(token)),
               await http.get(f"{base}/absences", headers=bearer(token)),
               await http.post(f"{base}/absences", headers=bearer(token),
                               json={"starts_on": "2027-05-03", "ends_on": "2027-05-04"})]
    expected = [200, 200, 200, 201] if may else [403, 403, 403, 403]
    assert [a.status_code for a in answers] == expected


async def test_a_repeated_post_records_one_absence_and_replays_the_answer(http, staff):
    auditor, own = await staff(Role.AUDITOR)
    path = f"/api/v1/staff/{auditor.staff_id}/absences"
    body = {"starts_on": "2027-06-01", "ends_on": "2027-06-03", "reason": "病假"}
    first = await http.post(path, headers=bearer(own, "sick-0601"), json=body)
    second = await http.post(path, headers=bearer(own, "sick-0601"), json=body)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json() and second.headers["idempotent-replayed"] == "true"
    other = await http.post(path, headers=bearer(own, "sick-0601"), json={**body, "ends_on": "2027-06-04"})
    assert other.status_code == 422  # the same key on a different request
    assert len((await http.get(path, headers=bearer(own))).json()) == 1
    cancel = f"{path}/{first.json()['id']}/cancel"
    once = await http.post(cancel, headers=bearer(own, "c-1"))
    twice = await http.post(cancel, headers=bearer(own, "c-1"))
    assert (once.status_code, twice.status_code) == (200, 200) and twice.headers["idempotent-replayed"] == "true"


async def test_a_repeated_put_leaves_the_same_capacity(http, staff, pool):
    auditor, _ = await staff(Role.AUDITOR)
    _, admin = await staff(Role.MANAGER)
    path = f"/api/v1/staff/{auditor.staff_id}/capacity"
    answers = [await http.put(path, headers=bearer(admin), json={"home_city": "成都", "max_audit_days_per_month": 9})
               for _ in range(2)]
    assert answers[0].json() == answers[1].json()
    assert await pool.fetchval("SELECT count(*) FROM staff_capacity WHERE staff_id = $1", auditor.staff_id) == 1


async def test_the_bodys_decisions_apply_admin_roles_and_default_cap(temporal_env, pool, staff):
    """CERTFLOW_STAFF_ADMIN_ROLES narrows who changes others' leave (programme managers keep it: they plan,
    R-9.1.3); CERTFLOW_SCHEDULING__MAX_AUDIT_DAYS_PER_MONTH is the cap of whoever has none of their own."""
    settings = Settings(_env_file=None, task_queue=f"api-{uuid.uuid4().hex[:8]}", database_url="postgresql://unused",
                        staff_admin_roles=(Role.MANAGER,),
                        scheduling=SchedulingPolicy(max_audit_days_per_month=9))
    app = create_app(settings, pool=pool, temporal=temporal_env.client)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        person, _ = await staff(Role.AUDITOR)
        _, operator = await staff(Role.OPERATOR)
        _, planner = await staff(Role.PROGRAMME_MANAGER)
        path = f"/api/v1/staff/{person.staff_id}/absences"
        body = {"starts_on": "2030-01-07", "ends_on": "2030-01-08"}
        refused = await http.post(path, headers=bearer(operator), json=body)
        assert refused.status_code == 403 and refused.json()["roles_needed"] == ["manager", "programme_manager"]
        assert (await http.post(path, headers=bearer(planner), json=body)).status_code == 201
        capacity = await http.get(f"/api/v1/staff/{person.staff_id}/capacity", headers=bearer(planner))
        assert capacity.json()["effective_max_audit_days_per_month"] == 9
