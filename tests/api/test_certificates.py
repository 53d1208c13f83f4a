"""The staff's certificates API against the register: the list and its filters, one certificate without a
running process, and what an action is refused before its process is asked (who, which, which state,
what body). The actions carried out by a running process are in tests/workflows/test_life.py."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from schemas.staff import Role
from store.certificate_search import record_next_due
from store.certificates import set_status
from store.events import append_event

from ..conftest import certificate_in_register

PROBLEM = "application/problem+json"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def three_certificates(pool) -> list[str]:
    """A valid five-star certificate due for surveillance in March, a suspended three-star one whose
    suspension ends in May, and a withdrawn one (nothing due any more, whatever was recorded)."""
    a = await certificate_in_register(pool, "CCS-A-001", date(2026, 3, 2), date(2029, 3, 1),
                                      credit_code="91310000MA1FL0001X", name="上海甲呼叫中心有限公司",
                                      level="five_star")
    b = await certificate_in_register(pool, "CCS-B-002", date(2026, 1, 5), date(2029, 1, 4),
                                      credit_code="91310000MA1FL0002X", name="北京乙客服有限公司", level="three_star")
    c = await certificate_in_register(pool, "CCS-C-003", date(2025, 6, 1), date(2028, 5, 31),
                                      credit_code="91310000MA1FL0003X", name="上海丙呼叫中心有限公司",
                                      level="three_star")
    await record_next_due(pool, a.number, date(2027, 3, 2), "surveillance")
    await set_status(pool, b.number, "suspended", suspended_until=date(2027, 5, 5))
    await record_next_due(pool, b.number, date(2027, 5, 5), "suspension_end")
    await record_next_due(pool, c.number, date(2027, 1, 1), "surveillance")
    await set_status(pool, c.number, "withdrawn")
    return [a.number, b.number, c.number]


async def test_the_list_filters_by_status_organization_level_and_due_date(http, pool, staff):
    a, b, c = await three_certificates(pool)
    _, token = await staff(Role.PROGRAMME_MANAGER)

    async def numbers(**params) -> tuple[int, list[str]]:
        response = await http.get("/api/v1/certificates", params=params, headers=bearer(token))
        assert response.status_code == 200, response.text
        body = response.json()
        return body["total"], [item["number"] for item in body["items"]]

    assert await numbers() == (3, [a, b, c])
    assert await numbers(status="suspended") == (1, [b])
    assert await numbers(organization="上海") == (2, [a, c])
    assert await numbers(organization="乙客服") == (1, [b])
    assert await numbers(star_level="three_star") == (2, [b, c])
    # Soonest due first; the withdrawn certificate has nothing due, whatever was recorded.
    assert await numbers(due_before="2027-12-31") == (2, [a, b])
    assert await numbers(due_before="2027-04-01") == (1, [a])
    assert await numbers(limit=2) == (3, [a, b])
    assert await numbers(limit=2, offset=2) == (3, [c])
    assert await numbers(offset=10) == (3, [])
    listed = (await http.get("/api/v1/certificates", params={"status": "withdrawn"}, headers=bearer(token))).json()
    assert listed["items"][0]["next_due_on"] is None and listed["items"][0]["organization"] == "上海丙呼叫中心有限公司"


@pytest.mark.parametrize("params", [{"status": "revoked"}, {"star_level": "six_star"}, {"due_before": "next week"},
                                    {"limit": 0}, {"limit": 501}, {"offset": -1}])
async def test_a_bad_filter_is_a_422_problem(http, staff, params):
    _, token = await staff(Role.PROGRAMME_MANAGER)
    response = await http.get("/api/v1/certificates", params=params, headers=bearer(token))
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    assert next(iter(params)) in response.json()["detail"]


async def test_the_list_is_for_staff_only(http):
    assert (await http.get("/api/v1/certificates")).status_code == 401


async def test_one_certificate_without_a_process_shows_the_register_and_its_timeline(http, pool, staff):
    _a, b, _ = await three_certificates(pool)
    _, token = await staff(Role.REVIEWER)
    await append_event(pool, f"test/{uuid.uuid4()}", datetime(2026, 3, 2, 2, tzinfo=UTC), "孙方案",
                       "certificate.granted", rule_id="R-10.1", workflow_id="certification-x", subject=b,
                       data={"number": b})
    response = await http.get(f"/api/v1/certificates/{b.lower()}", headers=bearer(token))  # any case
    assert response.status_code == 200, response.text
    view = response.json()
    assert view["certificate"]["number"] == b and view["certificate"]["status"] == "suspended"
    assert view["certificate"]["suspended_until"] == "2027-05-05"
    assert view["running"] is False and view["process_state"] == "NOT_FOUND" and view["life"] is None
    assert "register" in view["note"]
    # No live answer: what is due comes from the register's last copy.
    assert view["next_due"] == [{"what": "suspension_end", "on": "2027-05-05", "rule_id": "R-9.6.3"}]
    assert [e["kind"] for e in view["timeline"]] == ["certificate.granted"]
    # The certification file: every version, as it was (issue 12).
    assert [(v["change"], v["status"]) for v in view["versions"]] == [("issued", "valid"), ("suspended", "suspended")]
    missing = await http.get("/api/v1/certificates/CCS-NONE-999", headers=bearer(token))
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM


async def test_an_action_is_refused_before_the_process_is_asked(http, pool, staff):
    a, _, c = await three_certificates(pool)
    _, decider = await staff(Role.DECISION_MAKER)
    _, reviewer = await staff(Role.REVIEWER)
    suspend = {"cause": "organization_request", "reason": "组织申请暂停"}
    assert (await http.post(f"/api/v1/certificates/{a}/suspend", json=suspend)).status_code == 401
    # Who may ask (R-9.6: certification decisions): a reviewer may not suspend.
    response = await http.post(f"/api/v1/certificates/{a}/suspend", json=suspend, headers=bearer(reviewer))
    assert response.status_code == 403 and "decision_maker" in response.json()["detail"]
    response = await http.post("/api/v1/certificates/CCS-NONE-999/suspend", json=suspend, headers=bearer(decider))
    assert response.status_code == 404
    # A withdrawn certificate takes no more actions: final.
    response = await http.post(f"/api/v1/certificates/{c}/suspend", json=suspend, headers=bearer(decider))
    assert response.status_code == 409 and response.json()["rule_id"] == "R-9.6.7"
    # The body is checked against the action's own schema: every error listed.
    response = await http.post(f"/api/v1/certificates/{a}/suspend", json={"cause": "boredom", "months": 0,
                                                                          "colour": "red"}, headers=bearer(decider))
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    wrong = {tuple(e["loc"][-1:]) for e in response.json()["errors"]}
    assert {("cause",), ("reason",), ("months",), ("colour",)} <= wrong
    assert (await http.post(f"/api/v1/certificates/{a}/promote", json={}, headers=bearer(decider))).status_code in (
        404, 405)


async def test_an_expired_certificate_says_further_certification_is_a_new_application_R_9_6_8(http, pool, staff):
    a, _, _ = await three_certificates(pool)
    await set_status(pool, a, "expired")
    _, token = await staff(Role.PROGRAMME_MANAGER)
    response = await http.post(f"/api/v1/certificates/{a}/notification", headers=bearer(token), json={
        "kind": "complaint", "received_on": "2026-11-01", "description": "投诉"})
    assert response.status_code == 409 and response.json()["rule_id"] == "R-9.6.8"
    assert "new initial application" in response.json()["detail"]


async def test_certificate_pages_follow_each_other_while_certificates_are_issued(http, pool, staff):
    """Keyset pages (Link rel=next): a certificate issued meanwhile comes in its place in number order, and
    no row repeats or is skipped."""
    import re

    from .test_public import issued_certificate

    _, token = await staff(Role.PROGRAMME_MANAGER)
    made = [(await issued_certificate(pool, f"分页呼叫中心{i}有限公司", f"9111000MA01PAGE{i}0X"))[0]
            for i in range(5)]
    seen: list[str] = []
    url: str | None = "/api/v1/certificates?limit=2&organization=分页呼叫中心"
    while url:
        response = await http.get(url, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
        seen += [c["number"] for c in response.json()["items"]]
        if len(seen) == 2:
            made.append((await issued_certificate(pool, "分页呼叫中心9有限公司", "9111000MA01PAGE90X"))[0])
        found = re.fullmatch(r'<([^>]+)>; rel="next"', response.headers.get("link", ""))
        url = found[1] if found else None
    assert seen == sorted(made) and len(seen) == len(set(seen))
    bad = await http.get("/api/v1/certificates", params={"after": "made-up"},
                         headers={"Authorization": f"Bearer {token}"})
    assert bad.status_code == 422
