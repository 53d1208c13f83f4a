"""Issue 12 in the certificate's life: a surveillance rated on its sample (R-9.2.6, R-9.2.8), counted from
the day it ended as recorded (R-9.2.1), a suspension that never silently outlives its limit (R-9.6.3,
R-9.6.5), and a reissue that does not change the scope without its audit (R-9.4.1)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from temporalio.api.enums.v1 import EventType

from rules.lifecycle import next_surveillance_due
from rules.rating import default_catalogue
from store.certificates import get_certificate
from store.events import events_for
from store.tasks import get_task
from workflows.tasks import start_of

from .test_life import act, granted, life_when, move_to, refused, rule_of, surveil


def sampled(today: date, *, sections: tuple[str, ...] = ("1.0", "2.0"), executed: bool = True,
            ended_on: date | None = None) -> dict:
    """Full marks on the items of ``sections`` only: the sample a surveillance assessed (R-9.2.6)."""
    items = [{"item_id": i.id, "method_compliant": True, "executed": executed, "method_score": str(i.max_method),
              "execution_score": str(i.max_execution if executed else 0)}
             for i in default_catalogue().items if i.section in sections]
    return {"items": items, "findings": []} | ({"ended_on": str(ended_on)} if ended_on else {})


async def test_a_surveillance_rates_the_sample_it_assessed_R_9_2_6_R_9_2_8(journey, pool):
    """R-9.2.6: a surveillance assesses a sample; it is rated on that sample, and the certificate is
    maintained only at a level the sample reaches (R-9.2.8 Decision, RatingPolicy); the next surveillance
    counts from the day the audit ended as recorded, not as programmed (R-9.2.1)."""
    p = journey.people
    status, _ = await granted(journey)
    number = status.certificate_number
    decided_on = (await get_certificate(pool, number)).issued_on
    await move_to(journey, next_surveillance_due(decided_on, None) - timedelta(days=89))
    weak: dict = {}

    def poor_sample(today: date) -> dict:
        weak.update(sampled(today, executed=False))
        return weak

    await surveil(journey, 1, onsite=poor_sample, decide=False)
    view = await journey.task("surveillance_decision")
    assert "sample of" in (await get_task(pool, view.task_id)).context["rating"]
    error = await refused(journey.complete("surveillance_decision", p.decision_maker, {"outcome": "maintain"}))
    assert rule_of(error) == "R-9.2.8" and "R-9.2.6" in str(error)
    await journey.complete("surveillance_decision", p.decision_maker,
                           {"outcome": "suspend", "reasons": "抽样项目未执行"})
    audit = await pool.fetchrow("SELECT computed_level FROM audits WHERE id = $1",
                                f"audit-{journey.workflow_id}-surveillance-1")
    assert audit["computed_level"] is None  # the sample reaches no level
    life = await life_when(journey, status="suspended")
    assert life.surveillances_done == 1


async def test_a_partial_surveillance_maintains_and_counts_from_the_recorded_end_R_9_2_6_R_9_2_1(journey, pool):
    status, _ = await granted(journey)
    number = status.certificate_number
    decided_on = (await get_certificate(pool, number)).issued_on
    await move_to(journey, next_surveillance_due(decided_on, None) - timedelta(days=89))
    ended: list[date] = []

    def early_end(today: date) -> dict:  # the audit was over a day before the programme said
        ended.append(today - timedelta(days=1))
        return sampled(today, ended_on=ended[0]) | {"started_on": str(ended[0])}

    await surveil(journey, 1, onsite=early_end, decision={"outcome": "maintain"}, try_early=True)
    life = await life_when(journey, surveillances_done=1)
    assert life.status == "valid" and life.last_surveillance_on == ended[0]
    assert [(d.what, d.on) for d in life.next_due][:1] == [
        ("surveillance", next_surveillance_due(decided_on, ended[0]))]
    row = await pool.fetchrow("SELECT computed_level, onsite_start, onsite_end FROM audits WHERE id = $1",
                              f"audit-{journey.workflow_id}-surveillance-1")
    assert row["computed_level"] == "five_star" and row["onsite_end"] == ended[0]


async def timers_due_at(handle, moment: datetime) -> int:
    """How many timers the run of ``handle`` started to fire at ``moment`` (within a second)."""
    count = 0
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_TIMER_STARTED:
            fires = event.event_time.ToDatetime(tzinfo=UTC) + \
                event.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta()
            count += abs(fires - moment) < timedelta(seconds=1)
    return count


async def test_an_unresolved_suspension_is_withdrawn_at_its_limit_R_9_6_5(journey, pool):
    """The outcome task opens before the end (R-9.6.5 Decision) and is due on the last day; nobody decides:
    at the limit (R-9.6.3) the certificate is withdrawn (suspension_unresolved=withdraw), not left suspended."""
    p = journey.people
    status, _ = await granted(journey)
    number = status.certificate_number
    await act(journey, p.decision_maker, {"action": "suspend", "cause": "organization_request",
                                          "reason": "组织申请暂停", "months": 1})
    until = (await get_certificate(pool, number)).suspended_until
    await move_to(journey, until - timedelta(days=13))
    view = await journey.task("suspension_outcome")
    assert view.due_on == until - timedelta(days=1)
    await move_to(journey, until)  # nobody decides: the limit passes
    assert await journey.handle.result() == "withdrawn"
    # Not escalated as well at that moment: one timer for the limit, none beside it for the task withdrawn then.
    assert await timers_due_at(journey.handle, start_of(until)) == 1
    cert = await get_certificate(pool, number)
    assert cert.status == "withdrawn" and cert.suspended_until is None
    kinds = [e.kind for e in await events_for(pool, subject=number)]
    assert kinds.index("suspension.unresolved") < kinds.index("certificate.withdrawn")
    assert (await get_task(pool, view.task_id)).status == "cancelled"


async def test_a_reissue_cannot_change_the_scope_without_its_audit_R_9_4_1(journey, pool):
    p = journey.people
    status, _ = await granted(journey)
    error = await refused(act(journey, p.programme_manager, {"action": "reissue", "reason": "扩大范围",
                                                             "scope": "呼叫中心客户服务及在线客服"}))
    assert rule_of(error) == "R-9.4.1"
    receipt = await act(journey, p.programme_manager, {"action": "reissue", "reason": "更名",
                                                       "organization_name": "示例呼叫中心股份有限公司"})
    assert receipt.number == status.certificate_number
    assert (await get_certificate(pool, status.certificate_number)).scope == "呼叫中心客户服务"
