"""The staff API (issue: initial certification): tokens, applications, the inbox, completing tasks with
refusals as problem+json carrying the rule id, and the public register."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from prometheus_client.parser import text_string_to_metric_families

from rules.rating import default_catalogue
from schemas.intake import REQUIRED_MATERIALS
from schemas.tasking import TaskView
from store.staff import add_qualification, add_staff
from workflows.tasks import SHANGHAI

PROBLEM = "application/problem+json"


def application(**org) -> dict:
    return {
        "organization": {"name": "示例呼叫中心", "credit_code": "91110000MA01ABCD2X", "registered_address": "北京",
                         "postcode": "100000", "legal_status_proof": "执照", "contact": {"email": "c@example.cn"},
                         **org},
        "sites": [{"name": "总部", "headcount": 60}],
        "scope": "呼叫中心客户服务", "service_documents_in_operation_since": "2025-01-01",
        "information_form": {"resources": "r", "processes": "p", "risk_management": "m"},
        "materials": list(REQUIRED_MATERIALS),
    }


async def person(pool, name: str, *roles: str, qualified: bool = False) -> tuple[str, str]:
    staff, token = await add_staff(pool, name, roles, email=f"{uuid.uuid4().hex[:8]}@body.example")
    if qualified:  # R-7.auditor: both proofs, valid on the audit dates
        for kind in ("training_certificate", "competence_evaluation"):
            await add_qualification(pool, staff.id, kind, date(2024, 1, 1), date(2030, 12, 31))
    return str(staff.id), token


async def metrics(http) -> dict[tuple[str, tuple], float]:
    """The API's Prometheus samples, by name and labels."""
    page = await http.get("/metrics")
    assert page.status_code == 200
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(page.text) for sample in family.samples}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


async def test_no_or_bad_token_is_401_problem(stack):
    http = stack["http"]
    response = await http.get("/api/v1/tasks")
    assert response.status_code == 401 and response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"].startswith("Bearer")
    response = await http.get("/api/v1/tasks", headers=bearer("not-a-token"))
    assert response.status_code == 401 and "not valid" in response.json()["detail"]


async def test_incomplete_application_lists_everything_missing_R_9_1_1(stack):
    _, token = await person(stack["pool"], "评审", "reviewer")
    body = application()
    del body["materials"][0]
    body["organization"]["credit_code"] = "123"
    body["sites"] = []
    response = await stack["http"].post("/api/v1/applications", json=body, headers=bearer(token))
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["rule_id"] == "R-9.1.1"
    missing = " ".join(problem["missing"])
    assert "materials.business_licence" in missing and "sites" in missing and "credit_code" in missing


