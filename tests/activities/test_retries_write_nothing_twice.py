"""Every activity of the initial certification, run a second time with the same input (as Temporal
does on a retry), writes nothing more: keys come from the workflow id and the step (DESIGN.md), and a
certificate number is allocated once (R-10.3.5)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from temporalio.testing import ActivityEnvironment

from activities.inbox import InboxActivities, TaskClosing, TaskNotice, TaskProjection
from activities.records import (
    ApplicationIntake,
    AuditConclusion,
    AuditRecord,
    EventInput,
    ExpiryInput,
    FollowUpRecord,
    GrantInput,
    Notice,
    OnsiteRecord,
    RecordActivities,
    ReferenceQuery,
    StatusChange,
)
from rules.lifecycle import LifecyclePolicy
from rules.numbering import NumberingPolicy
from rules.rating import default_catalogue
from schemas.intake import REQUIRED_MATERIALS, ApplicationSubmission
from schemas.payloads import Correction, FindingInput, ItemAssessment, TeamAssignment
from schemas.staff import Role
from schemas.tasking import Actor, TaskView
from store.staff import add_staff

TABLES = ["organizations", "sites", "applications", "events", "tasks", "outbox", "audits", "audit_team",
          "item_scores", "findings", "certificate_numbers", "certificates", "certificate_sites"]
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


async def counts(pool) -> dict[str, int]:
    return {t: await pool.fetchval(f"SELECT count(*) FROM {t}") for t in TABLES}


async def twice(pool, activity, argument):
    env = ActivityEnvironment()
    first = await env.run(activity, argument)
    after_first = await counts(pool)
    second = await env.run(activity, argument)
    assert await counts(pool) == after_first, f"{activity.__name__} wrote again on a retry"
    return first, second


def event(key: str, kind: str = "step") -> EventInput:
    return EventInput(key=key, at=NOW, kind=kind, workflow_id="certification-x", rule_id="R-9.1.9")


async def test_every_activity_is_idempotent(pool):
    person, _ = await add_staff(pool, "李组长", [Role.AUDITOR, Role.REVIEWER], email="leader@body.example")
    actor = Actor(staff_id=person.id, name=person.name, roles=list(person.roles))
    records, inbox = RecordActivities(pool), InboxActivities(pool)
    application_id = uuid.uuid4()
    wf = f"certification-{application_id}"
    submission = ApplicationSubmission.model_validate({
        "organization": {"name": "示例", "credit_code": "91110000MA01ABCD2X", "registered_address": "北京",
                         "postcode": "100000", "legal_status_proof": "执照", "contact": {"email": "c@example.cn"}},
        "sites": [{"name": "A", "headcount": 50}, {"name": "B", "headcount": 20}], "scope": "呼叫中心服务",
        "service_documents_in_operation_since": "2025-01-01",
        "information_form": {"resources": "r", "processes": "p", "risk_management": "m"},
        "materials": list(REQUIRED_MATERIALS)})

    intake, again = await twice(pool, records.record_application, ApplicationIntake(
        application_id=application_id, workflow_id=wf, submission=submission, submitted_at=NOW, submitted_by=actor))
    assert intake == again
    await twice(pool, records.record_event, event(f"{wf}/x/1"))
    await twice(pool, records.set_application_status, StatusChange(
        application_id=application_id, status="accepted", event=event(f"{wf}/application.accepted/2")))
    await twice(pool, records.send_notice, Notice(key=f"{wf}/notice/3", to="c@example.cn",
                                                  template="application_rejected",
                                                  params={"reasons": "不属于认证范围", "application_id": "x"},
                                                  event=event(f"{wf}/notice/3")))
    reference, _ = await twice(pool, records.reference_data, ReferenceQuery(years=[2026, 2027]))
    assert reference.holidays.covers(2026) and not reference.holidays.covers(2027)

    view = TaskView(task_id=f"{wf}/application_review/1", kind="application_review", title="review",
                    role=Role.REVIEWER, due_on=date(2026, 11, 27), opened_at=NOW)
    await twice(pool, inbox.project_task, TaskProjection(view=view, workflow_id=wf, subject="s",
                                                         element_id="application_review", payload_schema={}))
    await twice(pool, inbox.notify_task, TaskNotice(task_id=view.task_id, notice="reminder", workflow_id=wf,
                                                    subject="s", at=NOW + timedelta(days=2), view=view))
    await twice(pool, inbox.close_task, TaskClosing(task_id=view.task_id, workflow_id=wf, subject="s",
                                                    kind="application_review", rule_id="R-9.1.2", actor=actor,
                                                    at=NOW + timedelta(days=2), element_id="x", payload={}))

    audit_id = f"audit-{wf}-initial-1"
    await twice(pool, records.record_audit, AuditRecord(
        audit_id=audit_id, workflow_id=wf, organization_id=intake.organization_id, kind="initial",
        person_days=Decimal(6), onsite_days=Decimal(5), onsite_start=date(2026, 12, 20), onsite_end=date(2026, 12, 21),
        team=[TeamAssignment(staff_id=person.id, role="leader")]))
    items = [ItemAssessment(item_id=i.id, method_compliant=True, executed=True, method_score=i.max_method,
                            execution_score=i.max_execution) for i in default_catalogue().items]
    onsite, _ = await twice(pool, records.record_onsite_results, OnsiteRecord(
        audit_id=audit_id, items=items,
        findings=[FindingInput(kind="minor_nonconformity", description="记录不全",
                               acknowledged_on=date(2026, 12, 21))]))
    assert onsite.rating.level == "five_star"
    await twice(pool, records.record_follow_up, FollowUpRecord(corrections=[Correction(
        finding_id=onsite.finding_ids[0], corrected_on=date(2026, 12, 28), verified_on=date(2026, 12, 29))]))
    await twice(pool, records.conclude_audit, AuditConclusion(audit_id=audit_id, status="concluded",
                                                              recommendation="recommend"))

    grant = GrantInput(workflow_id=wf, application_id=application_id, organization_id=intake.organization_id,
                       star_level="five_star", scope="呼叫中心服务", decided_on=date(2027, 1, 8),
                       site_ids=list(intake.site_ids.values()), numbering=NumberingPolicy(),
                       lifecycle=LifecyclePolicy(), event=event(f"{wf}/certificate.granted/9"))
    first, second = await twice(pool, records.grant_certificate, grant)
    assert first.number == second.number  # a retry finds its number, never takes another
    assert await pool.fetchval("SELECT count(*) FROM certificate_numbers") == 1
    assert first.valid_from == date(2027, 1, 8) and first.valid_to == date(2030, 1, 7)
    assert sorted(first.sub_numbers.values()) == [f"{first.number}-1", f"{first.number}-2"]
    await twice(pool, records.expire_certificate, ExpiryInput(number=first.number,
                                                             event=event(f"{wf}/certificate.expired/10")))
    assert await pool.fetchval("SELECT status FROM certificates") == "expired"
