"""No input stalls a process (issue 12, finding 3): text the register cannot hold is refused where it
arrives, with 422 naming the field (or 404 for a path that names nothing), never 200 followed by an
activity failing for ever, and never 500.

The app here has no worker: every refusal below must come from the API itself, before anything
reaches a process (a NUL once got 200 "completed" and then stalled ``close_task``)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from api.problems import problem_response
from schemas.intake import REQUIRED_MATERIALS
from schemas.staff import Role
from store.tasks import upsert_open_task

PROBLEM = "application/problem+json"
OPENED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def application(**organization) -> dict:
    return {
        "organization": {"name": "示例呼叫中心有限公司", "credit_code": "91110000MA01ABCD2X",
                         "registered_address": "北京市朝阳区示例路1号", "postcode": "100000",
                         "legal_status_proof": "营业执照副本", "contact": {"phone": "010-12345678"},
                         **organization},
        "sites": [{"name": "总部", "headcount": 60}],
        "scope": "呼叫中心客户服务", "service_documents_in_operation_since": "2025-01-01",
        "information_form": {"resources": "座席 60 个", "processes": "受理、回访", "risk_management": "应急预案"},
        "materials": list(REQUIRED_MATERIALS),
    }


def refused(response, field: str) -> dict:
    """A 422 problem document whose detail and errors name ``field`` (dotted, as the client wrote it)."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert field in body["detail"], body
    return body


async def test_a_nul_in_an_organizations_name_is_422_naming_the_field(http, staff):
    _, token = await staff(Role.REVIEWER)
    response = await http.post("/api/v1/applications", json=application(name="示例\x00公司"), headers=bearer(token))
    body = refused(response, "body.organization.name")
    assert "U+0000 (NUL)" in body["detail"]
    assert {"loc": ["body", "organization", "name"], "type": "text_unsafe"}.items() <= body["errors"][0].items()


async def test_a_lone_surrogate_in_an_application_is_422_not_500(http, staff):
    _, token = await staff(Role.REVIEWER)
    # JSON may escape half a surrogate pair; Python's decoder keeps it as a lone surrogate.
    raw = json.dumps(application(), ensure_ascii=False).replace("呼叫中心客户服务", "\\ud800服务")
    response = await http.post("/api/v1/applications", content=raw.encode(), headers={
        **bearer(token), "Content-Type": "application/json"})
    assert "U+D800" in refused(response, "body.scope")["detail"]


@pytest.mark.parametrize("field, value", [
    ("scope", "呼叫\x1b[31m中心"),  # an ANSI escape: C0 ESC
    ("scope", "呼叫\x7f中心"),  # DEL
    ("scope", "呼叫\x85中心"),  # C1 NEL
    ("organization.name", "示例\n公司"),  # a name is one line
])
async def test_controls_are_refused_but_text_may_span_lines(http, staff, field, value):
    _, token = await staff(Role.REVIEWER)
    body = application()
    if field == "scope":
        body["scope"] = value
    else:
        body["organization"]["name"] = value
    refused(await http.post("/api/v1/applications", json=body, headers=bearer(token)), f"body.{field}")


async def test_an_unusable_e_mail_address_is_refused_a_documentation_one_accepted(http, staff):
    _, token = await staff(Role.REVIEWER)
    for address in ("not-an-address", "contact@example.test", "a@b"):
        refused(await http.post("/api/v1/applications", json=application(contact={"email": address}),
                                headers=bearer(token)), "body.organization.contact.email")
    # Syntax only, no DNS: a reserved documentation domain passes the check (the request then fails only
    # for want of a worker on this test's queue, which is not a 422).
    response = await http.post("/api/v1/applications", json=application(contact={"email": "li@body.example"}),
                               headers=bearer(token))
    assert response.status_code != 422, response.text


