"""The replay test guards running certifications (issue 17): a workflow changed on its path without
`workflow.patched` fails to replay a recorded history with a nondeterminism error, and the same change
behind a patch replays it cleanly. Both changed workflows are built here, registered under the real
workflow type name, so that nothing in workflows/ changes."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

# The workflow sandbox imports this module again for the workflows below: what they use is passed through.
with workflow.unsafe.imports_passed_through():
    from workers.main import WORKFLOWS, workflow_runner
    from workflows.certification import CertificationWorkflow
    from workflows.contracts import CertificationInput

HISTORY_DIR = Path(__file__).parents[1] / "histories"  # not resolve(): the sandbox forbids it
GRANT = "grant-CertificationWorkflow.json"
PATCH_ID = "faults-test-pause-before-intake"  # exists only in this test, never in workflows/


@workflow.defn(name="CertificationWorkflow")
class PausesUnpatched(CertificationWorkflow):
    """A new timer before the application is recorded, with no patch: running processes would see a
    command their history does not have."""

    @workflow.run
    async def run(self, data: CertificationInput) -> str:
        await workflow.sleep(timedelta(seconds=1))
        return await super().run(data)


@workflow.defn(name="CertificationWorkflow")
class PausesPatched(CertificationWorkflow):
    """The same timer behind `workflow.patched`: runs begun before it keep their old path."""

    @workflow.run
    async def run(self, data: CertificationInput) -> str:
        if workflow.patched(PATCH_ID):
            await workflow.sleep(timedelta(seconds=1))
        return await super().run(data)


async def grant_history() -> WorkflowHistory:
    text = await asyncio.to_thread((HISTORY_DIR / GRANT).read_text, encoding="utf-8")
    workflow_id = json.loads((HISTORY_DIR / "index.json").read_text())[GRANT]
    return WorkflowHistory.from_json(workflow_id, text)


async def replay_with(certification: type) -> Exception | None:
    others = [w for w in WORKFLOWS if w is not CertificationWorkflow]
    replayer = Replayer(workflows=[certification, *others], data_converter=pydantic_data_converter,
                        workflow_runner=workflow_runner())
    result = await replayer.replay_workflow(await grant_history(), raise_on_replay_failure=False)
    return result.replay_failure


async def test_an_unpatched_change_fails_replay_and_the_patched_one_passes():
    failure = await replay_with(PausesUnpatched)
    assert failure is not None, "a new timer on the path replayed as if nothing had changed"
    assert "nondetermin" in str(failure).lower(), failure
    assert await replay_with(PausesPatched) is None
    assert await replay_with(CertificationWorkflow) is None  # the recorded history itself is sound
