"""The monthly reminder to send the regulator's report: a task for an operator on the reminder day,
due by the 10th, then the process continues as new for the next month."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from temporalio.client import WorkflowContinuedAsNewError

from schemas.tasking import Actor, TaskCompletion, TaskReceipt, TaskView
from store.staff import add_staff
from store.tasks import get_task
from workers.main import build_worker
from workflows.reporting import RegulatorReportWorkflow, ReportingInput


async def test_operator_is_asked_for_the_cnca_report_each_month(own_temporal_env, pool):
    env = own_temporal_env
    operator, _ = await add_staff(pool, "钱运营", ["operator"], email="ops@body.example")
    actor = Actor(staff_id=operator.id, name=operator.name, roles=list(operator.roles))
    queue = f"report-{uuid.uuid4().hex[:8]}"
    async with build_worker(env.client, pool, queue):
        handle = await env.client.start_workflow(
            RegulatorReportWorkflow.run, ReportingInput(month=date(2026, 12, 1)), id=f"regulator-report-{queue}",
            task_queue=queue)
        assert await handle.query("month", result_type=date) == date(2026, 12, 1)
        await env.sleep(timedelta(days=14))  # past the 5th working day of December (7 December 2026)
        task = await handle.execute_update("wait_for_task", "regulator_report", result_type=TaskView)
        assert task.role == "operator" and task.due_on == date(2026, 12, 10)
        row = await get_task(pool, task.task_id)
        assert row.context["month"] == "2026-11" and row.context["csv"].endswith("month=2026-11&format=csv")
        assert row.opened_at.date() >= date(2026, 12, 6)  # opened on the reminder day, not before (UTC)
        await handle.execute_update("complete_task", TaskCompletion(
            task_id=task.task_id, actor=actor, payload={"sent_on": "2026-12-08", "reference": "CNCA-2026-11"}),
            result_type=TaskReceipt)
        with pytest.raises(WorkflowContinuedAsNewError):
            await handle.result(follow_runs=False)  # this run ends by continuing as new
        following = env.client.get_workflow_handle(handle.id)
        assert await following.query("month", result_type=date) == date(2027, 1, 1)
        await following.terminate("test finished")
