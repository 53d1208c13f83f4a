"""Issue 13: every task's context says what its person needs to decide — the organization, in the life
the certificate number, the on-site dates on the audit's tasks, the computed level on the report and
the rating and recommendation on the decision — without opening anything else."""

from __future__ import annotations

from datetime import timedelta

from rules.lifecycle import next_surveillance_due
from store.certificates import get_certificate
from store.tasks import get_task

from .test_life import granted, move_to, surveil

ORGANIZATION = "示例呼叫中心有限公司"


async def test_each_task_of_a_certification_and_its_life_names_what_it_is_about(journey, pool):
    status, _ = await granted(journey)
    wf, number = journey.workflow_id, status.certificate_number
    review = (await get_task(pool, f"{wf}/application_review/1")).context
    assert review["organization"] == ORGANIZATION and review["application_id"] == str(journey.application_id)
    assert review["headcount"] > 0  # the task's own context is kept beside what the process adds

    audit = f"audit-{wf}-initial-1"
    programme = (await get_task(pool, f"{wf}/programme/1")).context
    plan = (await get_task(pool, f"{audit}/onsite_plan/1")).context
    assert plan["organization"] == ORGANIZATION and plan["audit_kind"] == "initial"
    assert plan["onsite_start"] < plan["onsite_end"] and plan["sites"] == programme["sites"]
    onsite = (await get_task(pool, f"{audit}/onsite_audit/1")).context
    assert onsite["catalogue"] == "/api/v1/catalogue" and onsite["full_assessment"] is True
    assert "sampling" not in onsite  # an initial audit assesses every item
    report = (await get_task(pool, f"{audit}/audit_report/1")).context
    decision = (await get_task(pool, f"{wf}/certification_decision/1")).context
    assert report["computed_level"] == decision["computed_level"] == "five_star"
    assert report["rating"] == decision["rating"] and report["open_nonconformities"] == []
    assert decision["recommendation"] == "recommend"

    cert = await get_certificate(pool, number)
    await move_to(journey, next_surveillance_due(cert.issued_on, None) - timedelta(days=89))
    view = await journey.task("surveillance_changes")
    changes = (await get_task(pool, view.task_id)).context
    assert (changes["organization"], changes["certificate_number"]) == (ORGANIZATION, number)

    # The sample the programme manager chose is before the team and the decision maker.
    proposal = await surveil(journey, 1)
    sampled = {"clauses": proposal["clauses"], "departments": proposal["departments"]}
    assert (await get_task(pool, f"{wf}/surveillance_review/1")).context["sampling"] == sampled
    assert (await get_task(pool, f"{wf}/surveillance_decision/1")).context["sampling"] == sampled
    surveillance_onsite = (await get_task(pool, f"audit-{wf}-surveillance-1/onsite_audit/1")).context
    assert surveillance_onsite["full_assessment"] is False  # a sample
    assert surveillance_onsite["audit_kind"] == "surveillance"
    assert surveillance_onsite["sampling"] == sampled  # what the team is to assess on site
