"""The staff digest process (issue 13): with ``CERTFLOW_STAFF_MAIL=daily_digest`` one process per namespace,
id ``staff-digest``, kept by the worker like ``regulator-report``, mails each person one list of their
open tasks on every working day at the configured hour (Asia/Shanghai), then continues as new for the
next working day, so its history never holds more than one day.

Which day is a working day comes from the holiday table through an activity (R-dates); the activity that
queues the mail (activities/digest.py) checks the day again and keys each mail by person and day, so a
retried or repeated run sends nothing twice. When the worker's Decision is back to one mail per task,
that activity says so and the process ends; the worker starts it again if the digest is turned on.
"""

from __future__ import annotations

from datetime import date, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel, Field

    from activities.calendar import CalendarActivities, WorkingDaysQuery
    from activities.digest import DigestActivities, DigestQueued, DigestRequest
    from rules.calendar import WorkingDayResult
    from workflows.incidents import IncidentBound
    from workflows.patching import begin_run
    from workflows.tasks import SHANGHAI, HumanTasks, TaskBoard, start_of

STAFF_DIGEST_WORKFLOW_ID = "staff-digest"


class StaffDigestInput(BaseModel):
    last_day: date | None = None  # the day of the last digest sent; None: none yet
    hour: int = Field(8, ge=0, le=23)  # Asia/Shanghai
    incident_bound: IncidentBound = Field(default_factory=IncidentBound)  # workflows/incidents.py


@workflow.defn(name="StaffDigestWorkflow")
class StaffDigestWorkflow(HumanTasks):
    def __init__(self) -> None:
        self.board: TaskBoard | None = None
        self.day: date | None = None

    @workflow.run
    async def run(self, data: StaffDigestInput) -> str:
        begin_run()  # first, in the run's first workflow task (workflows/patching.py)
        self.board = TaskBoard(workflow.info().workflow_id, "staff digest", bound=data.incident_bound)
        day = await self._next_working_day(data)
        self.day = day.date
        moment = start_of(day.date) + timedelta(hours=data.hour)
        self.board.details(f"next: the staff digest of {day.date} at {moment:%H:%M}"
                           + (" (provisional: the holiday table does not cover that year)" if day.provisional else ""))
        if moment > workflow.now():
            await workflow.sleep(moment - workflow.now(), summary=f"until the digest of {day.date}")
        queued: DigestQueued = await self.board.incidents.execute(
            DigestActivities.queue_staff_digest,
            DigestRequest(day=day.date, at=workflow.now(), workflow_id=self.board.owner_id),
            start_to_close_timeout=timedelta(seconds=60),
            summary=f"staff digest of {day.date}",
        )
        self.board.mail.deliver(queued.keys, f"staff digest of {day.date}")
        await self.board.mail.settle()
        await workflow.wait_condition(workflow.all_handlers_finished)
        if not queued.enabled:
            return "ended: the worker sends one mail per task (CERTFLOW_STAFF_MAIL=per_task)"
        workflow.continue_as_new(data.model_copy(update={"last_day": day.date}))

    async def _next_working_day(self, data: StaffDigestInput) -> WorkingDayResult:
        """The first working day after the last digest, never before today (a worker that was down
        sends one late digest, not one per missed day); for a first run today, while its hour is to come."""
        now = workflow.now().astimezone(SHANGHAI)
        if data.last_day is not None:
            first = max(data.last_day + timedelta(days=1), now.date())
        else:
            first = now.date() if now.hour < data.hour else now.date() + timedelta(days=1)
        assert self.board is not None  # set by the run first
        return await self.board.incidents.execute(
            CalendarActivities.add_working_days, WorkingDaysQuery(start=first - timedelta(days=1), days=1),
            start_to_close_timeout=timedelta(seconds=30),
            summary="the next working day (holiday table)",
        )

    @workflow.query(name="day")
    def digest_day(self) -> date | None:
        """The working day this run sends its digest on."""
        return self.day
