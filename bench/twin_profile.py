"""The bare-Temporal twin's profile, generated from certflow's recorded histories (tests/histories/), so
that the twin does what certflow does and nothing else: the same workflow tasks, activities (by name,
with the sizes of their payloads), timers, Updates and child workflows, in the same order.

Each history becomes a *script*: the workflow's own steps in the order its events were written (start
an activity, wait for it, start a timer, cancel it, accept an Update, complete it, start a child, wait
for it), and a *driver*: the Updates a client sent it, in order, each with whether the client waited
for its answer before sending the next. A child is scripted from the recorded history of the same kind
(``-initial-``, ``-surveillance-`` …) when its own was not recorded.

``python -m bench.twin_profile`` writes bench/twin_profile.json afresh; tests/bench/test_twin_profile.py
checks that the committed file is what today's histories give (so the twin stays the twin).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory

IO_QUEUE_SUFFIX = "-io"  # certflow's I/O worker's queue, workflows/mail.py (a test keeps the two the same)

ROOT = Path(__file__).resolve().parents[1]
HISTORY_DIR = ROOT / "tests" / "histories"
PROFILE_FILE = Path(__file__).resolve().parent / "twin_profile.json"
# Scenarios the twin can run: their first (root) history; children are found from it.
SCENARIOS = {"grant": "grant-CertificationWorkflow.json", "life-cycle1": "life-cycle1-CertificationWorkflow.json"}
# The Updates certflow's API sends (api/tasks.py, api/certificates.py, api/audits.py, api/incidents.py); the
# others in the histories (wait_for_task, wait_for_stage, wait_for_life …) are the tests waiting.
LOCAL_ACTIVITY_MARKER = "core_local_activity"  # the SDK core's marker for a local activity's result
OWN_UPDATES = frozenset({"complete_task", "act", "revise_programme", "retry_incident"})

TwinProfile = dict[str, Any]


def _size(payloads: Any) -> int:
    return sum(len(p.data) for p in payloads.payloads)


def _queue_of(task_queue: str) -> str:
    """Where a recorded activity went: "io" for the I/O worker's queue (``<queue>-io``, workflows/mail.py),
    "own" for the workflow's own."""
    return "io" if task_queue.endswith(IO_QUEUE_SUFFIX) else "own"


def _kind(event: HistoryEvent) -> str:
    return EventType.Name(event.event_type).removeprefix("EVENT_TYPE_")


