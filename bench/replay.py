"""``replay``: what a workflow costs its worker when it is not in the cache: the replay of one recorded
certification (tests/histories/grant-CertificationWorkflow.json) with certflow's workflows in the sandbox
the worker uses, against the replay of its twin's history, recorded in the same run on a dev server.

Two variants of certflow's sandbox show where the time goes: without any sandbox (the floor of
certflow's own code) and with certflow's workflow modules passed through (the sandbox kept for the
rest), since a fresh sandbox re-imports every module of workflows/ for each workflow it replays.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from bench.harness import Run, bench, percentile, ratio, run_benches
from bench.twin import dev_server, run_twin
from bench.twin_profile import HISTORY_DIR
from bench.twin_workflows import TWIN_WORKFLOWS

GRANT = "grant-CertificationWorkflow.json"


def certflow_history(name: str = GRANT) -> WorkflowHistory:
    index = json.loads((HISTORY_DIR / "index.json").read_text(encoding="utf-8"))
    return WorkflowHistory.from_json(index[name], (HISTORY_DIR / name).read_text(encoding="utf-8"))


def runners() -> dict[str, WorkflowRunner]:
    """certflow's sandbox (workers/main.py) and the two variants that show what it costs."""
    from workers.sandbox import PASSED_THROUGH, workflow_runner

    modules = SandboxRestrictions.default.with_passthrough_modules(*PASSED_THROUGH, "workflows")
    every = workflow_runner().restrictions.with_passthrough_all_modules()
    return {"sandbox": workflow_runner(), "workflows_passed_through": SandboxedWorkflowRunner(restrictions=modules),
            "all_passed_through": SandboxedWorkflowRunner(restrictions=every),
            "unsandboxed": UnsandboxedWorkflowRunner()}


async def replay_times(replayer: Replayer, history: WorkflowHistory, times: int) -> list[float]:
    """Milliseconds of each of ``times`` replays of ``history`` by one replayer (each a fresh workflow, as
    on a cache miss; the replayer's own start is paid once, as a worker's is)."""
    found = []

    async def copies() -> AsyncIterator[WorkflowHistory]:
        for _ in range(times):
            yield history

    async with replayer.workflow_replay_iterator(copies()) as results:
        started = time.perf_counter()
        async for result in results:
            found.append((time.perf_counter() - started) * 1000)
            assert result.replay_failure is None, result.replay_failure
            started = time.perf_counter()
    return found


async def twin_history(workdir: str) -> WorkflowHistory:
    """The history of one twin of the grant path, run now on a dev server of its own."""
    async with dev_server(workdir) as client:
        figures = await run_twin(client, f"twin-{uuid.uuid4().hex[:6]}", certifications=1, concurrency=1)
        return await client.get_workflow_handle(figures["workflow_ids"][0]).fetch_history()


def summary(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(percentile(values, 0.5), 1), "p95_ms": round(percentile(values, 0.95), 1)}


@bench("replay", "replay of one certification on a cache miss, certflow's sandbox against the twin's")
async def replay_bench(run: Run) -> dict[str, Any]:
    from workers.main import WORKFLOWS

    times = run.count(30, minimum=3)
    history, twin = certflow_history(), await twin_history(run.workdir)
    figures: dict[str, Any] = {"replays": times, "events": len(history.events), "twin_events": len(twin.events)}
    with run.progress("replays", times * 6) as advance:
        for name, runner in runners().items():
            replayer = Replayer(workflows=WORKFLOWS, data_converter=pydantic_data_converter, workflow_runner=runner)
            await replay_times(replayer, history, 1)  # the first pays for imports outside the sandbox
            figures[f"certflow_{name}"] = summary(await replay_times(replayer, history, times))
            advance(times)
        for name, runner in (("sandbox", SandboxedWorkflowRunner()), ("unsandboxed", UnsandboxedWorkflowRunner())):
            replayer = Replayer(workflows=TWIN_WORKFLOWS, workflow_runner=runner)
            await replay_times(replayer, twin, 1)
            figures[f"twin_{name}"] = summary(await replay_times(replayer, twin, times))
            advance(times)
    figures["ratio"] = ratio(figures["certflow_sandbox"]["p50_ms"], figures["twin_sandbox"]["p50_ms"])
    figures["baseline"] = "the twin's history replayed in the default sandbox"
    return figures


def main() -> None:  # pragma: no cover - a quick look: python -m bench.replay
    import asyncio
    import tempfile

    with tempfile.TemporaryDirectory() as workdir:
        print(asyncio.run(run_benches(["replay"], Run(scale=0.5, workdir=str(Path(workdir)), quiet=True))))


if __name__ == "__main__":
    main()
