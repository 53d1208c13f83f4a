"""Issue 12 finding 2, tried as it was found: an application with a certified organization's credit
code, a new name and a new site address. A mystery shopper may not submit it at all (403, the
permission matrix); a reviewer may, and then the application keeps the new data as its own while the
public certificate still shows its holder and sites as certified (R-10.3.4: only a reissue changes
them)."""

from __future__ import annotations

import uuid
from datetime import date

from schemas.organizations import Site
from schemas.tasking import TaskView
from store.applications import get_application, list_applications
from store.certificates import add_certificate_site
from store.organizations import get_organization, upsert_site

from ..conftest import certificate_in_register
from .test_api import application, bearer, person

CODE = "91310000MA1FL7777X"


async def test_a_forged_application_leaves_the_public_certificate_unchanged(stack):
    http, pool, env = stack["http"], stack["pool"], stack["env"]
    cert = await certificate_in_register(pool, "CCS2026-0901", date(2026, 3, 2), date(2029, 3, 1), credit_code=CODE,
                                         name="上海真实呼叫中心有限公司")
    site = await upsert_site(pool, Site(id=uuid.uuid4(), organization_id=cert.organization_id, name="总部",
                                        address="上海市浦东新区真实路1号", headcount=60))
    await add_certificate_site(pool, cert.number, site.id, 1)
    certified = (await http.get(f"/public/certificates/{cert.number}")).json()
    forged = application(name="冒名顶替有限公司", credit_code=CODE, registered_address="某地伪造路9号")
    forged["sites"] = [{"name": "总部", "address": "某地伪造路9号", "headcount": 60}]

    _, shopper = await person(pool, "郑暗访", "mystery_shopper")
    refused = await http.post("/api/v1/applications", json=forged, headers=bearer(shopper))
    assert refused.status_code == 403 and refused.json()["roles_needed"] == ["reviewer"]
    assert await list_applications(pool, organization_id=cert.organization_id) == [await get_application(
        pool, cert.application_id)]  # nothing was started

    _, reviewer = await person(pool, "钱评审", "reviewer")
    submitted = await http.post("/api/v1/applications", json=forged, headers=bearer(reviewer))
    assert submitted.status_code == 201, submitted.text
    handle = env.client.get_workflow_handle(submitted.json()["workflow_id"])
    await handle.execute_update("wait_for_task", "application_review", result_type=TaskView)  # recorded by now

    record = await get_application(pool, uuid.UUID(submitted.json()["application_id"]))
    assert record.organization_id == cert.organization_id  # the same legal entity ...
    assert record.data["organization"]["name"] == "冒名顶替有限公司"  # ... whose new name is the application's
    org = await get_organization(pool, cert.organization_id)
    assert (org.name, org.registered_address) == ("上海真实呼叫中心有限公司", "")
    after = (await http.get(f"/public/certificates/{cert.number}")).json()
    assert after == certified
    assert (after["organization"], after["sites"][0]["address"]) == (
        "上海真实呼叫中心有限公司", "上海市浦东新区真实路1号")
    await handle.terminate("test finished")