class _Scripter:
    """Walks one history's events and writes down the workflow's steps and its client's Updates."""

    def __init__(self) -> None:
        self.script: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.counts: Counter[str] = Counter()
        self.activities: dict[str, Counter[str]] = defaultdict(Counter)
        self.update_names: Counter[str] = Counter()
        self.children: list[str] = []
        self._activity_of: dict[int, int] = {}  # scheduled event id -> step
        self._timer_of: dict[str, int] = {}
        self._update_of: dict[str, int] = {}
        self._child_of: dict[int, int] = {}

    def step(self, op: str, **fields: Any) -> dict[str, Any]:
        entry = {"op": op, **fields}
        self.script.append(entry)
        return entry

    def event(self, e: HistoryEvent) -> None:
        kind = _kind(e)
        handler = getattr(self, f"on_{kind.lower()}", None)
        if handler is not None:
            handler(e)

    def on_workflow_task_completed(self, e: HistoryEvent) -> None:
        self.counts["workflow_tasks"] += 1

    def on_workflow_task_failed(self, e: HistoryEvent) -> None:
        self.counts["workflow_task_failures"] += 1

    def on_activity_task_scheduled(self, e: HistoryEvent) -> None:
        a = e.activity_task_scheduled_event_attributes
        self._activity_of[e.event_id] = len(self._activity_of)
        self.step("activity", id=self._activity_of[e.event_id], name=a.activity_type.name,
                  input_bytes=_size(a.input), result_bytes=0, queue=_queue_of(a.task_queue.name))
        self.counts["activities"] += 1
        self.activities[a.activity_type.name]["count"] += 1
        self.activities[a.activity_type.name]["input_bytes"] += _size(a.input)

    def on_activity_task_completed(self, e: HistoryEvent) -> None:
        a = e.activity_task_completed_event_attributes
        number = self._activity_of[a.scheduled_event_id]
        start = next(s for s in self.script if s["op"] == "activity" and s["id"] == number)
        start["result_bytes"] = _size(a.result)
        self.activities[start["name"]]["result_bytes"] += _size(a.result)
        self.step("activity_done", id=number)

    def on_timer_started(self, e: HistoryEvent) -> None:
        self._timer_of[e.timer_started_event_attributes.timer_id] = len(self._timer_of)
        self.step("timer", id=self._timer_of[e.timer_started_event_attributes.timer_id], fires=False)
        self.counts["timers"] += 1

    def on_timer_fired(self, e: HistoryEvent) -> None:
        number = self._timer_of[e.timer_fired_event_attributes.timer_id]
        next(s for s in self.script if s["op"] == "timer" and s["id"] == number)["fires"] = True
        self.step("timer_fired", id=number)
        self.counts["timers_fired"] += 1

    def on_timer_canceled(self, e: HistoryEvent) -> None:
        self.step("timer_cancel", id=self._timer_of[e.timer_canceled_event_attributes.timer_id])
        self.counts["timers_canceled"] += 1

    def on_workflow_execution_update_accepted(self, e: HistoryEvent) -> None:
        a = e.workflow_execution_update_accepted_event_attributes
        name = a.accepted_request.input.name
        number = len(self._update_of)
        self._update_of[a.accepted_request.meta.update_id] = number
        self.step("accept", id=number)
        self.updates.append({"name": name, "input_bytes": _size(a.accepted_request.input.args), "result_bytes": 0,
                             "await_result": True, "own": name in OWN_UPDATES})
        self.counts["updates"] += 1
        self.counts["own_updates" if name in OWN_UPDATES else "test_updates"] += 1
        self.update_names[name] += 1
        if number and not any(s["op"] == "complete" and s["id"] == number - 1 for s in self.script):
            self.updates[number - 1]["await_result"] = False  # sent before the previous one had its answer

    def on_workflow_execution_update_completed(self, e: HistoryEvent) -> None:
        a = e.workflow_execution_update_completed_event_attributes
        number = self._update_of[a.meta.update_id]
        self.updates[number]["result_bytes"] = _size(a.outcome.success)
        self.step("complete", id=number)

    def on_workflow_execution_signaled(self, e: HistoryEvent) -> None:
        self.counts["signals"] += 1  # certflow sends none today; counted so a new one is seen

    def on_start_child_workflow_execution_initiated(self, e: HistoryEvent) -> None:
        a = e.start_child_workflow_execution_initiated_event_attributes
        self._child_of[e.event_id] = len(self._child_of)
        self.children.append(a.workflow_id)
        self.step("child", id=self._child_of[e.event_id], workflow_id=a.workflow_id, history=None)
        self.counts["children"] += 1

    def on_child_workflow_execution_completed(self, e: HistoryEvent) -> None:
        number = self._child_of[e.child_workflow_execution_completed_event_attributes.initiated_event_id]
        self.step("child_done", id=number)

    def on_marker_recorded(self, e: HistoryEvent) -> None:
        a = e.marker_recorded_event_attributes
        if a.marker_name != LOCAL_ACTIVITY_MARKER:
            self.counts["markers"] += 1  # workflow.patched: no twin step
            return
        # A local activity (workflows/local_steps.py): its marker names it and holds its result;
        # its input is not kept in history, so the twin's is empty.
        name = json.loads(a.details["data"].payloads[0].data)["activity_type"]
        result = _size(a.details["result"]) if "result" in a.details else 0
        self.step("local_activity", id=self.counts["local_activities"], name=name, result_bytes=result)
        self.counts["local_activities"] += 1
        self.activities[name]["local"] += 1
        self.activities[name]["result_bytes"] += result

    def on_upsert_workflow_search_attributes(self, e: HistoryEvent) -> None:
        self.counts["search_attribute_upserts"] += 1  # no twin step: the dev server's own attributes

    def on_workflow_execution_continued_as_new(self, e: HistoryEvent) -> None:
        self.counts["continued_as_new"] += 1


