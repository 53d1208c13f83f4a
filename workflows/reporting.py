"""The regulator's monthly report: each month an operator is asked to send the CNCA report of the month
before, by the 10th. One long-running process (id ``regulator-report``) that opens the month's task on
its reminder day and continues as new for the next month, so its history stays small.
"""

from __future__ import annotations

from datetime import date, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel, Field

    from activities.records import RecordActivities, ReferenceData, ReferenceQuery
    from rules.reporting import reminder_date, report_due_on
    from schemas.payloads import RegulatorReportSent
    from schemas.staff import Role
    from workflows.incidents import IncidentBound
    from workflows.patching import begin_run, patched
    from workflows.tasks import HumanTasks, TaskBoard, start_of, today

REPORTING_WORKFLOW_ID = "regulator-report"


class ReportingInput(BaseModel):
    month: date | None = None  # the month in which to remind (its 1st); None: the next month
    reminder_days_before: tuple[int, ...] = (1,)
    incident_bound: IncidentBound = Field(default_factory=IncidentBound)  # workflows/incidents.py


def next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


@workflow.defn(name="RegulatorReportWorkflow")
class RegulatorReportWorkflow(HumanTasks):
    def __init__(self) -> None:
        self.board: TaskBoard | None = None
        self.month: date | None = None

    @workflow.run
    async def run(self, data: ReportingInput) -> None:
        begin_run()  # first, in the run's first workflow task (workflows/patching.py)
        self.month = data.month or next_month(today())
        reported = (self.month - timedelta(days=1)).replace(day=1)
        self.board = TaskBoard(workflow.info().workflow_id, f"CNCA report {reported:%Y-%m}", data.reminder_days_before,
                               bound=data.incident_bound)
        self.board.dates_are_facts = patched("record-integrity")
        reference: ReferenceData = await self.board.incidents.execute(
            RecordActivities.reference_data, ReferenceQuery(years=[self.month.year]),
            start_to_close_timeout=timedelta(seconds=60),
            summary="holiday table",
        )
        remind = reminder_date(self.month, reference.holidays)
        workflow.set_current_details(f"next: CNCA report for {reported:%Y-%m}, reminder on {remind.date}"
                                     + (" (provisional)" if remind.provisional else ""))
        wait = start_of(remind.date) - workflow.now()
        if wait > timedelta(0):
            await workflow.sleep(wait, summary=f"until the reminder day {remind.date}")
        await self.board.ask(
            "regulator_report", RegulatorReportSent, title=f"send the CNCA report for {reported:%Y-%m}",
            role=Role.OPERATOR, due_on=report_due_on(self.month),
            context={"month": f"{reported:%Y-%m}", "csv": f"/api/v1/reports/cnca?month={reported:%Y-%m}&format=csv",
                     "xlsx": f"/api/v1/reports/cnca?month={reported:%Y-%m}&format=xlsx",
                     "reminder_provisional": remind.provisional},
        )
        await self.board.mail.settle()
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(data.model_copy(update={"month": next_month(self.month)}))

    @workflow.query(name="month")
    def current_month(self) -> date | None:
        """The month in which this run reminds (the report is for the month before)."""
        return self.month
