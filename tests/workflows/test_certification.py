"""Initial certification end to end through the workflows (R-9.1.1 – R-9.1.10), with the register."""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import SearchAttributeKey

from store.certificates import certificate_sites, get_certificate
from store.events import events_for


async def test_grant_path_publishes_a_certificate_R_9_1_9(journey, pool):
    p = journey.people
    await journey.start()
    review = await journey.task("application_review")
    assert review.rule_id == "R-9.1.2" and review.role == "reviewer"
    today = await journey.to_programme()
    await journey.complete("programme", p.programme_manager, journey.programme(today))
    await journey.stage("audit")
    await journey.through_audit()
    decision = await journey.task("certification_decision")
    assert decision.rule_id == "R-9.1.9"
    await journey.complete("certification_decision", p.decision_maker, {"outcome": "grant", "star_level": "five_star"})
    status = await journey.stage("granted")

    number = status.certificate_number
    cert = await get_certificate(pool, number)
    assert cert.status == "valid" and cert.star_level == "five_star"
    assert (cert.valid_to - cert.valid_from).days in (1094, 1095)  # three years less a day
    subs = [s.sub_number for s in await certificate_sites(pool, number)]
    assert subs == [f"{number}-1", f"{number}-2"]
    described = await journey.handle.describe()
    assert described.typed_search_attributes.get(SearchAttributeKey.for_keyword("CertStatus")) == "valid"
    assert described.typed_search_attributes.get(SearchAttributeKey.for_keyword("CertificateNumber")) == number
    kinds = [e.kind for e in await events_for(pool, workflow_id=journey.workflow_id)]
    assert kinds[0] == "application.received" and "certificate.granted" in kinds
