"""``life`` tells the events of a cycle as in production from those the tests' waiting Updates add
(bench/life.py): their Update events, and the workflow tasks nothing but such an Update woke."""

from __future__ import annotations

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory

from bench.life import count_events, tasks_for_tests_alone


class Events:
    """A history written event by event, ids in order."""

    def __init__(self) -> None:
        self.events: list[HistoryEvent] = []

    def add(self, kind: str) -> HistoryEvent:
        event = HistoryEvent(event_id=len(self.events) + 1, event_type=getattr(EventType, f"EVENT_TYPE_{kind}"))
        self.events.append(event)
        return event

    def task(self) -> int:
        """A workflow task: scheduled, started, completed; the id of its scheduled event."""
        scheduled = self.add("WORKFLOW_TASK_SCHEDULED").event_id
        self.add("WORKFLOW_TASK_STARTED")
        self.add("WORKFLOW_TASK_COMPLETED")
        return scheduled

    def update(self, name: str, update_id: str, completed: bool = True) -> None:
        accepted = self.add("WORKFLOW_EXECUTION_UPDATE_ACCEPTED").workflow_execution_update_accepted_event_attributes
        accepted.accepted_request.meta.update_id = update_id
        accepted.accepted_request.input.name = name
        if completed:
            self.complete(update_id)

    def complete(self, update_id: str) -> None:
        self.add("WORKFLOW_EXECUTION_UPDATE_COMPLETED").workflow_execution_update_completed_event_attributes \
            .meta.update_id = update_id


def test_only_the_tasks_a_waiting_update_alone_woke_are_the_tests():
    h = Events()
    h.add("WORKFLOW_EXECUTION_STARTED")
    h.task()  # the run's first
    h.add("ACTIVITY_TASK_SCHEDULED")
    waited = h.task()  # nothing woke it: the test asked where the process is
    h.update("wait_for_task", "w1")
    h.task()  # a completion (certflow's own Update) wakes this one
    h.update("complete_task", "c1")
    h.add("ACTIVITY_TASK_COMPLETED")
    h.task()  # the activity woke it; a waiting Update accepted on the way adds no task
    h.update("wait_for_stage", "w2", completed=False)
    h.add("TIMER_FIRED")
    h.task()
    h.complete("w2")
    history = WorkflowHistory("certification-x", h.events)
    names = {"w1": "wait_for_task", "c1": "complete_task", "w2": "wait_for_stage"}
    assert tasks_for_tests_alone(history, names) == [waited]
    counts = count_events(history)
    assert counts["test_task_events"] == 3 and counts["test_update_events"] == 4 and counts["own_update_events"] == 2
