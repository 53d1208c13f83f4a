"""Two engines, one path: a run's recorded trace (query ``elements``) replayed as a token game in an
independent BPMN engine, SpiffWorkflow, on the model the run follows (workflows/model.py, written as
bpmn/*.bpmn by certflow/bpmn.py).

The engine gets what the code decided, as the process variables the model's conditions read: at a
gateway the trace passed, the flow towards the element the trace recorded next from there (its
``decision``); timers fire by the journey's clock (each timer's variable is the time the trace
recorded passing it, or never); messages arrive where the trace received them (the application, a
staff action, the next cycle). The engine must then open the same user tasks in the same order as the
code, leave open what the code left open, close what the code withdrew, and reach the same end.

A called audit is another run with its own trace and its own game: in a certification's game the call
activities run a blank ``audit`` process.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.service_task import ServiceTask
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.bpmn.util.event import EventManager
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from certflow.bpmn import to_xml
from certflow.trace_decisions import AUDIT_CONCLUDED, SAME_STEP, TraceDecisions
from schemas.tasking import ElementVisit
from workflows.model_elements import SIGNALS, Element, ProcessModel


class Divergence(Exception):
    """The engine cannot follow the trace."""


class _Clock(datetime):
    """The journey's clock, for SpiffWorkflow's timers while a game runs (they ask ``datetime.now``)."""

    moment = datetime.min.replace(tzinfo=UTC)

    @classmethod
    def now(cls, tz=None):
        return cls.moment + timedelta(microseconds=1)


@contextlib.contextmanager
def _journey_clock() -> Iterator[type[_Clock]]:
    real = spiff_timer.datetime
    _Clock.moment = datetime.min.replace(tzinfo=UTC)  # each game's clock starts with its trace
    spiff_timer.datetime = _Clock
    try:
        yield _Clock
    finally:
        spiff_timer.datetime = real


def play(model: ProcessModel, trace: list[ElementVisit]) -> list[str]:
    """What the engine does differently from ``trace`` on ``model``; empty when it takes the same path."""
    if not trace:
        return []
    with _journey_clock():
        try:
            return _Game(model, trace).play()
        except Divergence as found:
            return [f"{model.file}.bpmn: {found}"]
        except WorkflowException as stopped:  # e.g. a gateway none of whose conditions holds
            return [f"{model.file}.bpmn: the engine stopped: {stopped}"]


def blank_audit() -> ProcessModel:
    """What a certification's call activities run in its game: an audit that takes the time the code's
    took (the audit plays its own trace in its own game)."""
    m = ProcessModel("audit", "audit", "审查（另行验证）", "", lanes=[("certflow", "certflow")])
    m.add("start", "audit_started", "审查开始", "certflow")
    m.add("timer", "audit_concludes", "审查完成", "certflow", timer=AUDIT_CONCLUDED)
    m.add("end", "concluded", "审查完成", "certflow")
    m.chain("audit_started", "audit_concludes", "concluded")
    return m


class _EventManager(EventManager):
    """SpiffWorkflow's, with its list of waiting events made again from the tasks before each event: its
    own bookkeeping loses the waiting events of subprocesses when a boundary event cancels one."""

    def catch(self, event, internal=True):
        self.tasks = {t.id: t for t in self.workflow.get_tasks(state=TaskState.WAITING)
                      if isinstance(t.task_spec, CatchingEvent)}
        return super().catch(event, internal)


class _Game:
    def __init__(self, model: ProcessModel, trace: list[ElementVisit]) -> None:
        self.model, self.trace = model, trace
        self.variables: dict[str, object] = {}
        parser = BpmnParser()
        # the semantics only: the engine reads no drawing, and laying one out takes seconds per journey
        parser.add_bpmn_str(to_xml(model, diagrams=False).encode(), f"{model.file}.bpmn")
        if any(e.kind == "call" for e in model.elements):
            parser.add_bpmn_str(to_xml(blank_audit(), diagrams=False).encode(), "audit.bpmn")
        environment = TaskDataEnvironment()
        environment.globals = self.variables  # the same dict, as the game sets it
        self.workflow = BpmnWorkflow(parser.get_spec(model.id), parser.get_subprocess_specs(model.id),
                                     script_engine=PythonScriptEngine(environment=environment))
        self.workflow.event_manager = _EventManager(self.workflow)
        self.decided = TraceDecisions(model, trace)
        self.claims: dict[object, int] = {}  # engine task id → the trace index of the code's task it is
        self.opened_at: dict[object, datetime] = {}  # engine task id → when (the journey's clock) it opened
        self.entered: set[object] = set()  # the subprocesses the engine has entered
        self.passed: Counter[str] = Counter()
        for e in model.elements:  # one instance per item: as many as the trace has (a visit per planned visit)
            if e.each:
                items = list(range(sum(v.element_id == e.code_id for v in trace)))
                for task in self.workflow.get_tasks():
                    task.data[e.each] = items

    # ------------------------------------------------------------------ what the code decided
    def kind(self, mark: str) -> Element:
        return self.decided.element(mark)

    def _decide(self, cursor: int) -> None:
        """The variables as the code had them after trace position ``cursor``."""
        self.variables.update(self.decided.variables(cursor))

    # ------------------------------------------------------------------ the engine
    def advance(self, moment: datetime | None) -> None:
        if moment is not None and moment > _Clock.moment:
            _Clock.moment = moment
        self.run()

    def run(self) -> None:
        """Engine steps until only user tasks and waiting events are left; service tasks are certflow's
        activities, done when the engine reaches them."""
        while True:
            self.workflow.refresh_timers()
            self.workflow.do_engine_steps(did_complete_task=self._count)
            started = [t for t in self.workflow.get_tasks(state=TaskState.STARTED) if isinstance(t.task_spec,
                                                                                                   ServiceTask)]
            for task in started:
                task.complete()
            if not started:
                break
        for task in self.ready():
            self.opened_at.setdefault(task.id, _Clock.moment)
        for task in self.workflow.get_tasks(state=TaskState.STARTED | TaskState.COMPLETED):
            element = self._element(task)  # a subprocess or call is passed when it is entered
            if element is not None and element.kind in ("sub", "call") and task.id not in self.entered:
                self.entered.add(task.id)
                self.passed[element.code_id] += 1

    def _count(self, task: Task) -> None:
        element = self._element(task)
        if element is not None and element.kind not in ("sub", "call"):
            self.passed[element.code_id] += 1

    def _element(self, task: Task) -> Element | None:
        spec = getattr(task.task_spec, "bpmn_id", None)
        try:
            return self.model.element(spec) if spec else None
        except StopIteration:
            return None

    def ready(self) -> list[Task]:
        found = []
        for task in self.workflow.get_tasks(state=TaskState.READY):
            element = self._element(task)
            if element is not None and element.kind == "user":
                found.append(task)
        return found

    def receive(self, message: str) -> None:
        self.workflow.catch(BpmnEvent(MessageEventDefinition(message)))

    # ------------------------------------------------------------------ the game
    def play(self) -> list[str]:
        self._decide(0)
        self.run()
        self._begin()
        for k, visit in enumerate(self.trace):
            element = self.kind(visit.element_id)
            self._catch_up(k)
            if element.kind == "start" and element.message and element.parent is not None:
                self._decide(k)
                self.receive(element.message or "")
                self.advance(visit.entered_at)
            elif element.timer:
                self._decide(k)
                self.advance(visit.entered_at)
            elif element.kind == "user":
                self._claim(k, visit)
        self._finish()
        return self._differences()

    def _begin(self) -> None:
        """Start as the run started: on its application, or (continued as new) at the next cycle, and then
        in the state it continued in (suspended)."""
        first = self.kind(self.trace[0].element_id)
        starts = [e for e in self.model.inside(None) if e.kind == "start"]
        start = first if first in starts else next(e for e in starts if not e.recorded)
        if start.message:
            self.receive(start.message)
        self.advance(self.trace[0].entered_at)
        if start is first:
            return
        for point in self.model.resumes:
            resume = self.model.element(point)
            if resume.signal and point not in {v.element_id for v in self.trace} and any(
                    _within(self.model, self.kind(v.element_id), resume.parent) for v in self.trace):
                self.workflow.catch(BpmnEvent(SignalEventDefinition(SIGNALS[resume.signal])))
                self.run()

    def _claim(self, k: int, visit: ElementVisit) -> None:
        """The code opened this user task: the engine must have it open (else it completes, earliest first,
        the tasks the code had completed by then)."""
        while True:
            waiting = [t for t in self.ready() if t.id not in self.claims
                       and self.kind(visit.element_id).code_id == self._element(t).code_id]  # type: ignore[union-attr]
            if waiting:
                self.claims[min(waiting, key=lambda t: self.opened_at[t.id]).id] = k
                return
            done = self._completable(before=visit.entered_at)
            if done is None:
                if _Clock.moment < visit.entered_at:
                    self.advance(visit.entered_at)
                    continue
                open_now = sorted(self._element(t).code_id for t in self.ready())  # type: ignore[union-attr]
                before = " → ".join(v.element_id for v in self.trace[max(0, k - 3):k])
                raise Divergence(f"the code opened {visit.element_id} after {before} (trace position {k}); "
                                 f"the engine does not: it has open {open_now or 'nothing'}")
            self._complete(done)

    def _completable(self, before: datetime | None, went_on: bool = False) -> Task | None:
        """Of the engine's open tasks, the one the code completed first (by ``before``, when given; with
        ``went_on``, only one after which the code recorded what came next)."""
        done = []
        for task in self.ready():
            k = self.claims.get(task.id)
            if k is None:
                continue
            visit = self.trace[k]
            if visit.left_at is None or visit.outcome != "completed" or (before is not None and visit.left_at > before):
                continue
            if went_on and not self.decided.went_on(k):
                continue
            done.append((visit.left_at, k, task))
        return min(done, key=lambda d: (d[0], d[1]))[2] if done else None

    @property
    def ended(self) -> bool:
        """Did the code end the run (its trace's last element a process end, or one that ends the cycle)?"""
        last = self.kind(self.trace[-1].element_id)
        return last.kind == "end" and (last.parent is None or last.terminate)

    def _catch_up(self, until: int) -> None:
        """Complete the open tasks after which the code recorded what came next before trace position
        ``until``: the code had completed them by then."""
        while True:
            done = [(k, t) for t in self.ready() if (k := self.claims.get(t.id)) is not None
                    and self.trace[k].outcome == "completed" and self.decided.went_on(k, until)]
            if not done:
                return
            self._complete(min(done, key=lambda d: d[0])[1])

    def _complete(self, task: Task) -> None:
        k = self.claims[task.id]
        self._decide(k)
        self.passed[self.trace[k].element_id] += 1
        task.complete()
        self.advance(self.trace[k].left_at)

    def _finish(self) -> None:
        """Complete what the code completed and went on from (a task it completed without recording what
        came next, the run was ended in between: the engine waits there); let the clock run to the trace's
        last moment."""
        while (task := self._completable(before=None, went_on=True)) is not None:
            self._complete(task)
        last = max(v.left_at or v.entered_at for v in self.trace)
        self._decide(len(self.trace))
        self.advance(last)

    def _differences(self) -> list[str]:
        problems = []
        opened = sorted((k, self.opened_at[task]) for task, k in self.claims.items())
        for (a, engine_a), (b, engine_b) in ((x, y) for x in opened for y in opened if x[0] < y[0]):
            if self.trace[a].entered_at < self.trace[b].entered_at and engine_b < engine_a:
                problems.append(f"the code opened {self.trace[a].element_id} before {self.trace[b].element_id}; "
                                "the engine after it")
                break
        # What the engine opened in the trace's last step the code, still running, may not have recorded yet.
        settled = max(v.entered_at for v in self.trace) - SAME_STEP
        extra = sorted(self._element(t).code_id for t in self.ready()  # type: ignore[union-attr]
                       if t.id not in self.claims and (self.ended or self.opened_at[t.id] < settled))
        if extra:
            problems.append(f"the engine opens {extra}, which the code did not open")
        still = {self.claims[t.id] for t in self.ready() if t.id in self.claims}
        for k, visit in enumerate(self.trace):
            if self.kind(visit.element_id).kind == "user" and visit.outcome == "withdrawn" and k in still:
                problems.append(f"the code withdrew {visit.element_id} (trace position {k}); the engine keeps it open")
        # Not counted: tasks the code withdrew (see above), and a last gateway the code did not go on from
        # (the engine waits before it, its decision unknown).
        recorded = Counter(v.element_id for j, v in enumerate(self.trace) if v.outcome != "withdrawn"
                           and (j not in self.decided.at or self.decided.went_on(j) or self.ended))
        open_now = Counter(self.trace[k].element_id for k in still)
        for mark, times in recorded.items():
            if self.passed[mark] + open_now[mark] < times:
                problems.append(f"the code passed {mark} {times}×, the engine {self.passed[mark]}×")
        last = self.kind(self.trace[-1].element_id)
        if self.ended != self.workflow.is_completed():
            problems.append(f"the code {'ended at ' + last.id if self.ended else 'has not ended'}; the engine "
                            f"{'has ended' if self.workflow.is_completed() else 'has not'}")
        return problems


def _within(model: ProcessModel, element: Element, container: str | None) -> bool:
    parent = element.parent
    while parent is not None:
        if parent == container:
            return True
        parent = model.element(parent).parent
    return False
