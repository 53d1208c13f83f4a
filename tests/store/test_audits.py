import uuid
from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from schemas.audits import Audit, AuditKind, Finding, FindingKind, ItemScore, TeamMember, TeamRole
from schemas.certificates import StarLevel
from schemas.errors import Conflict, NotFound
from schemas.staff import Role
from store.audits import (
    add_team_member,
    audits_for,
    findings_of,
    get_audit,
    item_scores,
    record_audit,
    record_finding,
    record_item_score,
    record_item_scores,
    remove_team_member,
    set_finding_progress,
    team_of,
    update_audit,
)
from store.staff import add_staff


@pytest.fixture
async def audit(pool, application):
    return await record_audit(pool, Audit(
        id=f"audit-{application.workflow_id}-initial-1", workflow_id=application.workflow_id,
        organization_id=application.organization_id, kind=AuditKind.INITIAL,
    ))


def _score(audit_id, item_id="1.1.1", **kw):
    return ItemScore(**{"audit_id": audit_id, "item_id": item_id, "method_compliant": True, "executed": True,
                        "method_score": Decimal("10.00"), "execution_score": Decimal("8.50"), **kw})


async def test_record_audit_twice_writes_one_row(pool, application, audit, count):
    assert await record_audit(pool, audit.model_copy(update={"created_at": None, "updated_at": None})) == audit
    assert await count("audits") == 1
    assert audit.status == "planned" and await get_audit(pool, audit.id) == audit
    assert await audits_for(pool, workflow_id=application.workflow_id) == [audit]
    assert await audits_for(pool, organization_id=uuid.uuid4()) == []


async def test_an_audit_id_belongs_to_one_certification(pool, audit):
    with pytest.raises(Conflict):
        await record_audit(pool, audit.model_copy(update={"kind": AuditKind.SPECIAL}))


async def test_update_audit_sets_what_is_given_and_nothing_twice(pool, audit):
    updated = await update_audit(pool, audit.id, status="on_site", person_days=Decimal("5.5"),
                                 computed_level=StarLevel.THREE_STAR)
    assert (updated.status, updated.person_days, updated.computed_level) == ("on_site", Decimal("5.5"),
                                                                            StarLevel.THREE_STAR)
    again = await update_audit(pool, audit.id, status="on_site", person_days=Decimal("5.5"))
    assert again == updated  # same updated_at: nothing written
    assert (await update_audit(pool, audit.id, recommendation="grant")).person_days == Decimal("5.5")
    with pytest.raises(ValidationError):
        await update_audit(pool, audit.id, person_days=Decimal("0"))
    with pytest.raises(NotFound):
        await update_audit(pool, "audit-none", status="x")


async def test_team_members_are_added_once_and_one_leader_only(pool, audit, count):
    lead, _ = await add_staff(pool, "组长", [Role.AUDITOR])
    other, _ = await add_staff(pool, "另一位", [Role.AUDITOR])
    expert, _ = await add_staff(pool, "专家", [Role.TECHNICAL_EXPERT])
    await add_team_member(pool, audit.id, lead.id, TeamRole.LEADER)
    await add_team_member(pool, audit.id, lead.id, TeamRole.LEADER)
    await add_team_member(pool, audit.id, expert.id, "expert")
    assert await count("audit_team") == 2
    with pytest.raises(Conflict, match=r"R-7\.team"):
        await add_team_member(pool, audit.id, other.id, TeamRole.LEADER)
    await add_team_member(pool, audit.id, other.id, TeamRole.AUDITOR)
    assert await team_of(pool, audit.id) == [
        TeamMember(audit_id=audit.id, staff_id=lead.id, role=TeamRole.LEADER),
        TeamMember(audit_id=audit.id, staff_id=other.id, role=TeamRole.AUDITOR),
        TeamMember(audit_id=audit.id, staff_id=expert.id, role=TeamRole.EXPERT),
    ]
    await remove_team_member(pool, audit.id, expert.id, TeamRole.EXPERT)
    await remove_team_member(pool, audit.id, expert.id, TeamRole.EXPERT)
    assert await count("audit_team") == 2
    with pytest.raises(NotFound):
        await add_team_member(pool, audit.id, uuid.uuid4(), TeamRole.AUDITOR)


async def test_item_scores_are_one_row_per_item_and_a_new_score_replaces_the_old(pool, audit, count):
    first = await record_item_score(pool, _score(audit.id))
    assert await record_item_score(pool, _score(audit.id)) == first
    assert await count("item_scores") == 1
    rescored = await record_item_score(pool, _score(audit.id, executed=False, execution_score=Decimal("0")))
    assert (rescored.executed, rescored.execution_score) == (False, Decimal("0.00"))
    assert await count("item_scores") == 1


async def test_a_sheet_of_scores_is_written_once(pool, audit, count):
    sheet = [_score(audit.id, f"1.1.{n}") for n in range(1, 31)]
    assert await record_item_scores(pool, sheet) == 30
    assert await record_item_scores(pool, sheet) == 30
    assert await count("item_scores") == 30
    assert [s.item_id for s in await item_scores(pool, audit.id)][:3] == ["1.1.1", "1.1.10", "1.1.11"]
    with pytest.raises(NotFound):
        await record_item_scores(pool, [*sheet, _score("audit-none")])


def test_scores_are_never_negative():
    with pytest.raises(ValidationError, match="method_score"):
        _score("a", method_score=Decimal("-1"))


async def test_findings_are_recorded_once_and_follow_their_progress(pool, audit, count):
    finding = Finding(id=f"{audit.id}/onsite/1", audit_id=audit.id, kind=FindingKind.MINOR_NONCONFORMITY,
                      clause="4.2", department="客服部", description="培训记录不完整")
    first = await record_finding(pool, finding)
    assert await record_finding(pool, finding) == first
    assert await count("findings") == 1
    acknowledged = await set_finding_progress(pool, finding.id, acknowledged_on=date(2026, 3, 12))
    corrected = await set_finding_progress(pool, finding.id, corrected_on=date(2026, 4, 1))
    assert (corrected.acknowledged_on, corrected.corrected_on, corrected.verified_on) == (
        date(2026, 3, 12), date(2026, 4, 1), None)
    assert acknowledged.acknowledged_on == date(2026, 3, 12)
    assert await findings_of(pool, audit.id) == [corrected]
    with pytest.raises(NotFound):
        await set_finding_progress(pool, "none", verified_on=date(2026, 4, 2))


async def test_a_finding_id_belongs_to_one_audit(pool, application, audit):
    other = await record_audit(pool, audit.model_copy(update={"id": "audit-other", "kind": AuditKind.SPECIAL}))
    finding = Finding(id="f-1", audit_id=audit.id, kind="observation", description="可改进")
    await record_finding(pool, finding)
    with pytest.raises(Conflict):
        await record_finding(pool, finding.model_copy(update={"audit_id": other.id}))
    with pytest.raises(ValidationError):
        Finding(id="f-2", audit_id=audit.id, kind="observation", description=" ")