async def test_through_the_api_to_a_published_certificate(stack):
    http, pool, env = stack["http"], stack["pool"], stack["env"]
    _, reviewer = await person(pool, "钱评审", "reviewer")
    _, pm = await person(pool, "孙方案", "programme_manager")
    leader_id, leader = await person(pool, "李组长", "auditor", qualified=True)
    auditor_id, _ = await person(pool, "周审查", "auditor", qualified=True)
    shopper_id, shopper = await person(pool, "郑暗访", "mystery_shopper")
    _, decider = await person(pool, "王决定", "decision_maker")

    before = await metrics(http)  # GET /metrics moves with the journey (issue 16)
    response = await http.post("/api/v1/applications", json=application(), headers=bearer(reviewer))
    assert response.status_code == 201, response.text
    application_id, workflow_id = response.json()["application_id"], response.json()["workflow_id"]
    assert response.headers["location"] == f"/api/v1/applications/{application_id}"
    certification = env.client.get_workflow_handle(workflow_id)
    audit = env.client.get_workflow_handle(f"audit-{workflow_id}-initial-1")

    async def do(token: str, kind: str, payload: dict, handle=certification) -> dict:
        await handle.execute_update("wait_for_task", kind, result_type=TaskView)  # the process has moved on
        mine = (await http.get("/api/v1/tasks", params={"kind": kind}, headers=bearer(token))).json()
        assert len(mine) == 1, mine
        detail = (await http.get(f"/api/v1/tasks/{mine[0]['id']}", headers=bearer(token))).json()
        assert detail["payload_schema"]["type"] == "object"
        response = await http.post(f"/api/v1/tasks/{mine[0]['id']}/complete", json={"payload": payload},
                                   headers=bearer(token))
        assert response.status_code == 200, response.text
        return detail

    async def too_early(token: str, kind: str, payload: dict, handle) -> dict:
        """Dates are facts: what has not happened yet by the process's clock is refused (422, rule id)."""
        await handle.execute_update("wait_for_task", kind, result_type=TaskView)
        row = (await http.get("/api/v1/tasks", params={"kind": kind}, headers=bearer(token))).json()[0]
        response = await http.post(f"/api/v1/tasks/{row['id']}/complete", json={"payload": payload},
                                   headers=bearer(token))
        assert response.status_code == 422 and response.headers["content-type"] == PROBLEM, response.text
        return row | {"rule_id": response.json()["rule_id"]}

    async def move_to(day: date) -> date:
        """The test server's clock to 10:00 of ``day`` in the body's time zone; returns that day."""
        now = await env.get_current_time()
        await env.sleep(datetime.combine(day, time(10), tzinfo=SHANGHAI) - now)
        return day

    point = {"satisfied": True}
    review = await do(reviewer, "application_review", {
        **{k: point for k in ("information_complete", "industry_and_process_understood", "state_requirements_known",
                              "differences_resolved", "body_able_to_certify", "scope_and_sites_confirmed",
                              "audit_time_determined")}, "conclusion": "accept"})
    assert review["rule_id"] == "R-9.1.2" and review["context"]["table_person_days"] == "6"  # 46–65 → 6 (R-A.table)
    today = (await env.get_current_time()).date()
    await do(reviewer, "contract", {"signed_on": str(today), "contract_reference": "HT-1"})

    programme = {
        "objectives": "初次认证", "person_days": "6", "onsite_days": "5",
        "stage1_on": str(today + timedelta(days=5)), "onsite_start": str(today + timedelta(days=20)),
        "onsite_end": str(today + timedelta(days=20)),
        "team": [{"staff_id": leader_id, "role": "leader"}, {"staff_id": auditor_id, "role": "auditor"}],
        "visits": [{"site": "总部", "shopper_id": shopper_id, "planned_on": str(today + timedelta(days=8))}],
    }
    # A refusal comes back as problem+json with the rule id: 4 of 6 days on site is under 80 % (R-A.n1a).
    await certification.execute_update("wait_for_task", "programme", result_type=TaskView)
    task_id = (await http.get("/api/v1/tasks", params={"kind": "programme"}, headers=bearer(pm))).json()[0]["id"]
    refused = await http.post(f"/api/v1/tasks/{task_id}/complete", headers=bearer(pm),
                              json={"payload": {**programme, "onsite_days": "4"}})
    assert refused.status_code == 422 and refused.json()["rule_id"] == "R-A.n1a"
    assert refused.headers["content-type"] == PROBLEM
    wrong_person = await http.post(f"/api/v1/tasks/{task_id}/complete", headers=bearer(reviewer),
                                   json={"payload": programme})
    assert wrong_person.status_code == 403
    # A shopper known to be tied to the organization is kept off its programme until that ends.
    _, admin = await person(pool, "吴管理", "manager")
    declared = await http.post(f"/api/v1/staff/{shopper_id}/conflicts", headers=bearer(admin), json={
        "credit_code": "91110000MA01ABCD2X", "reason": "曾任该公司客服", "declared_on": "2026-01-05"})
    assert declared.status_code == 201, declared.text
    tied = await http.post(f"/api/v1/tasks/{task_id}/complete", headers=bearer(pm), json={"payload": programme})
    assert tied.status_code == 422 and tied.json()["rule_id"] == "R-9.1.4", tied.text
    assert "曾任该公司客服" in tied.json()["detail"]
    ended = await http.post(f"/api/v1/staff/{shopper_id}/conflicts/{declared.json()['id']}/end",
                            headers=bearer(admin), json={"ended_on": "2026-01-06"})
    assert ended.status_code == 200 and ended.json()["ended_on"] == "2026-01-06", ended.text
    await do(pm, "programme", programme)
    await certification.execute_update("wait_for_stage", "audit")  # the audit process has started

    stage1 = {k: "ok" for k in ("planning", "documents", "monitoring", "improvement", "legal_compliance",
                                "resources", "sites_processes_equipment")} | {"ready_for_onsite": True}
    early = await too_early(leader, "stage1", stage1, audit)  # the inbox says from when; before, R-9.1.5 refuses
    assert early["rule_id"] == "R-9.1.5" and early["available_from"] == programme["stage1_on"]
    await move_to(date.fromisoformat(programme["stage1_on"]))
    await do(leader, "stage1", stage1, audit)
    today = await move_to(today + timedelta(days=9))
    await do(shopper, "mystery_shopper_report", {"visited_on": str(today), "person_days": "0.5",
                                                 "service_quality": "好", "service_environment": "好"}, audit)
    await do(leader, "onsite_plan", {"sent_on": str(today), "plan": "计划"}, audit)
    items = [{"item_id": i.id, "method_compliant": True, "executed": True, "method_score": str(i.max_method),
              "execution_score": str(i.max_execution)} for i in default_catalogue().items]
    early = await too_early(leader, "onsite_audit", {"items": items, "findings": []}, audit)
    assert early["rule_id"] == "R-9.1.7" and early["available_from"] == programme["onsite_end"]
    today = await move_to(date.fromisoformat(programme["onsite_end"]))
    await do(leader, "onsite_audit", {"items": items, "findings": []}, audit)
    report = {"summary": "符合", "discussed_with_auditee_on": str(today + timedelta(days=1)),
              "recommendation": "recommend"}
    assert (await too_early(leader, "audit_report", report, audit))["rule_id"] == "R-9.1.8"
    await do(leader, "audit_report", report | {"discussed_with_auditee_on": str(today)}, audit)
    await do(pm, "materials_review", {"accepted": True})
    decision = await do(decider, "certification_decision", {"outcome": "grant", "star_level": "four_star"})
    assert decision["context"]["computed_level"] == "five_star"

    await certification.execute_update("wait_for_stage", "granted")
    view = (await http.get(f"/api/v1/applications/{application_id}", headers=bearer(reviewer))).json()
    assert view["status"] == "granted" and view["process"]["stage"] == "granted"
    number = view["process"]["certificate_number"]
    kinds = [e["kind"] for e in view["timeline"]]
    assert kinds[0] == "application.received" and "onsite_audit.completed" in kinds and "certificate.granted" in kinds

    public = await http.get(f"/public/certificates/{number}")
    assert public.status_code == 200
    cert = public.json()
    assert cert["status"] == "valid" and cert["star_level"] == "four_star" and cert["organization"] == "示例呼叫中心"
    assert cert["sites"][0]["sub_certificate_number"] == f"{number}-1"
    assert (await http.get(f"/public/certificates/{number}-1")).json()["number"] == number
    missing = await http.get("/public/certificates/NOPE-1")
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM
    after = await metrics(http)
    valid = ("certflow_certificates", (("status", "valid"),))
    assert after.get(valid, 0) - before.get(valid, 0) == 1  # this journey's certificate
    completions = ("certflow_api_requests_total",
                   (("method", "POST"), ("route", "/api/v1/tasks/{task_id}/complete"), ("status", "200")))
    assert after.get(completions, 0) - before.get(completions, 0) >= 8  # every task completed on the way
    await certification.terminate("test finished")


async def test_unknown_and_closed_tasks(stack):
    http, pool = stack["http"], stack["pool"]
    _, reviewer = await person(pool, "评审", "reviewer")
    response = await http.post("/api/v1/tasks/certification-x/application_review/1/complete",
                               json={"payload": {}}, headers=bearer(reviewer))
    assert response.status_code == 404 and response.headers["content-type"] == PROBLEM
    unknown_application = await http.get(f"/api/v1/applications/{uuid.uuid4()}", headers=bearer(reviewer))
    assert unknown_application.status_code == 404
