"""``life``: a full three-year life (bench/life_driver.py) on the time-skipping server with certflow's real
workflows, activities, PostgreSQL and mail: its wall time and the history events of its first validity
cycle (the first run of the certification and the audits it started), by workflow type, with the
events of the tests' waiting Updates told apart from those of certflow's own.

The baseline is the twin (bench/twin_profile.json): the events the same workflow tasks, activities,
timers, Updates and children cost bare Temporal, as recorded for the same life (scenario ``life-cycle1``).
Below scale 0.5 only the initial certification runs (the smoke test), against the ``grant`` scenario.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory

from bench.certflow_parts import certflow_parts, search_attributes
from bench.harness import Run, bench, ratio
from bench.life_driver import LifeDriver
from bench.twin_profile import OWN_UPDATES, load_profile, profile_history

UPDATE_EVENTS = {EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
                 EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED}


@asynccontextmanager
async def time_skipping(search: dict[str, str]) -> AsyncIterator[Any]:
    """The time-skipping test server (temporal-test-server wheel) with certflow's search attributes."""
    from temporalio.api.enums.v1 import IndexedValueType
    from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
    from temporalio.contrib.pydantic import pydantic_data_converter
    from temporalio.testing import WorkflowEnvironment

    from certflow.embedded import venv_binary

    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter, test_server_existing_path=venv_binary("temporal-test-server"))
    try:
        kinds = {"Keyword": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
                 "Text": IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
                 "Datetime": IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
                 "KeywordList": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST}
        await env.client.operator_service.add_search_attributes(AddSearchAttributesRequest(
            namespace=env.client.namespace, search_attributes={n: kinds[k] for n, k in search.items()}))
        yield env
    finally:
        await env.shutdown()


def count_events(history: WorkflowHistory) -> dict[str, int]:
    """Events, workflow tasks, the Update events of certflow's own Updates against the tests', and the
    events of the workflow tasks only the tests' Updates brought about (``test_task_events``)."""
    own = test = 0
    names: dict[str, str] = {}
    for e in history.events:
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
            a = e.workflow_execution_update_accepted_event_attributes
            names[a.accepted_request.meta.update_id] = a.accepted_request.input.name
        if e.event_type in UPDATE_EVENTS:
            meta = (e.workflow_execution_update_accepted_event_attributes.accepted_request.meta
                    if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
                    else e.workflow_execution_update_completed_event_attributes.meta)
            if names.get(meta.update_id) in OWN_UPDATES:
                own += 1
            else:
                test += 1
    tasks = sum(e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED for e in history.events)
    return {"events": len(history.events), "workflow_tasks": tasks, "own_update_events": own,
            "test_update_events": test, "test_task_events": 3 * len(tasks_for_tests_alone(history, names))}


# What wakes a workflow task up, as its history shows it before the task is scheduled. A task scheduled with
# none of these since the last one completed was asked for by an Update (or is the run's first).
WAKING = {getattr(EventType, f"EVENT_TYPE_{name}") for name in (
    "WORKFLOW_EXECUTION_STARTED", "ACTIVITY_TASK_COMPLETED", "ACTIVITY_TASK_FAILED", "ACTIVITY_TASK_TIMED_OUT",
    "ACTIVITY_TASK_CANCELED", "TIMER_FIRED", "WORKFLOW_EXECUTION_SIGNALED", "WORKFLOW_EXECUTION_CANCEL_REQUESTED",
    "CHILD_WORKFLOW_EXECUTION_STARTED", "CHILD_WORKFLOW_EXECUTION_COMPLETED", "CHILD_WORKFLOW_EXECUTION_FAILED",
    "CHILD_WORKFLOW_EXECUTION_TERMINATED", "START_CHILD_WORKFLOW_EXECUTION_FAILED", "WORKFLOW_TASK_FAILED",
    "WORKFLOW_TASK_TIMED_OUT")}


def tasks_for_tests_alone(history: WorkflowHistory, names: dict[str, str]) -> list[int]:
    """The workflow tasks (their scheduled event's id) nothing woke but Updates, each of them one of the
    tests' waiting Updates: without the tests, those tasks would not have run."""
    found: list[int] = []
    woken, task, accepted = True, 0, list[str]()  # the run's start wakes its first task

    def close() -> None:
        if task and accepted and not any(name in OWN_UPDATES for name in accepted):
            found.append(task)

    for e in history.events:
        if e.event_type in WAKING:
            woken = True
        elif e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
            close()
            task, accepted = (0 if woken else e.event_id), []
        elif e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            woken = False
        elif e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
            update_id = e.workflow_execution_update_accepted_event_attributes.accepted_request.meta.update_id
            accepted.append(names[update_id])
    close()
    return found