def profile_history(workflow_id: str, text: str) -> dict[str, Any]:
    """One history's type, counts, script and driver."""
    history = WorkflowHistory.from_json(workflow_id, text)
    scripter = _Scripter()
    for event in history.events:
        scripter.event(event)
    first = history.events[0].workflow_execution_started_event_attributes
    return {
        "workflow_id": workflow_id, "workflow_type": first.workflow_type.name, "events": len(history.events),
        "start_input_bytes": _size(first.input), "counts": dict(sorted(scripter.counts.items())),
        "activities": {name: dict(c) for name, c in sorted(scripter.activities.items())},
        "updates": dict(sorted(scripter.update_names.items())), "script": scripter.script,
        "driver": scripter.updates,
    }


def _stand_in(workflow_id: str, by_id: dict[str, str], files: dict[str, dict[str, Any]]) -> str | None:
    """The recorded history of child ``workflow_id``, or one of the same kind of audit."""
    if workflow_id in by_id:
        return by_id[workflow_id]
    kind = re.search(r"-([a-z_]+)-\d+$", workflow_id)
    same = sorted(f for f, p in files.items() if kind and p["workflow_id"].endswith(f"-{kind.group(1)}-1"))
    return same[0] if same else None


def profile_from_histories(paths: list[Path], index: dict[str, str]) -> TwinProfile:
    """The twin's profile from the histories at ``paths`` (``index`` gives each file's workflow id)."""
    files = {p.name: profile_history(index[p.name], p.read_text(encoding="utf-8")) for p in sorted(paths)}
    by_id = {p["workflow_id"]: name for name, p in files.items()}
    for entry in files.values():
        for step in entry["script"]:
            if step["op"] == "child":
                step["history"] = _stand_in(step["workflow_id"], by_id, files)
    by_type: dict[str, Counter[str]] = defaultdict(Counter)
    for entry in files.values():
        by_type[entry["workflow_type"]].update(entry["counts"] | {"histories": 1, "events": entry["events"]})
    scenarios = {name: scenario_totals(root, files) for name, root in SCENARIOS.items() if root in files}
    return {"source": "tests/histories", "histories": files, "scenarios": scenarios,
            "by_workflow_type": {t: dict(sorted(c.items())) for t, c in sorted(by_type.items())}}


def scenario_histories(root: str, files: dict[str, dict[str, Any]]) -> list[str]:
    """The root history and, through its child steps, every history the scenario runs (with repeats)."""
    found = [root]
    for step in files[root]["script"]:
        if step["op"] == "child" and step["history"]:
            found += scenario_histories(step["history"], files)
    return found


def scenario_totals(root: str, files: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What one run of the scenario does in all its workflows, and the events certflow's histories had."""
    totals: Counter[str] = Counter()
    chosen = scenario_histories(root, files)
    for name in chosen:
        totals.update(files[name]["counts"] | {"events": files[name]["events"]})
    return {"root": root, "histories": chosen, "counts": dict(sorted(totals.items()))}


def generate() -> TwinProfile:
    index = json.loads((HISTORY_DIR / "index.json").read_text(encoding="utf-8"))
    # Histories kept from an earlier release (named by its date, docs/upgrades.md) are replayed, not twinned.
    return profile_from_histories([HISTORY_DIR / name for name in index if not name[:1].isdigit()], index)


def load_profile(path: Path = PROFILE_FILE) -> TwinProfile:
    return json.loads(path.read_text(encoding="utf-8"))


def render(profile: TwinProfile) -> str:
    return json.dumps(profile, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    PROFILE_FILE.write_text(render(generate()), encoding="utf-8")
    print(f"wrote {PROFILE_FILE.relative_to(ROOT)}")
