"""The twin and bare Update benchmarks at a tiny scale: one JSON line each, and a twin that really does
what its profile says (its own history read back and counted)."""

from __future__ import annotations

import json

import pytest

from bench.harness import Run, run_benches
from bench.twin import bare_update_latencies, dev_server, run_twin
from bench.twin_profile import load_profile, profile_history
from certflow.bench_commands import load_benches

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def registered() -> None:
    load_benches()

COUNTED = ("activities", "local_activities", "timers", "timers_canceled", "updates", "children")


async def test_twin_and_update_print_one_json_line_each(tmp_path, capsys):
    results = await run_benches(["twin", "update"], Run(scale=0.05, workdir=str(tmp_path), quiet=True))
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"bench"')]
    assert [line["bench"] for line in lines] == ["twin", "update"] == [r["bench"] for r in results]
    twin, update = lines
    assert {"per_minute", "wall_s", "update_p50_ms", "update_p95_ms", "ratio", "machine"} <= twin.keys()
    assert twin["certifications"] == 2 and twin["per_minute"] > 0
    assert {"p50_ms", "p95_ms", "updates", "ratio"} <= update.keys() and update["updates"] == 20


async def test_the_twin_does_the_profiles_work(tmp_path):
    profile = load_profile()
    async with dev_server(str(tmp_path)) as client:
        figures = await run_twin(client, "twin-test", profile, certifications=1, concurrency=1)
        parent = client.get_workflow_handle(figures["workflow_ids"][0])
        parent_history = await parent.fetch_history()
        started = "start_child_workflow_execution_initiated_event_attributes"
        child_id = next(getattr(e, started).workflow_id for e in parent_history.events if e.HasField(started))
        child_history = await client.get_workflow_handle(child_id).fetch_history()
        assert len(await bare_update_latencies(client, "bare-test", updates=6, concurrency=2)) == 6
    for history, recorded in ((parent_history, "grant-CertificationWorkflow.json"),
                              (child_history, "grant-AuditWorkflow.json")):
        twin = profile_history(history.workflow_id, history.to_json())
        expected = profile["histories"][recorded]
        assert {k: twin["counts"].get(k, 0) for k in COUNTED} == {k: expected["counts"].get(k, 0) for k in COUNTED}
        def by_name(activities: dict) -> dict:  # ordinary and local activities, each by name
            return {n: (a.get("count", 0), a.get("local", 0)) for n, a in activities.items()}

        assert by_name(twin["activities"]) == by_name(expected["activities"])
        assert twin["updates"] == expected["updates"]  # the same Updates, by name


async def test_a_twin_with_its_io_apart_sends_those_activities_to_the_other_worker(tmp_path):
    """The activities certflow gives its I/O worker (recorded on ``<queue>-io``) go to the twin's I/O queue,
    served by a process of its own; the rest stay on the twin's queue."""
    profile = load_profile()
    async with dev_server(str(tmp_path)) as client:
        figures = await run_twin(client, "twin-io", profile, certifications=1, concurrency=1, io_apart=True)
        history = await client.get_workflow_handle(figures["workflow_ids"][0]).fetch_history()
    scheduled = [e.activity_task_scheduled_event_attributes for e in history.events
                 if e.HasField("activity_task_scheduled_event_attributes")]
    recorded = [s for s in profile["histories"]["grant-CertificationWorkflow.json"]["script"] if s["op"] == "activity"]
    assert [a.task_queue.name for a in scheduled] == [
        "twin-io-io" if s["queue"] == "io" else "twin-io" for s in recorded]
    assert any(s["queue"] == "io" for s in recorded)
    assert figures["io_process_cpu_s_per_certification"] > 0


def test_the_io_queue_is_certflows():
    from bench.twin_profile import IO_QUEUE_SUFFIX
    from workflows.mail import IO_QUEUE_SUFFIX as CERTFLOWS

    assert IO_QUEUE_SUFFIX == CERTFLOWS

