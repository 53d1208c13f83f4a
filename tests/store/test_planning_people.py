"""The people as the planner sees them (issue 18): active auditors and mystery shoppers with their R-7
proofs, home city and monthly cap (the body's default when they said nothing), absences that are not
cancelled, the days audits in force already take, and the conflicts of interest that hold (R-9.1.4)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from schemas.audits import Audit, AuditKind
from schemas.conflicts import ConflictDeclaration
from schemas.scheduling import DateSpan, SchedulingPolicy
from schemas.staff import Role
from store.audits import add_team_member, record_audit, update_audit
from store.planning_people import planning_people
from store.staff import add_qualification, add_staff, set_active
from store.staff_conflicts import declare_conflict, end_conflict
from tests.store.scheduling_rows import certified

FROM, UNTIL = date(2026, 3, 2), date(2027, 2, 28)
POLICY = SchedulingPolicy(max_audit_days_per_month=10)
CODE, ENDED, LATER = "91110000MA01ABCD2X", "91310000MA1FL0000Y", "91440300MA5F000001"
ENDS_INSIDE = "91440300MA5F000002"


async def person(pool, *roles: Role, name: str) -> uuid.UUID:
    staff, _ = await add_staff(pool, name, roles)
    return staff.id


async def absence(pool, staff_id, starts_on: date, ends_on: date, *, cancelled: bool = False) -> None:
    await pool.execute(
        """INSERT INTO staff_absences (id, staff_id, starts_on, ends_on, reason, recorded_by, cancelled_at,
                                      cancelled_by)
           VALUES ($1, $2, $3, $4, '年假', '王管理', CASE WHEN $5 THEN now() END, CASE WHEN $5 THEN '王管理' END)""",
        uuid.uuid4(), staff_id, starts_on, ends_on, cancelled)


async def by_name(pool) -> dict:
    return {p.name: p for p in await planning_people(pool, FROM, UNTIL, POLICY)}


async def test_only_active_auditors_and_shoppers_with_their_proofs_city_and_cap(pool):
    auditor = await person(pool, Role.AUDITOR, Role.PROGRAMME_MANAGER, name="赵审核")
    shopper = await person(pool, Role.MYSTERY_SHOPPER, name="钱访客")
    await person(pool, Role.REVIEWER, name="孙评审")
    gone = await person(pool, Role.AUDITOR, name="李离职")
    await set_active(pool, gone, False)
    await add_qualification(pool, auditor, "training_certificate", date(2024, 1, 1), date(2026, 12, 31))
    await add_qualification(pool, auditor, "competence_evaluation", date(2025, 1, 1), date(2027, 6, 30))
    await add_qualification(pool, auditor, "competence_evaluation", date(2020, 1, 1), date(2024, 12, 31))  # past
    await pool.execute("""INSERT INTO staff_capacity (staff_id, home_city, max_audit_days_per_month, updated_by)
                          VALUES ($1, '上海', 8, '王管理'), ($2, '深圳', NULL, '王管理')""", auditor, shopper)
    people = await by_name(pool)
    assert set(people) == {"赵审核", "钱访客"}
    a, s = people["赵审核"], people["钱访客"]
    assert set(a.roles) == {Role.AUDITOR, Role.PROGRAMME_MANAGER} and s.roles == [Role.MYSTERY_SHOPPER]
    assert sorted((q.kind, q.valid_to) for q in a.qualifications) == [  # R-7.auditor, those touching the span
        ("competence_evaluation", date(2027, 6, 30)), ("training_certificate", date(2026, 12, 31))]
    assert (a.home_city, a.max_audit_days_per_month) == ("上海", 8)
    assert (s.home_city, s.max_audit_days_per_month) == ("深圳", 10)  # no cap of their own: the body's


async def test_no_capacity_row_gives_the_defaults(pool):
    await person(pool, Role.AUDITOR, name="周审核")
    found = (await by_name(pool))["周审核"]
    assert (found.home_city, found.max_audit_days_per_month) == ("", 10)
    default = await planning_people(pool, FROM, UNTIL, SchedulingPolicy())
    assert default[0].max_audit_days_per_month == 12


async def test_absences_in_the_span_and_not_cancelled(pool):
    auditor = await person(pool, Role.AUDITOR, name="吴审核")
    await absence(pool, auditor, date(2026, 4, 6), date(2026, 4, 10))
    await absence(pool, auditor, date(2026, 2, 20), date(2026, 3, 3))  # began before, ends inside
    await absence(pool, auditor, date(2026, 5, 4), date(2026, 5, 8), cancelled=True)
    await absence(pool, auditor, date(2025, 5, 4), date(2025, 5, 8))  # long past
    await absence(pool, auditor, date(2027, 5, 4), date(2027, 5, 8))  # beyond the span
    found = (await by_name(pool))["吴审核"]
    assert found.unavailable == [DateSpan(starts_on=date(2026, 2, 20), ends_on=date(2026, 3, 3)),
                                 DateSpan(starts_on=date(2026, 4, 6), ends_on=date(2026, 4, 10))]


async def test_conflicts_that_hold_in_the_span_R_9_1_4(pool):
    auditor = await person(pool, Role.AUDITOR, name="郑审核")
    ends = {ENDED: date(2026, 1, 31), ENDS_INSIDE: date(2026, 6, 30)}
    for code, since in ((CODE, date(2025, 1, 1)), (ENDED, date(2025, 1, 1)), (LATER, date(2026, 9, 1)),
                        (ENDS_INSIDE, date(2025, 1, 1))):
        made = await declare_conflict(pool, auditor, ConflictDeclaration(credit_code=code, reason="前雇主",
                                                                         declared_on=since),
                                      by="王管理", today=date(2026, 9, 1))
        if code in ends:
            await end_conflict(pool, auditor, made.id, ends[code], by="王管理", today=date(2026, 9, 1))
    found = (await by_name(pool))["郑审核"]
    # Ended before the span: no longer a reason; ended inside it or declared during it: holds on some day.
    assert sorted(found.conflicts) == sorted([CODE, LATER, ENDS_INSIDE])


async def test_days_booked_by_audits_in_force_not_by_concluded_ones(pool):
    leader = await person(pool, Role.AUDITOR, name="冯组长")
    shopper = await person(pool, Role.MYSTERY_SHOPPER, name="陈访客")
    cert = await certified(pool)
    for n, start, end, status in ((1, date(2026, 4, 7), date(2026, 4, 9), "planned"),
                                  (2, date(2026, 3, 10), date(2026, 3, 11), "concluded"),
                                  (3, date(2026, 2, 26), date(2026, 3, 3), "onsite_done")):
        audit_id = f"audit-{cert.workflow_id}-surveillance-{n}"
        await record_audit(pool, Audit(id=audit_id, workflow_id=cert.workflow_id,
                                       organization_id=cert.organization_id, kind=AuditKind.SURVEILLANCE,
                                       person_days=Decimal(3), onsite_days=Decimal(3)))
        await update_audit(pool, audit_id, status=status, onsite_start=start, onsite_end=end)
        await add_team_member(pool, audit_id, leader, "leader")
        await add_team_member(pool, audit_id, shopper, "mystery_shopper")
    people = await by_name(pool)
    assert people["冯组长"].booked == [date(2026, 3, 2), date(2026, 3, 3), date(2026, 4, 7), date(2026, 4, 8),
                                      date(2026, 4, 9)]  # from the span's first day; the concluded one not
    assert people["陈访客"].booked == []  # a shopper's visits are not the on-site days
