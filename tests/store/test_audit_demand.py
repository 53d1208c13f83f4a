"""The audits due (issue 18) as the register shows them: surveillance windows (R-9.2.1) at the R-A.n1b
minimum, recertification (R-9.3) at R-A.n1c, initial audits of accepted applications with their stage 1
(R-9.1.5), the programmes being planned now, and nothing for what is not in force or beyond the horizon."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from planning.cities import city_of_address
from rules.calendar import HolidayTable
from schemas.audits import Audit, AuditKind
from schemas.certificates import CertStatus
from schemas.scheduling import SchedulingPolicy, SiteDemand
from store.audit_demand import audits_due
from store.audits import record_audit
from store.events import append_event
from store.tasks import upsert_open_task
from tests.store.scheduling_rows import SHANGHAI, applied, certified

TODAY, UNTIL = date(2026, 3, 2), date(2027, 2, 28)
POLICY = SchedulingPolicy()
TABLE = HolidayTable.default()


async def due(pool, policy: SchedulingPolicy = POLICY) -> dict[str, object]:
    return {d.workflow_id: d for d in await audits_due(pool, TODAY, UNTIL, policy, TABLE)}


@pytest.mark.parametrize(("address", "city"), [
    ("广东省深圳市南山区科技园1号", "深圳"), ("上海市浦东新区世纪大道1号", "上海"), ("北京市朝阳区示例路1号", "北京"),
    ("新疆维吾尔自治区乌鲁木齐市天山区", "乌鲁木齐"), ("浙江省杭州市西湖区", "杭州"), ("朝阳区示例路", ""), ("", "")])
def test_the_city_of_an_address(address, city):
    assert city_of_address(address) == city


async def test_a_surveillance_due_within_the_horizon_has_its_window_and_the_R_A_n1b_minimum(pool):
    """R-9.2.1: due 2026-09-01; the window opens 3 months before and closes 15 working days before
    (2026-08-11); R-A.n1b: 1/3 of the 7 accepted person-days, rounded up to half days, is 2.5."""
    cert = await certified(pool, next_due=date(2026, 9, 1), person_days="7")
    found = (await due(pool))[cert.workflow_id]
    assert found.kind is AuditKind.SURVEILLANCE and found.window_rule == "R-9.2.1"
    assert (found.earliest, found.latest) == (date(2026, 6, 1), date(2026, 8, 11))
    assert found.person_days == Decimal("2.5") and not found.stage1
    assert found.visits is False  # Decision: not before a surveillance unless the body says so
    assert found.key == f"{cert.workflow_id}/surveillance/2026-09-01"
    assert found.city == "深圳" and found.sites == [SiteDemand(name="南山店", city="深圳")]
    assert found.credit_code and found.organization_name == "深圳示例呼叫中心有限公司"
    assert (await due(pool, POLICY.model_copy(update={"surveillance_visits": True})))[cert.workflow_id].visits


async def test_the_R_A_n1b_floor_of_one_day_and_a_closed_window_kept_as_today(pool):
    cert = await certified(pool, next_due=date(2026, 3, 10), person_days="2")  # 2/3 day: the floor, 1 day
    found = (await due(pool))[cert.workflow_id]
    assert found.person_days == Decimal(1)
    assert (found.earliest, found.latest) == (TODAY, TODAY)  # too late to keep the margin


async def test_an_expiring_certificate_gives_a_recertification_at_the_R_A_n1c_minimum(pool):
    """R-9.3: valid to 2027-01-31; the on-site audit starts by 15 working days before (2027-01-11, a year
    without holiday data: weekends alone), from 3 months earlier; R-A.n1c: 2/3 of 7 → 5 person-days."""
    cert = await certified(pool, valid_to=date(2027, 1, 31), person_days="7")
    found = (await due(pool))[cert.workflow_id]
    assert found.kind is AuditKind.RECERTIFICATION and found.window_rule == "R-9.3"
    assert (found.earliest, found.latest) == (date(2026, 10, 11), date(2027, 1, 11))
    assert found.person_days == Decimal(5) and not found.stage1 and found.visits  # Decision
    assert found.key == f"{cert.workflow_id}/recertification/2027-01-31"


async def test_a_recertification_is_due_when_its_window_opens_by_the_horizon_R_9_3(pool):
    """Valid to 2027-05-20: the audit starts by 2027-04-29 (15 working days before), its window opens
    2027-01-29, within the horizon; valid to 2027-06-30: it opens 2027-03-09, after the horizon."""
    opens_inside = await certified(pool, valid_to=date(2027, 5, 20))
    opens_after = await certified(pool, valid_to=date(2027, 6, 30))
    found = await due(pool)
    assert (found[opens_inside.workflow_id].earliest, found[opens_inside.workflow_id].latest) == (
        date(2027, 1, 29), date(2027, 4, 29))
    assert opens_after.workflow_id not in found


async def test_no_initial_time_recorded_gives_the_floors(pool):
    surveilled = await certified(pool, next_due=date(2026, 9, 1), person_days=None)
    expiring = await certified(pool, valid_to=date(2027, 1, 31), person_days=None)
    found = await due(pool)
    assert found[surveilled.workflow_id].person_days == Decimal(1)  # R-A.n1b
    assert found[expiring.workflow_id].person_days == Decimal(2)  # R-A.n1c


async def test_beyond_the_horizon_not_in_force_or_already_under_way_is_no_demand(pool):
    later = await certified(pool, next_due=date(2027, 6, 1), valid_to=date(2028, 2, 29))
    suspended = await certified(pool, next_due=date(2026, 9, 1), status=CertStatus.SUSPENDED)
    withdrawn = await certified(pool, valid_to=date(2027, 1, 31), status=CertStatus.WITHDRAWN)
    running = await certified(pool, valid_to=date(2027, 1, 31))
    await record_audit(pool, Audit(id=f"audit-{running.workflow_id}-recertification-1",
                                   workflow_id=running.workflow_id, organization_id=running.organization_id,
                                   kind=AuditKind.RECERTIFICATION))
    declined = await certified(pool, valid_to=date(2027, 1, 31))
    await append_event(pool, f"{declined.workflow_id}/recertification.declined/9",
                       datetime(2026, 2, 1, 10, tzinfo=SHANGHAI), "system", "recertification.declined",
                       workflow_id=declined.workflow_id)
    programmed = await certified(pool, next_due=date(2026, 9, 1))
    await record_audit(pool, Audit(id=f"audit-{programmed.workflow_id}-surveillance-1",
                                   workflow_id=programmed.workflow_id, organization_id=programmed.organization_id,
                                   kind=AuditKind.SURVEILLANCE))
    found = await due(pool)
    for cert in (later, suspended, withdrawn, running, declined, programmed):
        assert cert.workflow_id not in found


async def test_an_accepted_application_gives_an_initial_audit_with_stage1_and_visits(pool):
    application, _ = await applied(pool, name="上海示例客服有限公司", person_days="5.5", sites=(
        ("浦东店", "上海市浦东新区世纪大道1号", 30), ("杭州店", "浙江省杭州市西湖区文三路2号", 10)))
    untimed, _ = await applied(pool, person_days=None, sites=(("南山店", "广东省深圳市南山区1号", 120),))
    found = await due(pool)
    initial = found[application.workflow_id]
    assert initial.kind is AuditKind.INITIAL and initial.key == f"{application.workflow_id}/initial"
    assert initial.stage1 and initial.visits and initial.person_days == Decimal("5.5")
    assert (initial.earliest, initial.latest) == (TODAY, date(2026, 6, 2)) and initial.window_rule == "R-9.1.3"
    assert initial.sites == [SiteDemand(name="浦东店", city="上海"), SiteDemand(name="杭州店", city="杭州")]
    assert initial.city == "上海"
    assert found[untimed.workflow_id].person_days == Decimal(8)  # R-A.table for 120 people, nothing recorded


async def test_the_programme_being_planned_wins_over_the_certificate_and_special_audits_come_from_tasks(pool):
    cert = await certified(pool, next_due=date(2026, 9, 1), person_days="7")
    opened = datetime(2026, 3, 1, 9, tzinfo=SHANGHAI)
    await upsert_open_task(pool, f"{cert.workflow_id}/surveillance_programme/4", cert.workflow_id,
                           "surveillance_programme", "programme_manager", opened,
                           context={"minimum_person_days": "3", "surveillance_due_on": "2026-09-01"})
    special = await certified(pool)
    await upsert_open_task(pool, f"{special.workflow_id}/special_programme/7", special.workflow_id,
                           "special_programme", "programme_manager", opened,
                           context={"purpose": "complaint", "short_notice": True})
    found = await audits_due(pool, TODAY, UNTIL, POLICY, TABLE)
    mine = [d for d in found if d.workflow_id == cert.workflow_id]
    assert len(mine) == 1 and mine[0].person_days == Decimal(3)  # the task's, not 2.5: one demand, not two
    assert mine[0].key == f"{cert.workflow_id}/surveillance/2026-09-01"  # the same key either way
    (ordered,) = [d for d in found if d.workflow_id == special.workflow_id]
    assert ordered.kind is AuditKind.SPECIAL and ordered.window_rule == "R-9.4" and not ordered.visits
    assert (ordered.earliest, ordered.latest) == (TODAY, date(2026, 4, 2))
    assert [d.latest for d in found] == sorted(d.latest for d in found)


async def test_a_completed_task_is_no_longer_a_demand(pool):
    application, _ = await applied(pool, person_days="6")
    await upsert_open_task(pool, f"{application.workflow_id}/programme/3", application.workflow_id, "programme",
                           "programme_manager", datetime(2026, 3, 1, 9, tzinfo=SHANGHAI),
                           context={"minimum_person_days": "9", "sites": ["南山店"]})
    assert (await due(pool))[application.workflow_id].person_days == Decimal(9)
    await pool.execute("UPDATE tasks SET status = 'completed' WHERE workflow_id = $1", application.workflow_id)
    assert (await due(pool))[application.workflow_id].person_days == Decimal(6)  # the accepted time again
