"""JSON logs (issue 16): a line written in an activity carries its workflow id, run id, activity and
attempt; a line of the SDK's workflow logger carries the ids it attaches; what a request binds (a task
id) goes with its lines. Run in a child process: logging is configured once per process."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent('''
    import asyncio, dataclasses, logging
    import structlog
    from temporalio import activity
    from temporalio.testing import ActivityEnvironment
    from certflow.logging import configure_logging, get_logger

    configure_logging("INFO", json=True)

    @activity.defn
    async def record_review() -> None:
        get_logger("activities.records").info("review.recorded")

    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, workflow_id="certification-abc", workflow_run_id="run-1",
                                   activity_type="record_review", attempt=2)
    asyncio.run(env.run(record_review))
    # What the SDK's workflow logger attaches to its records.
    logging.getLogger("temporalio.workflow").warning(
        "workflow says", extra={"temporal_workflow": {"workflow_id": "audit-x", "run_id": "run-9",
                                                      "workflow_type": "AuditWorkflow"}})
    structlog.contextvars.bind_contextvars(task_id="certification-abc/contract/1")
    get_logger("api.tasks").info("task.completing")
''')


def test_lines_carry_the_workflow_run_activity_and_task_they_belong_to():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=True)
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    by_event = {line["event"]: line for line in lines}
    recorded = by_event["review.recorded"]
    assert (recorded["workflow_id"], recorded["run_id"], recorded["activity"], recorded["attempt"]) == (
        "certification-abc", "run-1", "record_review", 2)
    said = by_event["workflow says"]
    assert (said["workflow_id"], said["run_id"], said["workflow"]) == ("audit-x", "run-9", "AuditWorkflow")
    assert "temporal_workflow" not in said
    assert by_event["task.completing"]["task_id"] == "certification-abc/contract/1"
    assert "workflow_id" not in by_event["task.completing"]  # outside any activity
