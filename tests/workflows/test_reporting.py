"""The monthly reminder to send the regulator's report: a task for an operator on the reminder day,
due by the 10th, then the process continues as new for the next month."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

import pytest
from temporalio.client import WorkflowContinuedAsNewError

from rules.calendar import HolidayTable
from rules.reporting import reminder_date
from schemas.tasking import Actor, TaskCompletion, TaskReceipt, TaskView
from store.staff import add_staff
from store.tasks import get_task
from workers.main import build_worker
from workflows.reporting import RegulatorReportWorkflow, ReportingInput, next_month
from workflows.tasks import SHANGHAI


async def test_operator_is_asked_for_the_cnca_report_each_month(own_temporal_env, pool, smtp):
    """The month is the one after next from the test server's clock (which starts at the real now), so
    the test holds on any day it runs; its worker mails to a real SMTP server, since the process waits
    for its reminders' delivery before it continues as new."""
    env = own_temporal_env
    operator, _ = await add_staff(pool, "钱运营", ["operator"], email="ops@body.example")
    actor = Actor(staff_id=operator.id, name=operator.name, roles=list(operator.roles))
    queue = f"report-{uuid.uuid4().hex[:8]}"
    started = (await env.get_current_time()).astimezone(SHANGHAI).date()
    month = next_month(next_month(started))
    reported = (month - timedelta(days=1)).strftime("%Y-%m")
    remind = reminder_date(month, HolidayTable.default()).date  # the shipped table: the test adds no overrides
    async with build_worker(env.client, pool, queue, smtp.mail):
        handle = await env.client.start_workflow(
            RegulatorReportWorkflow.run, ReportingInput(month=month), id=f"regulator-report-{queue}",
            task_queue=queue)
        assert await handle.query("month", result_type=date) == month
        until = datetime.combine(remind, time(10), tzinfo=SHANGHAI)  # the reminder day, in the morning
        await env.sleep(until - await env.get_current_time())
        task = await handle.execute_update("wait_for_task", "regulator_report", result_type=TaskView)
        assert task.role == "operator" and task.due_on == month.replace(day=10)
        row = await get_task(pool, task.task_id)
        assert row.context["month"] == reported and row.context["csv"].endswith(f"month={reported}&format=csv")
        assert row.opened_at.astimezone(SHANGHAI).date() == remind  # opened on the reminder day, not before
        await handle.execute_update("complete_task", TaskCompletion(
            task_id=task.task_id, actor=actor,
            payload={"sent_on": remind.isoformat(), "reference": f"CNCA-{reported}"}),
            result_type=TaskReceipt)
        with pytest.raises(WorkflowContinuedAsNewError):
            await handle.result(follow_runs=False)  # this run ends by continuing as new
        following = env.client.get_workflow_handle(handle.id)
        assert await following.query("month", result_type=date) == next_month(month)
        await following.terminate("test finished")
