"""Issue 17: the file-backed dev server (as `certflow up` runs it) stopped in the middle of a certification
and started again on the same file and port, once asked to stop (SIGTERM) and once killed (SIGKILL), each
time just after an Update, as the activities it set off are being run and reported. The worker process and the
client find it again by themselves; the certification goes through to its grant with every mail once,
the number once, no event twice, and its histories replay."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from certflow.embedded import EmbeddedTemporal

from .conftest import Journey
from .faults import nothing_twice, replays, settled
from .test_dev_server import RealServer

pytestmark = pytest.mark.slow


def restart(server: EmbeddedTemporal, sig: signal.Signals) -> None:
    """Stop the server with ``sig`` (SIGTERM: its orderly stop; SIGKILL: nothing runs after it) and start
    it again on the same database file and ports."""
    assert server.process is not None
    if sig == signal.SIGTERM:
        server.stop()
    else:
        os.killpg(server.process.pid, sig)
        server.process.wait(30)
        server.process = None
    server.start()


async def test_the_dev_server_stopped_and_killed_mid_journey(own_dev_server, pool, people, smtp, worker_process):
    client = await Client.connect(own_dev_server.address, data_converter=pydantic_data_converter)
    journey = Journey(RealServer(client), pool, worker_process.settings["CERTFLOW_TASK_QUEUE"], people)
    await worker_process.start()
    await journey.start()
    try:
        await journey.complete("application_review", people.reviewer, journey.review())
        restart(own_dev_server, signal.SIGTERM)  # the review's closing and its notices under way
        async with asyncio.timeout(60):
            await journey.complete("contract", people.reviewer, {"signed_on": str(await journey.today()),
                                                                "contract_reference": "HT-2026-017"})
        restart(own_dev_server, signal.SIGKILL)
        async with asyncio.timeout(60):
            await journey.task("programme")
        status = await journey.programme_to_grant(await journey.today())
        await settled(journey, smtp, status.certificate_number)
        await nothing_twice(journey, smtp, status.certificate_number)
        await replays(journey)
    finally:
        await journey.stop()
