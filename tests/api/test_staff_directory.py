"""GET /api/v1/staff (issue 13): who can be put on a team, with roles, R-7.auditor proofs and their
validity, and the audits each person took part in (R-9.1.9.n1); declared conflicts: test_staff_conflicts.py."""

from __future__ import annotations

import uuid
from datetime import date

from schemas.audits import Audit, AuditKind
from schemas.organizations import Organization
from schemas.staff import Role
from store.audits import add_team_member, record_audit
from store.organizations import upsert_organization
from store.staff import add_qualification, set_active


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_lists_people_with_roles_and_qualifications_valid_on_the_day_R_7(http, pool, staff):
    _, planner = await staff(Role.PROGRAMME_MANAGER, name="甲 planner")
    auditor, _ = await staff(Role.AUDITOR, name="乙 auditor", qualified=True)
    lapsed, _ = await staff(Role.AUDITOR, Role.TECHNICAL_EXPERT, name="丙 lapsed")
    await add_qualification(pool, lapsed.staff_id, "training_certificate", date(2020, 1, 1), date(2030, 12, 31))
    await add_qualification(pool, lapsed.staff_id, "competence_evaluation", date(2020, 1, 1), date(2025, 12, 31),
                            reference="CE-7")

    answer = await http.get("/api/v1/staff", headers=bearer(planner), params={"role": "auditor"})
    assert answer.status_code == 200, answer.text
    people = {p["name"]: p for p in answer.json()}
    assert set(people) == {"乙 auditor", "丙 lapsed"}  # the planner holds no auditor role
    assert people["丙 lapsed"]["roles"] == ["auditor", "technical_expert"]
    assert people["乙 auditor"]["id"] == str(auditor.staff_id) and people["乙 auditor"]["active"] is True

    on_2025 = {p["name"]: p for p in (await http.get("/api/v1/staff", headers=bearer(planner),
                                                      params={"role": "auditor", "qualified_on": "2025-06-01"})).json()}
    assert set(on_2025) == {"乙 auditor", "丙 lapsed"}
    evaluation = [q for q in on_2025["丙 lapsed"]["qualifications"] if q["kind"] == "competence_evaluation"]
    assert evaluation == [{"kind": "competence_evaluation", "reference": "CE-7", "valid_from": "2020-01-01",
                           "valid_to": "2025-12-31", "valid_on_day": True}]

    on_2026 = (await http.get("/api/v1/staff", headers=bearer(planner), params={"qualified_on": "2026-03-02"})).json()
    assert [p["name"] for p in on_2026] == ["乙 auditor"]  # the evaluation lapsed at the end of 2025
    assert on_2026[0]["auditor_qualified"] is True


async def test_someone_who_left_is_not_qualified_and_can_be_filtered_out(http, pool, staff):
    _, manager = await staff(Role.MANAGER)
    gone, _ = await staff(Role.AUDITOR, qualified=True)
    await set_active(pool, gone.staff_id, False)
    qualified = (await http.get("/api/v1/staff", headers=bearer(manager), params={"qualified_on": "2026-03-02"})).json()
    assert str(gone.staff_id) not in {p["id"] for p in qualified}
    everyone = {p["id"]: p for p in (await http.get("/api/v1/staff", headers=bearer(manager))).json()}
    assert everyone[str(gone.staff_id)]["active"] is False
    assert everyone[str(gone.staff_id)]["auditor_qualified"] is False
    active = (await http.get("/api/v1/staff", headers=bearer(manager), params={"active": "true"})).json()
    assert str(gone.staff_id) not in {p["id"] for p in active}


async def test_shows_the_audits_a_person_took_part_in_R_9_1_9_n1(http, pool, staff):
    _, operator = await staff(Role.OPERATOR)
    leader, _ = await staff(Role.AUDITOR, qualified=True)
    org = await upsert_organization(pool, Organization(id=uuid.uuid4(), name="示例呼叫中心",
                                                       credit_code="91110000MA01ABCD1X"))
    audit_id = f"audit-certification-{uuid.uuid4()}-initial-1"
    await record_audit(pool, Audit(id=audit_id, workflow_id="certification-x", organization_id=org.id,
                                   kind=AuditKind.INITIAL))
    await add_team_member(pool, audit_id, leader.staff_id, "leader")
    people = {p["id"]: p for p in (await http.get("/api/v1/staff", headers=bearer(operator))).json()}
    assert people[str(leader.staff_id)]["audits"] == [
        {"audit_id": audit_id, "kind": "initial", "organization": "示例呼叫中心", "team_role": "leader"}]


async def test_an_unknown_role_or_a_bad_day_is_422(http, staff):
    _, manager = await staff(Role.MANAGER)
    for params in ({"role": "janitor"}, {"qualified_on": "2026-02-30"}):
        answer = await http.get("/api/v1/staff", headers=bearer(manager), params=params)
        assert answer.status_code == 422 and answer.headers["content-type"] == "application/problem+json"


async def test_an_auditor_may_not_read_the_directory_by_default(http, staff):
    _, auditor = await staff(Role.AUDITOR)
    assert (await http.get("/api/v1/staff", headers=bearer(auditor))).status_code == 403
