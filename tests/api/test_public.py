"""The public register (R-9.6.8, R-9.1.9.n3): anyone, without a token, learns a certificate's true status,
its organization, scope, sites with their sub-certificate numbers (R-10.3.3), level and validity."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

from schemas.applications import ApplicationRecord
from schemas.certificates import Certificate, StarLevel
from schemas.organizations import Organization, Site
from store.applications import record_application
from store.certificates import (
    add_certificate_site,
    allocate_certificate_number,
    record_certificate,
    record_reissue,
    remove_certificate_site,
    set_status,
)
from store.organizations import upsert_organization, upsert_site

PROBLEM = "application/problem+json"


async def issued_certificate(pool) -> tuple[str, list[Site]]:
    org = await upsert_organization(pool, Organization(id=uuid.uuid4(), name="上海示例呼叫中心有限公司",
                                                       credit_code="91310000MA1FL0000X"))
    sites = [await upsert_site(pool, Site(id=uuid.uuid4(), organization_id=org.id, name=name, address=address,
                                          headcount=60))
             for name, address in (("浦东", "上海市浦东新区1号"), ("徐汇", "上海市徐汇区2号"))]
    application_id = uuid.uuid4()
    workflow_id = f"certification-{application_id}"
    await record_application(pool, ApplicationRecord(
        id=application_id, organization_id=org.id, workflow_id=workflow_id, scope="呼叫中心客户服务",
        submitted_at=datetime(2026, 1, 5, 1, 0, tzinfo=timezone.utc)))
    number = await allocate_certificate_number(pool, f"{workflow_id}/number", lambda seq: f"CCS2026{seq:05d}")
    await record_certificate(pool, Certificate(
        number=number, organization_id=org.id, application_id=application_id, workflow_id=workflow_id,
        star_level=StarLevel.FOUR_STAR, scope="呼叫中心客户服务", issued_on=date(2026, 3, 2),
        valid_from=date(2026, 3, 2), valid_to=date(2029, 3, 1)))
    for index, site in enumerate(sites, start=1):
        await add_certificate_site(pool, number, site.id, index)
    return number, sites


async def test_anyone_may_look_a_certificate_up_without_a_token(http, pool):
    number, _ = await issued_certificate(pool)
    response = await http.get(f"/public/certificates/{number}")
    assert response.status_code == 200, response.text
    cert = response.json()
    assert cert["number"] == number and cert["organization"] == "上海示例呼叫中心有限公司"
    assert cert["status"] == "valid" and cert["star_level"] == "four_star" and cert["scope"] == "呼叫中心客户服务"
    assert (cert["issued_on"], cert["reissued_on"], cert["valid_from"], cert["valid_to"]) == (
        "2026-03-02", None, "2026-03-02", "2029-03-01")
    assert [(s["name"], s["sub_certificate_number"]) for s in cert["sites"]] == [
        ("浦东", f"{number}-1"), ("徐汇", f"{number}-2")]
    assert cert["requested_sub_certificate"] is None
    assert not {"organization_id", "application_id", "workflow_id"} & cert.keys()  # nothing internal


async def test_the_true_status_suspended_reissued_scope_reduced(http, pool):
    number, sites = await issued_certificate(pool)
    await record_reissue(pool, number, revision=1, reissued_on=date(2026, 6, 1))
    await set_status(pool, number, "suspended", suspended_until=date(2026, 12, 1))
    cert = (await http.get(f"/public/certificates/{number}")).json()
    assert cert["status"] == "suspended" and "R-9.6.4" in cert["status_words"] and cert["reissued_on"] == "2026-06-01"

    await remove_certificate_site(pool, number, sites[1].id, date(2026, 12, 1))
    await set_status(pool, number, "scope_reduced")
    cert = (await http.get(f"/public/certificates/{number}")).json()
    assert cert["status"] == "scope_reduced"
    assert [(s["sub_certificate_number"], s["removed_on"]) for s in cert["sites"]] == [
        (f"{number}-1", None), (f"{number}-2", "2026-12-01")]


async def test_a_sub_certificate_number_finds_its_certificate(http, pool):
    number, _ = await issued_certificate(pool)
    cert = (await http.get(f"/public/certificates/{number}-2")).json()
    assert cert["number"] == number and cert["requested_sub_certificate"] == f"{number}-2"
    no_such_site = await http.get(f"/public/certificates/{number}-3")
    assert no_such_site.status_code == 404


async def test_an_unknown_number_is_404_problem(http):
    response = await http.get("/public/certificates/CCS2099999")
    assert response.status_code == 404 and response.headers["content-type"] == PROBLEM
    assert "CCS2099999" in response.json()["detail"]
