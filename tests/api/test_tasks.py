"""The task inbox and completing tasks.

Listing and reading read the register's inbox rows (inserted here as the projection activity would).
Completing sends the ``complete_task`` Update; a stand-in workflow, run by a worker of the test's own,
refuses the way the real validators do (schemas.tasking.Refusal) so that each refusal's mapping to a
problem document (status, rule id, errors) is seen without driving a whole certification.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

import api.processes
from api.tasks import today
from schemas.payloads import TASK_PAYLOADS
from schemas.staff import Role
from schemas.tasking import COMPLETE_TASK_UPDATE, Refusal, RefusalDetail, TaskCompletion, TaskReceipt
from store.tasks import complete_task, upsert_open_task

PROBLEM = "application/problem+json"
OPENED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def open_task(pool, workflow_id: str, step: str, kind: str, role: Role | str, **fields):
    return await upsert_open_task(pool, f"{workflow_id}/{step}/1", workflow_id, kind, str(role), OPENED,
                                  title=fields.pop("title", kind.replace("_", " ")), **fields)


def ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [t["id"].split("/")[1] for t in response.json()]


# ---------------------------------------------------------------------------------------------- the inbox

async def test_the_inbox_mine_by_default_all_of_my_roles_on_request(http, app, pool, staff):
    reviewer, reviewer_token = await staff(Role.REVIEWER)
    colleague, colleague_token = await staff(Role.REVIEWER)
    auditor, auditor_token = await staff(Role.AUDITOR)
    _, manager_token = await staff(Role.MANAGER)
    wf = f"certification-{uuid.uuid4()}"
    await open_task(pool, wf, "review", "application_review", Role.REVIEWER, due_on=date(2026, 1, 10),
                    rule_id="R-9.1.2")
    await open_task(pool, wf, "contract", "contract", Role.REVIEWER, assignee_id=colleague.staff_id,
                    due_on=date(2026, 1, 30))
    await open_task(pool, wf, "stage1", "stage1", Role.AUDITOR, assignee_id=auditor.staff_id, due_on=date(2026, 1, 20))
    await open_task(pool, wf, "programme", "programme", Role.PROGRAMME_MANAGER)
    await open_task(pool, wf, "old", "contract", Role.REVIEWER)
    await complete_task(pool, f"{wf}/old/1", reviewer.staff_id, OPENED + timedelta(days=1))

    # Mine: assigned to me, or for a role I hold and assigned to no one; open unless asked otherwise.
    assert ids(await http.get("/api/v1/tasks", headers=bearer(reviewer_token))) == ["review"]
    assert ids(await http.get("/api/v1/tasks", headers=bearer(colleague_token))) == ["review", "contract"]
    assert ids(await http.get("/api/v1/tasks", headers=bearer(auditor_token))) == ["stage1"]
    assert ids(await http.get("/api/v1/tasks", headers=bearer(manager_token))) == []
    # mine=false: every task of my roles; a manager or an operator sees all.
    assert ids(await http.get("/api/v1/tasks", params={"mine": "false"}, headers=bearer(reviewer_token))) == [
        "review", "contract"]
    assert ids(await http.get("/api/v1/tasks", params={"mine": "false"}, headers=bearer(manager_token))) == [
        "review", "stage1", "contract", "programme"]  # earliest due first, undated last
    # Filters narrow.
    everything = {"mine": "false"}
    assert ids(await http.get("/api/v1/tasks", params={**everything, "kind": "contract"},
                              headers=bearer(manager_token))) == ["contract"]
    assert ids(await http.get("/api/v1/tasks", params={**everything, "role": "auditor"},
                              headers=bearer(manager_token))) == ["stage1"]
    assert ids(await http.get("/api/v1/tasks", params={"status": "completed"}, headers=bearer(reviewer_token))) == [
        "old"]
    # Overdue: open and due before the body's today (Asia/Shanghai), here pinned.
    app.dependency_overrides[today] = lambda: date(2026, 1, 15)
    overdue = await http.get("/api/v1/tasks", params={**everything, "overdue": "true"}, headers=bearer(manager_token))
    assert ids(overdue) == ["review"] and overdue.json()[0]["overdue"] is True
    listed = (await http.get("/api/v1/tasks", params=everything, headers=bearer(manager_token))).json()
    assert [t["overdue"] for t in listed] == [True, False, False, False]

    summary = listed[0]
    assert summary["id"] == f"{wf}/review/1" and summary["workflow_id"] == wf and summary["rule_id"] == "R-9.1.2"
    assert {"kind", "title", "role", "assignee_id", "status", "due_on", "due_provisional", "subject",
            "opened_at"} <= summary.keys()


async def test_a_bad_filter_is_422_not_500(http, staff):
    _, token = await staff(Role.REVIEWER)
    response = await http.get("/api/v1/tasks", params={"status": "finished"}, headers=bearer(token))
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM


async def test_a_task_with_its_context_and_the_schema_of_its_payload(http, pool, staff):
    _, token = await staff(Role.REVIEWER)
    wf = f"certification-{uuid.uuid4()}"
    own_schema = {"title": "as the workflow published it", "type": "object"}
    await open_task(pool, wf, "review", "application_review", Role.REVIEWER, payload_schema=own_schema,
                    context={"table_person_days": "6"})
    await open_task(pool, wf, "contract", "contract", Role.REVIEWER)

    detail = await http.get(f"/api/v1/tasks/{wf}/review/1", headers=bearer(token))
    assert detail.status_code == 200, detail.text
    assert detail.json()["payload_schema"] == own_schema and detail.json()["context"] == {"table_person_days": "6"}
    # No schema in the row: the one of the payload model for its kind.
    fallback = (await http.get(f"/api/v1/tasks/{wf}/contract/1", headers=bearer(token))).json()
    assert fallback["payload_schema"] == TASK_PAYLOADS["contract"].model_json_schema()
    assert "contract_reference" in fallback["payload_schema"]["required"]

    unknown = await http.get(f"/api/v1/tasks/{wf}/nothing/1", headers=bearer(token))
    assert unknown.status_code == 404 and unknown.headers["content-type"] == PROBLEM


# ------------------------------------------------------------------------------------------- completing

async def test_completing_an_unknown_task_404_a_closed_one_409(http, pool, staff):
    actor, token = await staff(Role.REVIEWER)
    wf = f"certification-{uuid.uuid4()}"
    unknown = await http.post(f"/api/v1/tasks/{wf}/contract/1/complete", json={"payload": {}}, headers=bearer(token))
    assert unknown.status_code == 404 and unknown.headers["content-type"] == PROBLEM

    await open_task(pool, wf, "contract", "contract", Role.REVIEWER)
    await complete_task(pool, f"{wf}/contract/1", actor.staff_id, OPENED + timedelta(hours=1))
    closed = await http.post(f"/api/v1/tasks/{wf}/contract/1/complete",
                             json={"payload": {"signed_on": "2026-01-06", "contract_reference": "HT-1"}},
                             headers=bearer(token))
    assert closed.status_code == 409 and "completed" in closed.json()["detail"]


async def test_an_invalid_payload_is_422_listing_every_error_before_the_process_is_asked(http, pool, staff):
    _, token = await staff(Role.PROGRAMME_MANAGER)
    wf = f"certification-{uuid.uuid4()}"  # no such process: the request never gets that far
    await open_task(pool, wf, "programme", "programme", Role.PROGRAMME_MANAGER)
    response = await http.post(f"/api/v1/tasks/{wf}/programme/1/complete",
                               json={"payload": {"objectives": "初次认证", "person_days": "-1", "colour": "blue"}},
                               headers=bearer(token))
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    where = {".".join(str(p) for p in e["loc"]) for e in response.json()["errors"]}
    # stage1_on is not among them: it is checked by rule
    assert {"person_days", "onsite_days", "onsite_start", "onsite_end", "team", "colour"} <= where


async def test_a_body_without_payload_is_422(http, pool, staff):
    _, token = await staff(Role.REVIEWER)
    wf = f"certification-{uuid.uuid4()}"
    await open_task(pool, wf, "contract", "contract", Role.REVIEWER)
    response = await http.post(f"/api/v1/tasks/{wf}/contract/1/complete", json={"signed_on": "2026-01-06"},
                               headers=bearer(token))
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM


# The stand-in's refusals, by the task's step (the middle of its id), as the real validators raise them.
REFUSALS = {
    "onsite-days": (Refusal.RULE_VIOLATION, RefusalDetail(
        message="The on-site days are under 80 % of the audit time.", rule_id="R-A.n1a",
        errors=[{"loc": ["onsite_days"], "msg": "at least 4.8"}])),
    "decision": (Refusal.CONFLICT_OF_IMPARTIALITY, RefusalDetail(
        message="You took part in this audit, so you may not make or review its decision.", rule_id="R-9.1.9.n1")),
    "someone-else": (Refusal.NOT_ASSIGNED, RefusalDetail(message="This task is assigned to someone else.")),
}


@workflow.defn(name="TaskStandIn")
class TaskStandIn:
    """Holds tasks the way workflows.tasks.TaskBoard does, as far as the API can tell."""

    def __init__(self) -> None:
        self.completed: set[str] = set()

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: False)

    @workflow.update(name=COMPLETE_TASK_UPDATE)
    async def complete_task(self, completion: TaskCompletion) -> TaskReceipt:
        self.completed.add(completion.task_id)
        facts = "; ".join(f"{f.name}: {'+'.join(f.roles)}, {len(f.qualifications)} qualifications"
                          for f in sorted(completion.facts.staff.values(), key=lambda f: f.name))
        return TaskReceipt(task_id=completion.task_id, kind=completion.task_id.split("/")[1],
                           accepted_at=workflow.now(), message=f"completed by {completion.actor.name}; {facts}")

    @complete_task.validator
    def _validate(self, completion: TaskCompletion) -> None:
        if completion.task_id in self.completed:
            kind, detail = Refusal.TASK_NOT_OPEN, RefusalDetail(message=f"Task {completion.task_id} is not open.")
        elif (refusal := REFUSALS.get(completion.task_id.split("/")[1])) is not None:
            kind, detail = refusal
        else:
            return
        raise ApplicationError(detail.message, detail.model_dump(mode="json"), type=kind.value, non_retryable=True)


CONTRACT = {"signed_on": "2026-01-06", "contract_reference": "HT-2026-001"}


async def test_refusals_become_problems_with_the_rule_id(http, pool, staff, temporal_env, api_settings):
    _, token = await staff(Role.PROGRAMME_MANAGER, Role.DECISION_MAKER, Role.REVIEWER)
    leader, _ = await staff(Role.AUDITOR, name="李组长", qualified=True)
    shopper, _ = await staff(Role.MYSTERY_SHOPPER, name="郑暗访")
    async with Worker(temporal_env.client, task_queue=api_settings.task_queue, workflows=[TaskStandIn],
                      workflow_runner=UnsandboxedWorkflowRunner()):
        handle = await temporal_env.client.start_workflow("TaskStandIn", id=f"stand-in-{uuid.uuid4()}",
                                                          task_queue=api_settings.task_queue)
        wf = handle.id
        try:
            for step in ("onsite-days", "decision", "someone-else", "contract", "programme"):
                await open_task(pool, wf, step, "programme" if step in ("onsite-days", "programme") else "contract",
                                Role.PROGRAMME_MANAGER)

            async def complete(step: str, payload: dict):
                return await http.post(f"/api/v1/tasks/{wf}/{step}/1/complete", json={"payload": payload},
                                       headers=bearer(token))

            programme = {"objectives": "初次认证", "person_days": "6", "onsite_days": "4", "stage1_on": "2026-02-02",
                         "onsite_start": "2026-03-02", "onsite_end": "2026-03-03",
                         "team": [{"staff_id": str(leader.staff_id), "role": "leader"}],
                         "visits": [{"site": "总部", "shopper_id": str(shopper.staff_id), "planned_on": "2026-02-20"}]}
            rule = await complete("onsite-days", programme)
            assert rule.status_code == 422 and rule.headers["content-type"] == PROBLEM
            assert rule.json()["rule_id"] == "R-A.n1a" and rule.json()["errors"] == [
                {"loc": ["onsite_days"], "msg": "at least 4.8"}]
            assert rule.json()["detail"] == "The on-site days are under 80 % of the audit time."

            impartial = await complete("decision", CONTRACT)
            assert impartial.status_code == 403 and impartial.json()["rule_id"] == "R-9.1.9.n1"
            assert impartial.json()["title"] == "Conflict of impartiality"
            assert (await complete("someone-else", CONTRACT)).status_code == 403

            # Accepted: the receipt, and the register's facts on the people the payload names went along.
            done = await complete("programme", {**programme, "onsite_days": "5"})
            assert done.status_code == 200, done.text
            receipt = TaskReceipt.model_validate(done.json())
            assert receipt.task_id == f"{wf}/programme/1"
            assert "李组长: auditor, 2 qualifications" in receipt.message
            assert "郑暗访: mystery_shopper, 0 qualifications" in receipt.message

            # The inbox still says open (its projection lags); the process knows better: 409.
            again = await complete("programme", {**programme, "onsite_days": "5"})
            assert again.status_code == 409 and again.json()["title"] == "Task not open"
        finally:
            await handle.terminate("test finished")

    # The process has ended: its open inbox rows can no longer be completed.
    gone = await http.post(f"/api/v1/tasks/{wf}/contract/1/complete", json={"payload": CONTRACT},
                           headers=bearer(token))
    assert gone.status_code == 409 and "no longer running" in gone.json()["detail"]


async def test_a_process_without_a_worker_is_503_not_a_hung_request(http, pool, staff, temporal_env, api_settings,
                                                                     monkeypatch):
    monkeypatch.setattr(api.processes, "UPDATE_TIMEOUT", timedelta(milliseconds=300))
    _, token = await staff(Role.REVIEWER)
    handle = await temporal_env.client.start_workflow("TaskStandIn", id=f"stand-in-{uuid.uuid4()}",
                                                      task_queue=api_settings.task_queue)  # no worker polls it
    try:
        await open_task(pool, handle.id, "contract", "contract", Role.REVIEWER)
        response = await http.post(f"/api/v1/tasks/{handle.id}/contract/1/complete", json={"payload": CONTRACT},
                                   headers=bearer(token))
        assert response.status_code == 503 and response.headers["content-type"] == PROBLEM
        assert response.headers["retry-after"]
    finally:
        await handle.terminate("test finished")
