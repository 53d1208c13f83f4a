"""Conflicts of interest (issue 13): staff administrators declare and end them, the staff directory
shows them, and the facts a programme is checked against carry the ones that hold with its organization
(R-9.1.4: a team formed for the auditee has no one tied to it; the journey in test_api.py is refused)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from rules.programme import check_programme
from schemas.errors import RuleViolation
from schemas.payloads import Programme
from schemas.staff import Role
from schemas.tasking import QualificationPeriod, StaffFacts
from store.facts import staff_facts

CODE, OTHER = "91110000MA01ABCD2X", "91310000MA1FL0000Y"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_declared_shown_and_ended_with_its_day_never_deleted(http, staff):
    _, admin = await staff(Role.MANAGER)
    auditor, _ = await staff(Role.AUDITOR, name="赵审核")
    declared = await http.post(f"/api/v1/staff/{auditor.staff_id}/conflicts", headers=bearer(admin), json={
        "credit_code": CODE, "organization_name": "示例呼叫中心", "reason": "配偶在该公司任职",
        "declared_on": "2026-03-01"})
    assert declared.status_code == 201, declared.text
    conflict = declared.json()
    assert conflict["ended_on"] is None and conflict["staff_id"] == str(auditor.staff_id)

    ended = await http.post(f"/api/v1/staff/{auditor.staff_id}/conflicts/{conflict['id']}/end",
                            headers=bearer(admin), json={"ended_on": "2026-06-30"})
    assert ended.status_code == 200, ended.text
    again = await http.post(f"/api/v1/staff/{auditor.staff_id}/conflicts/{conflict['id']}/end",
                            headers=bearer(admin), json={"ended_on": "2026-07-01"})
    assert again.status_code == 409 and "2026-06-30" in again.json()["detail"]

    people = {p["id"]: p for p in (await http.get("/api/v1/staff", headers=bearer(admin))).json()}
    shown = people[str(auditor.staff_id)]["conflicts"]
    assert [(c["credit_code"], c["reason"], c["declared_on"], c["ended_on"]) for c in shown] == [
        (CODE, "配偶在该公司任职", "2026-03-01", "2026-06-30")]


async def test_bad_declarations_are_refused_with_reasons(http, staff):
    _, admin = await staff(Role.MANAGER)
    auditor, _ = await staff(Role.AUDITOR)
    path = f"/api/v1/staff/{auditor.staff_id}/conflicts"
    future = await http.post(path, headers=bearer(admin), json={
        "credit_code": CODE, "reason": "顾问", "declared_on": "2999-01-01"})
    assert future.status_code == 422 and "after today" in future.json()["detail"]
    bad_code = await http.post(path, headers=bearer(admin), json={
        "credit_code": "91110000MA01ABCDIO", "reason": "顾问", "declared_on": "2026-01-01"})
    assert bad_code.status_code == 422
    blank = await http.post(path, headers=bearer(admin), json={"credit_code": CODE, "reason": "  ",
                                                               "declared_on": "2026-01-01"})
    assert blank.status_code == 422
    nobody = await http.post(f"/api/v1/staff/{uuid.uuid4()}/conflicts", headers=bearer(admin), json={
        "credit_code": CODE, "reason": "顾问", "declared_on": "2026-01-01"})
    assert nobody.status_code == 404
    made = (await http.post(path, headers=bearer(admin), json={
        "credit_code": CODE, "reason": "顾问", "declared_on": "2026-05-01"})).json()
    before = await http.post(f"{path}/{made['id']}/end", headers=bearer(admin), json={"ended_on": "2026-04-30"})
    assert before.status_code == 422 and "between its declaration" in before.json()["detail"]
    _, planner = await staff(Role.PROGRAMME_MANAGER)
    not_admin = await http.post(path, headers=bearer(planner), json={
        "credit_code": CODE, "reason": "顾问", "declared_on": "2026-01-01"})
    assert not_admin.status_code == 403


async def test_the_facts_carry_only_the_conflicts_that_hold_with_that_organization_on_the_day(http, pool, staff):
    _, admin = await staff(Role.MANAGER)
    tied, _ = await staff(Role.AUDITOR, name="钱")
    other, _ = await staff(Role.AUDITOR, name="孙")
    for who, code, reason, since in ((tied, CODE, "前雇主", "2026-02-01"), (other, OTHER, "别的公司", "2026-02-01")):
        answer = await http.post(f"/api/v1/staff/{who.staff_id}/conflicts", headers=bearer(admin), json={
            "credit_code": code, "reason": reason, "declared_on": since})
        assert answer.status_code == 201, answer.text
    ids = [tied.staff_id, other.staff_id]
    facts = await staff_facts(pool, ids, organization=CODE, day=date(2026, 3, 1))
    assert facts.staff[str(tied.staff_id)].conflicts == ["前雇主"]
    assert facts.staff[str(other.staff_id)].conflicts == []  # tied to another organization
    before = await staff_facts(pool, ids, organization=CODE, day=date(2026, 1, 31))
    assert before.staff[str(tied.staff_id)].conflicts == []  # not yet declared on that day
    unnamed = await staff_facts(pool, ids)
    assert all(f.conflicts == [] for f in unnamed.staff.values())


def _person(name: str, *roles: Role, conflicts: tuple[str, ...] = ()) -> StaffFacts:
    proofs = [QualificationPeriod(kind=k, valid_from=date(2024, 1, 1), valid_to=date(2030, 12, 31))
              for k in ("training_certificate", "competence_evaluation")]
    return StaffFacts(staff_id=uuid.uuid4(), name=name, roles=list(roles), qualifications=proofs,
                      conflicts=list(conflicts))


@pytest.mark.parametrize("tied", ["leader", "shopper"])
def test_a_programme_naming_someone_tied_to_the_auditee_is_refused_R_9_1_4(tied):
    leader = _person("李", Role.AUDITOR, conflicts=("前雇主",) if tied == "leader" else ())
    shopper = _person("郑", Role.MYSTERY_SHOPPER, conflicts=("亲属在该公司",) if tied == "shopper" else ())
    programme = Programme.model_validate({
        "objectives": "初次认证", "person_days": "2", "onsite_days": "2", "stage1_on": "2026-12-10",
        "onsite_start": "2026-12-20", "onsite_end": "2026-12-21", "team": [{"staff_id": str(leader.staff_id),
                                                                           "role": "leader"}],
        "visits": [{"site": "总部", "shopper_id": str(shopper.staff_id), "planned_on": "2026-12-12"}]})
    staff = {str(p.staff_id): p for p in (leader, shopper)}
    with pytest.raises(RuleViolation) as refused:
        check_programme(programme, site_names=["总部"], minimum_person_days=Decimal("2"), staff=staff,
                        today=date(2026, 12, 2))
    assert refused.value.rule_id == "R-9.1.4"
    assert ("前雇主" if tied == "leader" else "亲属在该公司") in str(refused.value)
