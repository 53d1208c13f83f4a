"""The live process view (GET /api/v1/processes/{id}) and the element statistics (GET .../stats): a
running process answers with its own trace; once it is closed, the event log gives the same picture."""

from __future__ import annotations

from datetime import date

import httpx
from temporalio.api.sdk.v1 import WorkflowMetadata

from api.app import create_app
from api.process_view import today
from certflow.settings import Settings
from workflows.search_attributes import APPLICATION_ID, CREDIT_CODE, ORGANIZATION_TERMS


async def test_a_process_shows_where_it_is_and_where_it_has_been(journey, pool):
    p = journey.people
    journey.process_pages = "http://certflow.example:8000/"
    await journey.to_audit()
    audit = journey.audit()
    await journey.task("stage1", audit)
    # The Temporal UI's details say where the process is, in words, and link to its page.
    metadata = await audit.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
    assert metadata.current_details.startswith("等待「第一阶段审查发现」，期限 ")  # in the body's words (issue 16)
    assert "（R-9.1.5）" in metadata.current_details
    # The audit is found by what it is about, from its start; its summary says so in Chinese (issue 16).
    described = await audit.describe()
    found = described.typed_search_attributes
    assert found.get(APPLICATION_ID) == str(journey.application_id) and found.get(CREDIT_CODE)
    assert "呼叫" in (found.get(ORGANIZATION_TERMS) or [])
    assert (await described.static_summary()).startswith("初次认证审查：")
    assert metadata.current_details.endswith(f"[process page](http://certflow.example:8000/processes/{audit.id})")
    app = create_app(Settings(_env_file=None, task_queue=journey.queue, database_url="postgresql://unused"),
                     pool=pool, temporal=journey.env.client)
    headers = {"Authorization": f"Bearer {p.tokens['programme_manager']}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        view = (await http.get(f"/api/v1/processes/{journey.workflow_id}", headers=headers)).json()
        assert view["source"] == "process" and view["process_state"] == "RUNNING"
        tasks = [v["element_id"] for v in view["completed"] if v["outcome"] == "completed"]
        assert tasks == ["application_review", "contract", "programme"]
        assert [v["element_id"] for v in view["completed"]][:4] == [
            "application_submitted", "record_application", "application_review", "review_conclusion"]
        assert [v["element_id"] for v in view["active"]] == ["initial_audit"]  # it waits for its audit
        assert view["overdue"] == []
        assert all(v["left_at"] >= v["entered_at"] for v in view["completed"])
        assert view["temporal_ui"].endswith(f"/workflows/{journey.workflow_id}")

        view = (await http.get(f"/api/v1/processes/{audit.id}", headers=headers)).json()
        [stage1] = view["active"]
        assert stage1["element_id"] == "stage1" and stage1["left_at"] is None and view["overdue"] == []
        app.dependency_overrides[today] = lambda: date.fromisoformat(stage1["due_on"]).replace(year=2099)
        view = (await http.get(f"/api/v1/processes/{audit.id}", headers=headers)).json()
        assert view["overdue"] == ["stage1"]
        app.dependency_overrides.clear()

        stats = {s["element_id"]: s for s in (await http.get("/api/v1/processes/stats", headers=headers)).json()}
        assert stats["application_review"]["passed"] == 1 and stats["application_review"]["there_now"] == 0
        assert stats["application_review"]["median_hours"] is not None
        assert stats["stage1"]["passed"] == 0 and stats["stage1"]["there_now"] == 1
        audits = (await http.get("/api/v1/processes/stats", params={"process": "audit"}, headers=headers)).json()
        assert [s["element_id"] for s in audits] == ["stage1"]

        # Closed: the event log tells the same story.
        await journey.handle.terminate("test: closed")
        view = (await http.get(f"/api/v1/processes/{journey.workflow_id}", headers=headers)).json()
        assert view["source"] == "event log" and view["process_state"] == "TERMINATED"  # its tasks, from the log
        assert [v["element_id"] for v in view["completed"]] == ["application_review", "contract", "programme"]

        assert (await http.get("/api/v1/processes/certification-nothing", headers=headers)).status_code == 404
        assert (await http.get("/api/v1/processes/stats", params={"process": "x"}, headers=headers)).status_code == 422
        assert (await http.get("/api/v1/processes/stats")).status_code == 401


def test_name_terms_are_the_name_s_runs_of_two_to_four_characters():
    from workflows.search_attributes import MAX_TERMS, name_terms

    terms = name_terms("示例 呼叫中心")
    assert terms[0] == "示例呼叫中心" and {"呼叫", "叫中心", "例呼叫中"} <= set(terms)
    assert len(terms) == len(set(terms)) and all(2 <= len(t) <= 6 for t in terms)
    assert len(name_terms("".join(chr(0x4E00 + i) for i in range(200)))) == MAX_TERMS and name_terms("  ") == []