async def test_a_nul_in_a_tasks_free_text_is_refused_before_the_process_hears_of_it(http, pool, staff):
    _reviewer, token = await staff(Role.REVIEWER)
    workflow_id = f"certification-{uuid.uuid4()}"
    task_id = f"{workflow_id}/contract/1"
    await upsert_open_task(pool, task_id, workflow_id, "contract", Role.REVIEWER.value, OPENED, title="contract")
    payload = {"signed_on": "2026-01-06", "contract_reference": "HT-2026\x00-001"}
    response = await http.post(f"/api/v1/tasks/{task_id}/complete", json={"payload": payload}, headers=bearer(token))
    assert "U+0000" in refused(response, "contract_reference")["detail"]
    # In a part of the payload the model ignores, too: nothing unstorable travels to the process.
    payload = {"signed_on": "2026-01-06", "contract_reference": "HT-1", "extra": {"note": "\x00"}}
    response = await http.post(f"/api/v1/tasks/{task_id}/complete", json={"payload": payload}, headers=bearer(token))
    refused(response, "payload")
    # Half a pair as a key: the problem document that names it can still be sent (pydantic shows the key
    # with replacement characters).
    raw = json.dumps({"payload": {"signed_on": "2026-01-06", "contract_reference": "HT-1", "KEY": 1}})
    response = await http.post(f"/api/v1/tasks/{task_id}/complete", content=raw.replace("KEY", "\\ud800").encode(),
                               headers={**bearer(token), "Content-Type": "application/json"})
    assert refused(response, "payload")["errors"][0]["loc"][-1] == "[key]"


async def test_a_nul_in_a_certificate_actions_reason_is_422(http, staff):
    _, token = await staff(Role.MANAGER)
    response = await http.post("/api/v1/certificates/CN-X/suspend", json={"cause": "other", "reason": "因\x00故"},
                               headers=bearer(token))
    refused(response, "body.reason")


@pytest.mark.parametrize("path", [
    "/public/certificates/%00",
    "/public/certificates/AB%00C",
    "/api/v1/certificates/%00/document",
    "/api/v1/processes/x%00y",
    "/api/v1/tasks/a%01b",
])
async def test_a_path_holding_what_no_name_can_hold_is_404(http, staff, path):
    _, token = await staff(Role.MANAGER)
    response = await http.get(path, headers=bearer(token))
    assert response.status_code == 404, response.text
    assert response.headers["content-type"].startswith(PROBLEM)


@pytest.mark.parametrize("path, name", [
    ("/api/v1/certificates?organization=%00", "organization"),
    ("/api/v1/tasks?kind=contract%00", "kind"),
    ("/api/v1/tasks?k%00ind=x", "query"),
    ("/api/v1/reports/cnca?month=2026-11%00", "month"),
])
async def test_a_query_parameter_holding_a_nul_is_422_naming_it(http, staff, path, name):
    _, token = await staff(Role.MANAGER, Role.OPERATOR)
    assert name in refused(await http.get(path, headers=bearer(token)), name)["detail"]


async def test_numbers_beyond_what_the_register_counts_are_422(http, staff):
    _, token = await staff(Role.MANAGER)
    response = await http.get("/api/v1/certificates", params={"offset": str(2 ** 70)}, headers=bearer(token))
    refused(response, "offset")


def test_a_problem_about_half_a_surrogate_pair_can_itself_be_sent():
    response = problem_response(422, "bad \ud800 text", errors=[{"loc": ["body", "\udfff"]}])
    body = json.loads(response.body)
    assert body["detail"] == "bad \\ud800 text" and body["errors"][0]["loc"][1] == "\\udfff"


async def test_a_value_postgresql_refuses_is_the_clients_422_not_our_500(app, http, pool):
    """The net under the edge's checks: PostgreSQL's own DataError for a client's value (here a number
    beyond 64 bits, as an unbounded parameter would pass it) is answered 422."""

    async def count_beyond(n: int) -> int:
        return await pool.fetchval("SELECT $1::int8", n)

    app.add_api_route("/probe/int8", count_beyond)
    response = await http.get("/probe/int8", params={"n": str(2 ** 70)})
    assert response.status_code == 422, response.text
    assert "int64" in response.json()["detail"]
