"""GET /api/v1/applications: applications as received, newest first, a page at a time (issue 13)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

from schemas.applications import ApplicationRecord
from schemas.organizations import Organization
from schemas.staff import Role
from store.applications import record_application
from store.organizations import upsert_organization

from .test_api import bearer

START = datetime(2026, 11, 2, 1, tzinfo=UTC)


async def received(pool, org, name: str, hours: int, status: str = "submitted") -> str:
    application_id = uuid.uuid4()
    await record_application(pool, ApplicationRecord(
        id=application_id, organization_id=org.id, workflow_id=f"certification-{application_id}", status=status,
        scope="呼叫中心客户服务", data={"organization": {"name": name, "credit_code": org.credit_code}},
        submitted_at=START + timedelta(hours=hours)))
    return str(application_id)


def next_link(response) -> str | None:
    found = re.fullmatch(r'<([^>]+)>; rel="next"', response.headers.get("link", ""))
    return found[1] if found else None


async def test_applications_newest_first_a_page_at_a_time(http, pool, staff):
    _, token = await staff(Role.REVIEWER)
    org = await upsert_organization(pool, Organization(id=uuid.uuid4(), name="列表呼叫中心有限公司",
                                                       credit_code="91110000MA01LJKT5X"))
    made = [await received(pool, org, "列表呼叫中心有限公司", h) for h in range(5)]
    seen: list[str] = []
    url: str | None = "/api/v1/applications?limit=2&organization=列表呼叫"
    while url:
        response = await http.get(url, headers=bearer(token))
        assert response.status_code == 200, response.text
        seen += [a["id"] for a in response.json()]
        if len(seen) == 2:  # one arrives meanwhile: newer than the cursor, so on the first page next time
            newest = await received(pool, org, "列表呼叫中心有限公司", 10)
        url = next_link(response)
    assert seen == list(reversed(made)) and newest not in seen
    by_code = (await http.get("/api/v1/applications", params={"organization": "91110000ma01ljkt5x"},
                              headers=bearer(token))).json()
    assert {a["id"] for a in by_code} == set(made) | {newest}
    assert by_code[0]["organization"] == "列表呼叫中心有限公司"  # as the application named it


async def test_applications_filter_by_status_and_refuse_a_made_up_cursor(http, pool, staff):
    _, token = await staff(Role.PROGRAMME_MANAGER)
    org = await upsert_organization(pool, Organization(id=uuid.uuid4(), name="状态呼叫中心有限公司",
                                                       credit_code="91110000MA01NNPT6X"))
    granted = await received(pool, org, "状态呼叫中心有限公司", 1, status="granted")
    await received(pool, org, "状态呼叫中心有限公司", 2)
    listed = (await http.get("/api/v1/applications", params={"status": "granted", "organization": "状态"},
                             headers=bearer(token))).json()
    assert [a["id"] for a in listed] == [granted]
    bad = await http.get("/api/v1/applications", params={"after": "made-up"}, headers=bearer(token))
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"


async def test_a_method_the_path_does_not_take_names_every_one_it_does(http, staff):
    _, token = await staff(Role.REVIEWER)
    response = await http.request("OPTIONS", "/api/v1/applications", headers=bearer(token))
    assert response.status_code == 405 and response.headers["allow"] == "GET, POST"
    complete = await http.request("OPTIONS", "/api/v1/tasks/x/review/1/complete", headers=bearer(token))
    assert complete.status_code == 405 and complete.headers["allow"] == "POST"  # not the task page's GET
