"""Applications: R-9.1.1 completeness before anything starts, the process started on submission, and
"where it stands": the register's record, the live answer of a running process, the timeline."""

from __future__ import annotations

import uuid
from datetime import timedelta

from temporalio import workflow
from temporalio.client import WorkflowExecutionStatus
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

import api.processes
from schemas.applications import ApplicationRecord
from schemas.intake import REQUIRED_MATERIALS, ApplicationSubmission
from schemas.organizations import Organization
from schemas.staff import Role
from store.applications import record_application
from store.events import append_event
from store.organizations import upsert_organization
from workflows.contracts import (
    CERTIFICATION_WORKFLOW,
    STATUS_QUERY,
    CertificationInput,
    ProcessStatus,
    certification_workflow_id,
)
from workflows.search_attributes import APPLICATION_ID, CREDIT_CODE, ORGANIZATION, ORGANIZATION_TERMS

PROBLEM = "application/problem+json"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def complete_application() -> dict:
    return {
        "organization": {"name": "示例呼叫中心有限公司", "credit_code": "91110000MA01ABCD2X",
                         "registered_address": "北京市朝阳区示例路1号", "postcode": "100000",
                         "legal_status_proof": "营业执照副本", "contact": {"phone": "010-12345678"}},
        "sites": [{"name": "总部", "headcount": 60}],
        "scope": "呼叫中心客户服务", "service_documents_in_operation_since": "2025-01-01",
        "information_form": {"resources": "座席 60 个", "processes": "受理、回访", "risk_management": "应急预案"},
        "materials": list(REQUIRED_MATERIALS),
    }


@workflow.defn(name=CERTIFICATION_WORKFLOW)
class AnsweringCertification:
    """Stands in for the CertificationWorkflow: only answers the status query, from its input."""

    @workflow.init
    def __init__(self, data: CertificationInput) -> None:
        self.data = data

    @workflow.run
    async def run(self, data: CertificationInput) -> None:
        await workflow.wait_condition(lambda: False)

    @workflow.query(name=STATUS_QUERY)
    def status(self) -> ProcessStatus:
        return ProcessStatus(workflow_id=workflow.info().workflow_id, application_id=self.data.application_id,
                             organization=self.data.submission.organization.name or "", stage="application_review",
                             summary="awaiting application review")


async def test_an_incomplete_application_lists_everything_missing_R_9_1_1(http, staff):
    _, token = await staff(Role.REVIEWER)
    response = await http.post("/api/v1/applications", json={"organization": {"name": "示例"}}, headers=bearer(token))
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["rule_id"] == "R-9.1.1" and problem["title"] == "Incomplete application"
    expected = ApplicationSubmission.model_validate({"organization": {"name": "示例"}}).missing()
    assert problem["missing"] == expected and len(expected) > 15  # every item at once, not one at a time
    assert problem["detail"].startswith("The application is incomplete")


async def test_a_malformed_credit_code_is_refused_before_anything_starts(http, staff):
    _, token = await staff(Role.REVIEWER)
    body = complete_application()
    body["organization"]["credit_code"] = "91110000MA01ABCDIO"  # I and O are not used (GB 32100-2015)
    response = await http.post("/api/v1/applications", json=body, headers=bearer(token))
    assert response.status_code == 422
    assert [m for m in response.json()["missing"] if m.startswith("organization.credit_code")]


async def test_a_complete_application_starts_its_certification(http, staff, temporal_env, api_settings):
    _actor, token = await staff(Role.REVIEWER)
    response = await http.post("/api/v1/applications", json=complete_application(), headers=bearer(token))
    assert response.status_code == 201, response.text
    body = response.json()
    application_id = uuid.UUID(body["application_id"])
    assert body["workflow_id"] == certification_workflow_id(application_id)
    assert response.headers["location"] == f"/api/v1/applications/{application_id}"

    handle = temporal_env.client.get_workflow_handle(body["workflow_id"])
    try:
        described = await handle.describe()
        assert described.workflow_type == CERTIFICATION_WORKFLOW and described.task_queue == api_settings.task_queue
        assert described.status == WorkflowExecutionStatus.RUNNING
        # Found from its start by what it is about (issue 16): application, organization, credit code, a part
        # of the name (the dev server's Text search does not split Chinese words).
        found = described.typed_search_attributes
        organization = complete_application()["organization"]
        assert found.get(APPLICATION_ID) == str(application_id)
        assert found.get(CREDIT_CODE) == organization["credit_code"]
        assert found.get(ORGANIZATION) == organization["name"]
        assert organization["name"][2:4] in (found.get(ORGANIZATION_TERMS) or [])
        assert await described.static_summary() == f"认证：{organization['name']}"
    finally:
        await handle.terminate("test finished")


