"""Two people complete the same task at the same moment: exactly one wins, the other is told it is
done (409), and the process moves on once."""

from __future__ import annotations

import asyncio

from schemas.staff import Role
from schemas.tasking import TaskView

from .test_api import application, bearer


async def test_two_reviewers_completing_one_task_at_once_one_wins_the_other_gets_409(stack, staff):
    http, env = stack["http"], stack["env"]
    _, first = await staff(Role.REVIEWER)
    _, second = await staff(Role.REVIEWER)
    created = await http.post("/api/v1/applications", json=application(), headers=bearer(first))
    assert created.status_code == 201, created.text
    process = env.client.get_workflow_handle(created.json()["workflow_id"])
    view = await process.execute_update("wait_for_task", "application_review", result_type=TaskView)
    point = {"satisfied": True}
    review = {k: point for k in ("information_complete", "industry_and_process_understood", "state_requirements_known",
                                 "differences_resolved", "body_able_to_certify", "scope_and_sites_confirmed",
                                 "audit_time_determined")} | {"conclusion": "accept"}

    async def complete(token: str):
        return await http.post(f"/api/v1/tasks/{view.task_id}/complete", json={"payload": review},
                               headers=bearer(token))

    answers = await asyncio.gather(complete(first), complete(second))
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    loser = next(a for a in answers if a.status_code == 409)
    assert loser.headers["content-type"] == "application/problem+json"
    await process.execute_update("wait_for_task", "contract", result_type=TaskView)  # moved on, once
    events = (await http.get(f"/api/v1/applications/{created.json()['application_id']}",
                             headers=bearer(first))).json()["timeline"]
    assert [e["kind"] for e in events].count("application_review.completed") == 1
