"""Human tasks: a workflow asks a person for something and waits, reminding and escalating on timers.

``TaskBoard.ask`` opens a task (kind, role or assignee, due date, payload model), projects it into the
inbox through an idempotent activity, then waits for the ``complete_task`` Update. Before the due date
the assignee is reminded at the configured offsets; when the due date has passed the task is escalated
to the role's manager — timers, not polling. The Update's validator (``TaskBoard.validate``) refuses,
before anything reaches history: an unknown or closed task, the wrong person or role, a conflict of
impartiality (R-9.1.9.n1), a malformed payload, or one a rule forbids — each with its rule id.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Generic, Literal, TypeVar, overload
from uuid import UUID

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from pydantic import ValidationError

    from activities.inbox import InboxActivities, NoticesQueued, TaskClosing, TaskNotice, TaskProjection
    from schemas.errors import RuleViolation
    from schemas.payload_schemas import payload_schema
    from schemas.payloads import Payload, happened_dates
    from schemas.staff import Role
    from schemas.task_titles import TITLES_ZH
    from schemas.tasking import (
        Actor,
        ElementVisit,
        Refusal,
        RefusalDetail,
        TaskCompletion,
        TaskFacts,
        TaskReceipt,
        TaskView,
    )
    from workflows.closings import Closings
    from workflows.incidents import IncidentBound, IncidentHandlers, Incidents
    from workflows.mail import OutgoingMail
    from workflows.model import element_names
    from workflows.patching import patched

_NOTICE_ZH = {"reminder": "提醒", "escalation": "逾期上报"}


def _zh(kind: str, title: str) -> str:
    """A task's title in the body's words, for what its process shows in the Temporal UI."""
    return TITLES_ZH.get(kind, title)


# Asia/Shanghai has kept UTC+8 without daylight saving since 1991: a fixed offset gives the same dates
# as the zone database without workflow code reading the zone files.
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
NOTICE_HOUR = time(9, 0)

P = TypeVar("P", bound=Payload)
Check = Callable[[P, Actor, TaskFacts], object]  # raises RuleViolation to refuse; what it returns is ignored


def today() -> date:
    """The workflow's today, in the body's time zone (DESIGN.md: "today is the workflow's")."""
    return workflow.now().astimezone(SHANGHAI).date()


def start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=SHANGHAI)


def refuse(kind: Refusal, message: str, *, rule_id: str | None = None, errors: list | None = None) -> ApplicationError:
    detail = RefusalDetail(message=message, rule_id=rule_id, errors=errors or [])
    text = f"{message} ({rule_id})" if rule_id else message
    return ApplicationError(text, detail.model_dump(mode="json"), type=kind.value, non_retryable=True)


@dataclass
class Completed(Generic[P]):
    payload: P
    actor: Actor
    at: datetime
    view: TaskView
    context: dict
    facts: TaskFacts | None = None  # what the register said about the people the payload names


@dataclass
class _OpenTask:
    view: TaskView
    payload_type: type[Payload]
    check: Check | None
    excluded: frozenset[UUID]
    context: dict
    completed: Completed | None = None
    deadline: bool = False  # the scheme's own deadline: its passing is an element of the diagram
    element_id: str = ""
    listed: bool = False  # the inbox shows it (project_task done)


@dataclass
class TaskBoard:
    """The open tasks of one workflow. Lives in the workflow's memory; rebuilt by replay."""

    owner_id: str
    subject: str
    reminder_days_before: tuple[int, ...] = (1,)
    tasks: dict[str, _OpenTask] = field(default_factory=dict)
    opened: Counter = field(default_factory=Counter)
    # Every accepted completion, from the moment the Update is accepted (before the inbox is told), so
    # that checks made meanwhile already see it.
    done: list[Completed] = field(default_factory=list)
    # How long a failing activity is retried before it becomes an incident (workflows/incidents.py).
    bound: IncidentBound = field(default_factory=IncidentBound)
    # The elements this run has passed and is in, with times (query ``elements``, the live process view).
    trace: list[ElementVisit] = field(default_factory=list)
    # The process page (/processes/{id}) the Temporal UI's details link to, when the API's address is known.
    page: str | None = None
    # Dates are facts: a payload's ``Happened`` dates (schemas/payloads.py) after today are refused. The
    # workflow turns it on behind ``patched("record-integrity")``; older runs replay without it.
    dates_are_facts: bool = False
    # What the process last said it is doing, shown under its open incidents.
    said: str = ""
    # What every task of this process is about (the organization, the certificate number, the audit's
    # dates), read at each projection and put under the task's own context: the person deciding sees it
    # in the inbox. It only shapes the projection activity's input, so replay is not affected.
    about: Callable[[], dict] | None = None

    def __post_init__(self) -> None:
        # Every activity runs through ``incidents``; the mail too, beside the process.
        self.incidents = Incidents(self.bound, where=self.current_element, changed=self._show)
        self.mail = OutgoingMail(self.incidents)
        self.closings = Closings(self.incidents, self.mail)  # a completed task closed with the next one opened

    def details(self, text: str) -> None:
        """The workflow's current details for the Temporal UI, in plain words, with the page's link."""
        self.said = text
        self._show()

    def _show(self) -> None:
        banner = self.incidents.banner()
        text = f"{banner}\n\n{self.said}" if banner and self.said else banner or self.said
        workflow.set_current_details(text + (f"\n\n[process page]({self.page})" if self.page else ""))

    def current_element(self) -> str | None:
        """The BPMN element the process is in (the last one entered and not left), else the last passed."""
        inside = [v for v in self.trace if v.left_at is None]
        last = inside[-1] if inside else (self.trace[-1] if self.trace else None)
        return last.element_id if last else None

    def link_page(self, base: str | None) -> None:
        if base:
            self.page = f"{base.rstrip('/')}/processes/{self.owner_id}"

    def passed(self, element_id: str) -> None:
        """A step without a person (a gateway taken, a timer fired, a notice sent, an end reached)."""
        now = workflow.now()
        self.trace.append(ElementVisit(element_id=element_id, entered_at=now, left_at=now, outcome="passed"))

    def enter(self, element_id: str) -> ElementVisit:
        """A step that takes time without a task (an audit the process called): ``leave`` it after."""
        visit = ElementVisit(element_id=element_id, entered_at=workflow.now())
        self.trace.append(visit)
        return visit

    @staticmethod
    def leave(visit: ElementVisit, outcome: str = "completed") -> None:
        visit.left_at, visit.outcome = workflow.now(), outcome

    # ----------------------------------------------------------------------------------- asking
    def next_task_id(self, kind: str) -> str:
        """The id the next task of ``kind`` will have (what is prepared for it is stored under it)."""
        return f"{self.owner_id}/{kind}/{self.opened[kind] + 1}"

    @overload
    async def ask(self, kind: str, payload_type: type[P], *, title: str, role: Role, due_on: date,
                  due_provisional: bool = ..., assignee_id: UUID | None = ..., rule_id: str | None = ...,
                  context: dict | None = ..., check: Check[P] | None = ..., excluded: frozenset[UUID] = ...,
                  element_id: str | None = ..., cancel_when: None = ..., deadline: bool = ...,
                  available_from: date | None = ...) -> Completed[P]: ...

    @overload
    async def ask(self, kind: str, payload_type: type[P], *, title: str, role: Role, due_on: date,
                  due_provisional: bool = ..., assignee_id: UUID | None = ..., rule_id: str | None = ...,
                  context: dict | None = ..., check: Check[P] | None = ..., excluded: frozenset[UUID] = ...,
                  element_id: str | None = ..., cancel_when: Callable[[], bool], deadline: bool = ...,
                  available_from: date | None = ..., escalate: bool = ...) -> Completed[P] | None: ...

    async def ask(
        self,
        kind: str,
        payload_type: type[P],
        *,
        title: str,
        role: Role,
        due_on: date,
        due_provisional: bool = False,
        assignee_id: UUID | None = None,
        rule_id: str | None = None,
        context: dict | None = None,
        check: Check[P] | None = None,
        excluded: frozenset[UUID] = frozenset(),
        element_id: str | None = None,
        cancel_when: Callable[[], bool] | None = None,
        deadline: bool = False,
        available_from: date | None = None,
        escalate: bool = True,
    ) -> Completed[P] | None:
        """Open a task and wait for its completion. With ``cancel_when``, the task is withdrawn (and
        ``None`` returned) as soon as that becomes true first: what it asked about is gone.
        ``available_from``: the day from which what the task records can have happened (shown in the
        inbox; the task's check refuses an earlier record). Without ``escalate``, the task is not escalated
        once overdue: what withdraws it (``cancel_when``) comes at that moment anyway."""
        self.opened[kind] += 1
        task_id = f"{self.owner_id}/{kind}/{self.opened[kind]}"
        view = TaskView(
            task_id=task_id, kind=kind, title=title, role=role, assignee_id=assignee_id, due_on=due_on,
            due_provisional=due_provisional, rule_id=rule_id, opened_at=workflow.now(), available_from=available_from,
        )
        task = _OpenTask(view, payload_type, check, excluded, context or {}, deadline=deadline,
                         element_id=element_id or kind)
        notify = assignee_id is not None and patched("task-assigned-notice")
        # Held before the inbox lists it, so that someone who acts the moment it is listed is not told it is
        # not open (issue 17); runs begun before held it only once listed.
        if patched("task-held-while-listed"):
            self.tasks[task_id] = task
        projected = await self._project(task, notify)
        if notify and projected is not None:
            self.mail.deliver(projected.keys, f"task assigned: {title}")
        self.tasks[task_id] = task
        task.listed = True
        visit = ElementVisit(element_id=element_id or kind, entered_at=view.opened_at, due_on=due_on, task_id=task_id)
        self.trace.append(visit)
        self.details(self.describe())
        await self._wait(task, cancel_when, escalate)
        done = task.completed
        visit.left_at, visit.outcome = workflow.now(), "completed" if done is not None else "withdrawn"
        if done is None:  # withdrawn: what the task was for is gone
            self.closings.unclosed.add(task_id)
            await self.incidents.execute(
                InboxActivities.cancel_task,
                TaskClosing(task_id=task_id, workflow_id=self.owner_id, subject=self.subject, kind=kind,
                            rule_id=rule_id, actor=None, at=workflow.now(), element_id=element_id or kind, payload={}),
                start_to_close_timeout=timedelta(seconds=30), summary=f"撤回任务：{_zh(kind, title)}",
            )
            self.closings.unclosed.discard(task_id)
            del self.tasks[task_id]
            self.details(self.describe())
            return None
        await self.closings.close(
            TaskClosing(task_id=task_id, workflow_id=self.owner_id, subject=self.subject, kind=kind,
                        rule_id=rule_id, actor=done.actor, at=done.at, element_id=element_id or kind,
                        payload=done.payload.model_dump(mode="json")),
            summary=f"关闭任务：{_zh(kind, title)}",
        )
        del self.tasks[task_id]
        self.details(self.describe())
        return done

    async def _project(self, task: _OpenTask, notify: bool = False) -> NoticesQueued | None:
        view, closings = task.view, self.closings.take()
        projected = await self.incidents.execute(
            InboxActivities.project_task,
            TaskProjection(
                view=view, workflow_id=self.owner_id, subject=self.subject, element_id=task.element_id,
                payload_schema=payload_schema(task.payload_type),
                context={**(self.about() if self.about else {}), **task.context}, notify_assignee=notify,
                closings=closings,
            ),
            start_to_close_timeout=timedelta(seconds=30),
            summary=f"开启任务：{_zh(view.kind, view.title)}",  # runs begun before 2026-11 recorded None
        )
        self.closings.closed(closings)
        return projected

    async def reschedule(self, kind: str, day_of: Callable[[dict], date | None]) -> None:
        """The programme moved (R-9.1.10): the open tasks of ``kind`` (told apart by their context) can
        be done from, and are due on, another day, in the workflow and in the inbox. Reminders already
        set keep their moments."""
        for task in [t for t in self.tasks.values() if t.view.kind == kind and t.completed is None]:
            day = day_of(task.context)
            if day is None or (task.view.available_from, task.view.due_on) == (day, day):
                continue
            task.view.available_from = task.view.due_on = day
            await self._project(task)
        self.details(self.describe())

    async def _wait(self, task: _OpenTask, cancel_when: Callable[[], bool] | None = None,
                    escalate: bool = True) -> None:
        """Wait for completion; remind before the due date, escalate once it has passed."""
        if cancel_when is None:
            def settled() -> bool:
                return task.completed is not None
        else:
            def settled() -> bool:
                return task.completed is not None or cancel_when()
        due = task.view.due_on
        assert due is not None
        moments: list[tuple[datetime, Literal["reminder", "escalation"]]] = [
            (start_of(due - timedelta(days=d)) + timedelta(hours=NOTICE_HOUR.hour), "reminder")
            for d in sorted(self.reminder_days_before, reverse=True)]
        if escalate:
            moments.append((start_of(due + timedelta(days=1)), "escalation"))
        for moment, notice in moments:
            wait = moment - workflow.now()
            if wait <= timedelta(0):
                continue  # opened after this reminder would have gone out
            try:
                what = f"{_NOTICE_ZH[notice]}：{_zh(task.view.kind, task.view.title)}"
                await workflow.wait_condition(settled, timeout=wait, timeout_summary=what)
                return
            except TimeoutError:
                if notice == "escalation" and task.deadline:  # the diagram's boundary timer
                    self.passed(f"{task.view.kind}_overdue")
                queued: NoticesQueued = await self.incidents.execute(
                    InboxActivities.notify_task,
                    TaskNotice(task_id=task.view.task_id, notice=notice, workflow_id=self.owner_id,
                               subject=self.subject, at=workflow.now(), view=task.view),
                    start_to_close_timeout=timedelta(seconds=30),
                    summary=f"{_NOTICE_ZH[notice]}：{_zh(task.view.kind, task.view.title)}",
                )
                self.mail.deliver(queued.keys, f"{notice}: {task.view.title}")
                if notice == "escalation" and task.deadline:
                    self.passed(f"{task.view.kind}_escalated")
        await workflow.wait_condition(settled)

    # -------------------------------------------------------------------------------- the Update
    def validate(self, completion: TaskCompletion) -> None:
        task = self.tasks.get(completion.task_id)
        if task is None or task.completed is not None:
            raise refuse(Refusal.TASK_NOT_OPEN, f"Task {completion.task_id} is not open: it was completed, "
                         "cancelled, or never opened by this process.")
        actor, view = completion.actor, task.view
        if view.assignee_id is not None and actor.staff_id != view.assignee_id:
            raise refuse(Refusal.NOT_ASSIGNED, f"Task '{view.title}' is assigned to someone else.")
        if view.role not in actor.roles:
            raise refuse(Refusal.NOT_ASSIGNED, f"Task '{view.title}' needs the role {view.role.value}.")
        if actor.staff_id in task.excluded:
            raise refuse(Refusal.CONFLICT_OF_IMPARTIALITY,
                         "You took part in this audit, so you may not make or review its decision.",
                         rule_id="R-9.1.9.n1")
        payload = self._parse(task, completion)
        if self.dates_are_facts:
            self._refuse_the_future(payload, view)
        if task.check is not None:
            try:
                task.check(payload, actor, completion.facts)
            except RuleViolation as exc:
                raise refuse(Refusal.RULE_VIOLATION, exc.reason, rule_id=exc.rule_id) from None

    def accept(self, completion: TaskCompletion) -> TaskReceipt:
        self.validate(completion)  # the state may have moved since the validator ran
        task = self.tasks[completion.task_id]
        task.completed = Completed(self._parse(task, completion), completion.actor, workflow.now(), task.view,
                                   task.context, completion.facts)
        self.done.append(task.completed)
        return TaskReceipt(task_id=task.view.task_id, kind=task.view.kind, accepted_at=workflow.now(),
                           message=f"'{task.view.title}' completed by {completion.actor.name}.")

    @staticmethod
    def _refuse_the_future(payload: Payload, view: TaskView) -> None:
        """Nothing is recorded as done before the process's clock says it happened."""
        future = [f"{where} {day}" for where, day in happened_dates(payload) if day > today()]
        if future:
            raise refuse(Refusal.RULE_VIOLATION, f"'{view.title}' records a day that has not come yet (today is "
                         f"{today()}): {', '.join(future)}", rule_id=view.rule_id)

    @staticmethod
    def _parse(task: _OpenTask, completion: TaskCompletion) -> Payload:
        try:
            return task.payload_type.model_validate(completion.payload)
        except ValidationError as exc:
            errors = [{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors()]
            where = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'payload'}: {e['msg']}" for e in errors)
            raise refuse(Refusal.INVALID_PAYLOAD, f"The payload is not valid: {where}", errors=errors) from None

    def completed(self, kind: str) -> list[Completed]:
        return [c for c in self.done if c.view.kind == kind]

    async def wait_for(self, kind: str) -> TaskView:
        """Block until a task of ``kind`` is open and listed in the inbox (for the API's "what next" and for
        tests: what it answers can be read from the inbox at once)."""
        def listed() -> list[TaskView]:
            return [t.view for t in self.tasks.values() if t.completed is None and t.listed and t.view.kind == kind]

        await workflow.wait_condition(lambda: bool(listed()))
        return listed()[0]

    # ------------------------------------------------------------------------------------ views
    def views(self) -> list[TaskView]:
        return [t.view for t in self.tasks.values() if t.completed is None]

    def unclosed(self) -> list[str]:
        """The tasks this process is done with (completed or withdrawn) that the inbox has not closed yet."""
        return sorted(self.closings.unclosed)

    def describe(self) -> str:
        """What the process waits for, in the body's words (the Temporal UI's current details): each open
        task with its due date, or, with none open, the element it is in by its name in the model."""
        open_views = self.views()
        if not open_views:
            here = self.current_element()
            return f"进行中：{element_names().get(here, here)}" if here else "正在开始"
        parts = []
        for v in open_views:
            due = f"期限 {v.due_on}{'（暂定）' if v.due_provisional else ''}"
            if v.available_from is not None and v.available_from > today():  # dates are facts
                due += "（不早于当日）" if v.available_from == v.due_on else f"（{v.available_from} 起）"
            title = TITLES_ZH.get(v.kind, v.title)
            parts.append(f"等待「{title}」，{due}" + (f"（{v.rule_id}）" if v.rule_id else ""))
        return "；".join(parts)


