"""`certflow inbox rebuild` finds the running certifications and audits through Temporal's visibility
(the time-skipping test server has none, so this runs on the dev server `certflow up` runs)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from certflow.embedded import EmbeddedTemporal, free_port
from certflow.inbox_rebuild import running_workflow_ids
from certflow.settings import SEARCH_ATTRIBUTES

pytestmark = pytest.mark.slow


async def test_the_running_certifications_and_audits_are_listed_and_nothing_else(tmp_path):
    server = EmbeddedTemporal(tmp_path, free_port(), free_port(), SEARCH_ATTRIBUTES)
    server.start()
    try:
        client = await Client.connect(server.address, data_converter=pydantic_data_converter)
        queue = f"nobody-{uuid.uuid4().hex[:8]}"  # no worker: the executions just stay running
        started = {}
        for kind in ("CertificationWorkflow", "AuditWorkflow", "StaffDigestWorkflow", "CertificationWorkflow"):
            handle = await client.start_workflow(kind, id=f"{kind}-{uuid.uuid4().hex[:6]}", task_queue=queue)
            started[handle.id] = handle
        ended = next(h for h in started.values() if h.id.startswith("Certification"))
        await ended.terminate("ended")
        expected = sorted(i for i in started if i != ended.id and not i.startswith("StaffDigest"))
        # Visibility is eventually consistent and has nothing to wait on: list again (no sleep) until it
        # has caught up with the starts and the termination, for at most 10 s of the loop's clock.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        listed = await running_workflow_ids(client)
        while listed != expected and loop.time() < deadline:
            listed = await running_workflow_ids(client)
        assert listed == expected
    finally:
        server.stop()