async def test_where_an_application_stands(http, staff, pool, temporal_env, api_settings):
    actor, token = await staff(Role.REVIEWER)
    async with Worker(temporal_env.client, task_queue=api_settings.task_queue, workflows=[AnsweringCertification],
                      workflow_runner=UnsandboxedWorkflowRunner()):
        submitted = (await http.post("/api/v1/applications", json=complete_application(), headers=bearer(token))).json()
        application_id, workflow_id = submitted["application_id"], submitted["workflow_id"]

        # Before the process has recorded it, the register knows nothing yet: the live answer says where it is.
        view = await http.get(f"/api/v1/applications/{application_id}", headers=bearer(token))
        assert view.status_code == 200, view.text
        view = view.json()
        assert view["running"] and view["process_state"] == "RUNNING" and view["submitted_at"] is None
        process = view["process"]
        assert process["stage"] == "application_review" and process["organization"] == "示例呼叫中心有限公司"
        assert "no record" in view["note"]

        # What the process records (here by hand): the application and its events, shown in time order.
        org = await upsert_organization(pool, Organization(id=uuid.uuid4(), name="示例呼叫中心有限公司",
                                                           credit_code="91110000MA01ABCD2X"))
        record = await record_application(pool, ApplicationRecord(
            id=uuid.UUID(application_id), organization_id=org.id, workflow_id=workflow_id, scope="呼叫中心客户服务",
            submitted_at=(await temporal_env.get_current_time())))
        later = record.submitted_at + timedelta(hours=2)
        await append_event(pool, f"{workflow_id}/review/opened", later, "system", "task.opened", rule_id="R-9.1.2",
                           workflow_id=workflow_id, data={"task_id": f"{workflow_id}/application_review/1"})
        await append_event(pool, f"{workflow_id}/received", record.submitted_at, str(actor.staff_id),
                           "application.received", rule_id="R-9.1.1", workflow_id=workflow_id)
        view = (await http.get(f"/api/v1/applications/{application_id}", headers=bearer(token))).json()
        assert view["status"] == "submitted" and view["scope"] == "呼叫中心客户服务" and view["note"] is None
        assert [(e["kind"], e["rule_id"]) for e in view["timeline"]] == [
            ("application.received", "R-9.1.1"), ("task.opened", "R-9.1.2")]
        assert view["timeline"][0]["actor"] == str(actor.staff_id)

        # Closed: no live answer, said in words; the register's record and timeline still stand.
        await temporal_env.client.get_workflow_handle(workflow_id).terminate("withdrawn by the applicant")
        view = (await http.get(f"/api/v1/applications/{application_id}", headers=bearer(token))).json()
        assert not view["running"] and view["process_state"] == "TERMINATED" and view["process"] is None
        assert "closed" in view["note"] and len(view["timeline"]) == 2 and view["status"] == "submitted"


async def test_a_process_without_a_worker_does_not_hang_the_request(http, staff, temporal_env, monkeypatch):
    monkeypatch.setattr(api.processes, "QUERY_TIMEOUT", timedelta(milliseconds=300))
    _, token = await staff(Role.REVIEWER)
    submitted = (await http.post("/api/v1/applications", json=complete_application(), headers=bearer(token))).json()
    try:
        view = (await http.get(f"/api/v1/applications/{submitted['application_id']}", headers=bearer(token))).json()
        assert view["running"] and view["process"] is None and "did not say where it stands" in view["note"]
    finally:
        await temporal_env.client.get_workflow_handle(submitted["workflow_id"]).terminate("test finished")


async def test_an_unknown_application_is_404(http, staff):
    _, token = await staff(Role.REVIEWER)
    response = await http.get(f"/api/v1/applications/{uuid.uuid4()}", headers=bearer(token))
    assert response.status_code == 404 and response.headers["content-type"] == PROBLEM


async def test_the_reviewer_reads_the_whole_submission_to_confirm_it_complete_R_9_1_2(http, staff, pool):
    """Issue 13: what was applied for (addresses, licences, materials, sites, contact) is in the view, with
    the R-9.1.1 checklist the reviewer confirms at R-9.1.2 point 1."""
    _, token = await staff(Role.REVIEWER)
    form = complete_application()
    form["organization"]["contact"] = {"name": "张三", "phone": "010-12345678", "email": "zhang@example.cn"}
    form["sites"].append({"name": "分部", "address": "上海市浦东新区示例路2号", "postcode": "200120", "headcount": 25})
    form["licences"] = [{"name": "增值电信业务经营许可证", "number": "B2-20250001", "valid_to": "2030-01-01"}]
    form["materials"] = [m for m in REQUIRED_MATERIALS if m != "existing_certificates"] + ["honour_certificates"]
    submission = ApplicationSubmission.model_validate(form)
    org = await upsert_organization(pool, Organization(id=uuid.uuid4(), name="示例呼叫中心有限公司",
                                                       credit_code="91110000MA01ABCD2X"))
    application_id = uuid.uuid4()
    await record_application(pool, ApplicationRecord(
        id=application_id, organization_id=org.id, workflow_id=certification_workflow_id(application_id),
        scope="呼叫中心客户服务", data=submission.model_dump(mode="json"), submitted_at="2026-11-02T09:00:00+08:00"))

    view = (await http.get(f"/api/v1/applications/{application_id}", headers=bearer(token))).json()
    shown = view["submission"]
    assert shown["organization"]["registered_address"] == "北京市朝阳区示例路1号"
    assert shown["organization"]["contact"]["email"] == "zhang@example.cn"
    assert [(s["name"], s["address"], s["headcount"]) for s in shown["sites"]] == [
        ("总部", "", 60), ("分部", "上海市浦东新区示例路2号", 25)]
    assert shown["licences"] == [{"name": "增值电信业务经营许可证", "number": "B2-20250001", "valid_to": "2030-01-01"}]
    checklist = view["completeness"]
    assert {m["key"]: m["supplied"] for m in checklist["materials"]} == {
        key: key != "existing_certificates" for key in REQUIRED_MATERIALS}
    assert checklist["other_materials"] == ["honour_certificates"]
    assert checklist["missing"] == ["materials.existing_certificates: " + REQUIRED_MATERIALS["existing_certificates"]]