class HumanTasks(IncidentHandlers):
    """The Updates every workflow with human tasks answers, for the API and for tests: ``complete_task``
    (validated before anything reaches history) and ``wait_for_task``, and those of its incidents
    (``IncidentHandlers``). The workflow sets ``self.board``."""

    board: TaskBoard | None = None
    starting_message = "The process is still starting; try again in a moment."

    def _accepting_tasks(self) -> bool:
        return self.board is not None

    @workflow.update(name="complete_task")
    async def complete_task(self, completion: TaskCompletion) -> TaskReceipt:
        assert self.board is not None  # the validator refused before the board was set
        return self.board.accept(completion)

    @complete_task.validator
    def _validate_completion(self, completion: TaskCompletion) -> None:
        if not self._accepting_tasks():
            raise refuse(Refusal.TASK_NOT_OPEN, self.starting_message)
        assert self.board is not None
        self.board.validate(completion)

    @workflow.query(name="elements")
    def elements(self) -> list[ElementVisit]:
        """The elements this run has passed and is in, with times, for the live process view."""
        return list(self.board.trace) if self.board else []

    @workflow.update(name="wait_for_task")
    async def wait_for_task(self, kind: str) -> TaskView:
        """Block until a task of ``kind`` is open (the API's "what next", and tests)."""
        await workflow.wait_condition(self._accepting_tasks)
        assert self.board is not None
        return await self.board.wait_for(kind)