async def cycle_histories(driver: LifeDriver, full: bool) -> dict[str, WorkflowHistory]:
    """The first run of the certification and the audits of its first cycle."""
    client, workflow_id = driver.env.client, driver.process().id
    kinds = ["initial-1"] + (["surveillance-1", "surveillance-2", "recertification-1"] if full else [])
    histories = {"CertificationWorkflow": await client.get_workflow_handle(
        workflow_id, run_id=driver.first_run_id).fetch_history()}
    for kind in kinds:
        audit = client.get_workflow_handle(f"audit-{workflow_id}-{kind}")
        histories[f"AuditWorkflow {kind}"] = await audit.fetch_history()
    return histories


def twin_events(counts: dict[str, int]) -> int:
    """The events of a twin with these counts: certflow's less its markers (workflow.patched) and search
    attribute upserts, which the twin does not write (same tasks, activities, timers, Updates, children)."""
    return counts["events"] - counts.get("markers", 0) - counts.get("search_attribute_upserts", 0)


def by_cause(counts: dict[str, int]) -> dict[str, int]:
    """Where the events go: each workflow task is 3 events, each activity 3, each local activity 1 (its
    marker), each Update 2, each timer 2."""
    return {"workflow_tasks": 3 * counts.get("workflow_tasks", 0), "activities": 3 * counts.get("activities", 0),
            "local_activities": counts.get("local_activities", 0),
            "own_updates": 2 * counts.get("own_updates", 0), "test_updates": 2 * counts.get("test_updates", 0),
            "timers": counts.get("timers", 0) + counts.get("timers_fired", 0) + counts.get("timers_canceled", 0),
            "children": 3 * counts.get("children", 0), "markers": counts.get("markers", 0),
            "search_attribute_upserts": counts.get("search_attribute_upserts", 0)}


@bench("life", "a three-year life on the time-skipping server: wall time, history events per cycle", slow=True)
async def life_bench(run: Run) -> dict[str, Any]:
    from workers.main import build_worker

    full = run.scale >= 0.5
    async with certflow_parts(run.workdir) as parts, time_skipping(search_attributes()) as env:
        queue = f"life-{uuid.uuid4().hex[:6]}"
        async with build_worker(env.client, parts.pool, queue, parts.mail):
            driver = LifeDriver(env, parts, queue)
            started = time.perf_counter()
            with run.progress("life (steps)", 4 if full else 1) as advance:
                await driver.grant()
                advance()
                if full:
                    await driver.surveillance(1, days_before=89)
                    advance()
                    await driver.surveillance(2, days_before=59)
                    advance()
                    await driver.recertification()
                    advance()
            wall = time.perf_counter() - started
            histories = await cycle_histories(driver, full)
    per_workflow = {name: count_events(h) for name, h in histories.items()}
    totals, counts = Counter[str](), Counter[str]()
    for name, history in histories.items():
        totals.update(per_workflow[name])
        profiled = profile_history(history.workflow_id, history.to_json())
        counts.update(profiled["counts"] | {"events": profiled["events"]})
    scenario = "life-cycle1" if full else "grant"
    recorded = load_profile()["scenarios"][scenario]["counts"]
    return {"path": "three-year life (grant, 2 surveillances, recertification)" if full else "initial certification",
            "wall_s": round(wall, 1), "events_per_cycle": totals["events"],
            # as in production: less the tests' waiting Updates and the workflow tasks only they woke
            "events_per_cycle_without_tests": totals["events"] - totals["test_update_events"]
            - totals["test_task_events"], "per_workflow": per_workflow,
            "totals": dict(totals), "counts": dict(counts), "events_by_cause": by_cause(counts),
            "mails": parts.mails(), "twin_events": twin_events(counts),
            "recorded": {"scenario": scenario, "events": recorded["events"], "twin_events": twin_events(recorded)},
            "ratio": ratio(totals["events"], twin_events(counts)),
            "baseline": "a twin doing this run's counts (its events less certflow's markers and upserts)"}
