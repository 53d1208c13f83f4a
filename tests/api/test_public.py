"""The public register (R-9.6.8, R-9.1.9.n3): anyone, without a token, learns a certificate's true status,
its organization, scope, sites with their sub-certificate numbers (R-10.3.3), level and validity."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from schemas.applications import ApplicationRecord
from schemas.certificates import Certificate, StarLevel
from schemas.organizations import Organization, Site
from store.applications import record_application
from store.certificates import (
    add_certificate_site,
    allocate_certificate_number,
    record_certificate,
    record_recertification,
    record_reissue,
    remove_certificate_site,
    set_status,
)
from store.organizations import upsert_organization, upsert_site

PROBLEM = "application/problem+json"


async def issued_certificate(pool, name: str = "上海示例呼叫中心有限公司",
                             credit_code: str = "91310000MA1FL0000X") -> tuple[str, list[Site]]:
    org = await upsert_organization(pool, Organization(id=uuid.uuid4(), name=name, credit_code=credit_code))
    sites = [await upsert_site(pool, Site(id=uuid.uuid4(), organization_id=org.id, name=name, address=address,
                                          headcount=60))
             for name, address in (("浦东", "上海市浦东新区1号"), ("徐汇", "上海市徐汇区2号"))]
    application_id = uuid.uuid4()
    workflow_id = f"certification-{application_id}"
    await record_application(pool, ApplicationRecord(
        id=application_id, organization_id=org.id, workflow_id=workflow_id, scope="呼叫中心客户服务",
        submitted_at=datetime(2026, 1, 5, 1, 0, tzinfo=UTC)))
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


async def test_as_on_a_past_day_the_certificate_says_what_it_said_then(http, pool):
    """Issue 12 finding 5: ``?on=`` answers from the version in force that day, the same whenever asked:
    the true status on that day (R-9.6.8), the holder as named then (R-10.3.4)."""
    number, _sites = await issued_certificate(pool)
    await record_reissue(pool, number, revision=1, reissued_on=date(2026, 6, 1),
                         organization_name="上海新名呼叫中心有限公司", registered_address="世纪大道2号")
    await set_status(pool, number, "suspended", suspended_until=date(2027, 3, 1), on=date(2026, 9, 1))
    may = (await http.get(f"/public/certificates/{number}", params={"on": "2026-05-01"})).json()
    assert (may["on"], may["organization"], may["reissued_on"], may["revision"], may["status"]) == (
        "2026-05-01", "上海示例呼叫中心有限公司", None, 0, "valid")
    july = (await http.get(f"/public/certificates/{number}", params={"on": "2026-07-01"})).json()
    assert (july["organization"], july["registered_address"], july["reissued_on"], july["status"]) == (
        "上海新名呼叫中心有限公司", "世纪大道2号", "2026-06-01", "valid")
    october = (await http.get(f"/public/certificates/{number}-1", params={"on": "2026-10-01"})).json()
    assert (october["status"], october["requested_sub_certificate"]) == ("suspended", f"{number}-1")
    assert (await http.get(f"/public/certificates/{number}")).json()["status"] == "suspended"  # today
    # asked after the validity, the certificate is expired even before its process says so.
    assert (await http.get(f"/public/certificates/{number}", params={"on": "2029-03-02"})).json()["status"] == "expired"
    before = await http.get(f"/public/certificates/{number}", params={"on": "2026-03-01"})
    assert before.status_code == 404 and "not yet issued" in before.json()["detail"]
    assert (await http.get(f"/public/certificates/{number}", params={"on": "2026-13-01"})).status_code == 422


async def test_after_an_early_renewal_the_validity_in_force_and_the_next_R_9_3(http, pool):
    number, _ = await issued_certificate(pool)
    await record_recertification(pool, number, issued_on=date(2029, 1, 10), valid_from=date(2029, 3, 2),
                                 valid_to=date(2032, 3, 1), star_level=StarLevel.FIVE_STAR)
    cert = (await http.get(f"/public/certificates/{number}", params={"on": "2029-02-01"})).json()
    dates = ("issued_on", "valid_from", "valid_to", "next_valid_from", "next_valid_to")
    assert tuple(cert[d] for d in dates) == ("2029-01-10", "2026-03-02", "2029-03-01", "2029-03-02", "2032-03-01")
    assert cert["status"] == "valid" and cert["star_level"] == "five_star"
    later = (await http.get(f"/public/certificates/{number}", params={"on": "2029-03-02"})).json()
    assert (later["valid_from"], later["valid_to"], later["next_valid_from"]) == ("2029-03-02", "2032-03-01", None)


async def test_the_organizations_record_rewritten_changes_nothing_the_certificate_says(http, pool):
    """Finding 2 of issue 12: the public certificate shows its holder and sites as certified."""
    number, sites = await issued_certificate(pool)
    org_id = await pool.fetchval("SELECT organization_id FROM certificates WHERE number = $1", number)
    await pool.execute("UPDATE organizations SET name = '冒名公司', registered_address = '别处' WHERE id = $1", org_id)
    await upsert_site(pool, sites[0].model_copy(update={"address": "别处1号"}))
    cert = (await http.get(f"/public/certificates/{number}")).json()
    assert (cert["organization"], cert["sites"][0]["address"]) == ("上海示例呼叫中心有限公司", "上海市浦东新区1号")
