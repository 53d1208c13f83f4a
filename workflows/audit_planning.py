"""The audit planner's process (issue 18): one per namespace, id ``audit-planning``, kept by the worker
like ``regulator-report`` (workers/main.py) and signalled by the API.

Every day at the policy's hour (Asia/Shanghai) it plans the coming months: the audits due that no
programme task asks for yet (``plan_horizon``), around the open proposals, which it keeps.

Each signal asks for a re-plan of the open
proposals something touched: an absence recorded or cancelled (the person and the days), a programme
decided (its people and days are now taken), or a programme manager's "plan again". The process
re-plans one request at a time, in the order they came, through ``replan_proposals``
(activities/scheduling.py), which keeps every proposal the request does not touch as it is.

A failing re-plan becomes an incident an operator retries (workflows/incidents.py), never a silent
loop; the process continues as new when its history grows long, carrying its count of requests so the
keys of what it wrote stay unique.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel, Field

    from activities.scheduling import HorizonAsk, HorizonDone, ReplanAsk, ReplanDone, SchedulingActivities
    from schemas.scheduling import DateSpan, ProposedAudit
    from workflows.incidents import IncidentBound
    from workflows.mail import IO_QUEUE_SUFFIX
    from workflows.patching import begin_run
    from workflows.tasks import SHANGHAI, HumanTasks, TaskBoard, start_of, today

AUDIT_PLANNING_WORKFLOW_ID = "audit-planning"
REPLAN_SIGNAL = "replan"
REPLAN_TIMEOUT = timedelta(minutes=11)  # longer than the solver's own limit (at most 600 s)


class ReplanRequest(BaseModel):
    """What changed: a person's days (``staff_id`` over ``span``), a decided programme (``decided``, kept
    as it is, and the open proposals that clash with it re-planned), or named proposals (``keys``);
    nothing named: every open proposal."""

    reason: str = Field(min_length=1)
    staff_id: UUID | None = None
    span: DateSpan | None = None
    keys: list[str] = Field(default_factory=list)
    decided: ProposedAudit | None = None
    horizon: bool = False  # the plan of the coming months (daily, or asked for)


class AuditPlanningInput(BaseModel):
    requests_done: int = 0
    hour: int = Field(2, ge=0, le=23)  # the daily plan of the coming months, Asia/Shanghai
    last_horizon: date | None = None  # the day of the last daily plan
    pending: list[ReplanRequest] = Field(default_factory=list)  # carried over a continue-as-new
    incident_bound: IncidentBound = Field(default_factory=IncidentBound)


@workflow.defn(name="AuditPlanningWorkflow")
class AuditPlanningWorkflow(HumanTasks):
    def __init__(self) -> None:
        self.board: TaskBoard | None = None
        self.pending: list[ReplanRequest] = []
        self.done = 0  # requests taken up, over every run
        self.finished = 0  # requests done, over every run
        self.last: ReplanDone | None = None
        self.horizon: HorizonDone | None = None
        self.last_horizon: date | None = None

    @workflow.signal(name=REPLAN_SIGNAL)
    def replan(self, request: ReplanRequest) -> None:
        self.pending.append(request)

    @workflow.query(name="last_replan")
    def last_replan(self) -> ReplanDone | None:
        return self.last

    @workflow.query(name="last_horizon_plan")
    def last_horizon_plan(self) -> HorizonDone | None:
        return self.horizon

    @workflow.update(name="wait_for_replans")
    async def wait_for_replans(self, count: int) -> ReplanDone | None:
        """Answers once ``count`` re-plans (over the process's runs) are done: for tests and tools that
        act on a re-plan's result."""
        await workflow.wait_condition(lambda: self.finished >= count)
        return self.last

    @workflow.run
    async def run(self, data: AuditPlanningInput) -> None:
        begin_run()  # first, in the run's first workflow task (workflows/patching.py)
        self.board = TaskBoard(workflow.info().workflow_id, "audit planning", bound=data.incident_bound)
        self.done = self.finished = data.requests_done
        self.pending = [*data.pending, *self.pending]
        self.last_horizon = data.last_horizon
        while not workflow.info().is_continue_as_new_suggested():
            due = self.next_daily_plan(data.hour)
            self.board.details(f"{self.done} plans made; the next plan of the coming months at {due:%Y-%m-%d %H:%M}")
            try:
                await workflow.wait_condition(lambda: bool(self.pending), timeout=max(due - workflow.now(),
                                                                                      timedelta(seconds=1)))
            except TimeoutError:
                self.pending.append(ReplanRequest(reason="每日排程 (the daily plan of the coming months)",
                                                  horizon=True))
                self.last_horizon = today()
            await self.replan_next(self.pending.pop(0))
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(data.model_copy(update={"requests_done": self.done, "pending": self.pending,
                                                         "last_horizon": self.last_horizon}))

    def next_daily_plan(self, hour: int):
        """The moment of the next daily plan: today's hour if it is to come and not done, else tomorrow's."""
        now = workflow.now().astimezone(SHANGHAI)
        day = now.date() if now.hour < hour and self.last_horizon != now.date() else now.date() + timedelta(days=1)
        return start_of(day) + timedelta(hours=hour)

    async def replan_next(self, request: ReplanRequest) -> None:
        assert self.board is not None  # set by the run first
        self.done += 1
        self.board.details(f"planning: {request.reason}")
        made_by = f"{workflow.info().workflow_id}/{self.done}"
        if request.horizon:
            self.horizon = await self.board.incidents.execute(
                SchedulingActivities.plan_horizon, HorizonAsk(made_by=made_by, today=today(), reason=request.reason),
                start_to_close_timeout=REPLAN_TIMEOUT, task_queue=workflow.info().task_queue + IO_QUEUE_SUFFIX,
                summary="the plan of the coming months")
            self.finished = self.done
            return
        self.last = await self.board.incidents.execute(
            SchedulingActivities.replan_proposals,
            ReplanAsk(made_by=made_by, today=today(), reason=request.reason,
                      staff_id=request.staff_id, span=request.span, keys=request.keys, decided=request.decided),
            start_to_close_timeout=REPLAN_TIMEOUT, task_queue=workflow.info().task_queue + IO_QUEUE_SUFFIX,
            summary=f"re-plan: {request.reason}")
        self.finished = self.done
