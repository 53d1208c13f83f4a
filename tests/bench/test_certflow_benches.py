"""The benchmarks that run certflow itself (replay, life, memory) at a tiny scale: they finish and say
what they measured."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.harness import Run, run_benches
from certflow.bench_commands import load_benches

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def registered() -> None:
    load_benches()


async def test_replay_times_certflow_and_the_twin(tmp_path, capsys):
    await run_benches(["replay"], Run(scale=0.1, workdir=str(tmp_path), quiet=True))
    line = result_line(capsys.readouterr().out)
    for variant in ("certflow_sandbox", "certflow_all_passed_through", "certflow_unsandboxed", "twin_sandbox"):
        assert line[variant]["p50_ms"] > 0, variant
    recorded = json.loads((ROOT / "tests" / "histories" / "grant-CertificationWorkflow.json").read_text("utf-8"))
    assert line["events"] == len(recorded["events"]) and line["twin_events"] > 100 and line["ratio"] > 0


async def test_life_at_a_tiny_scale_is_the_initial_certification(tmp_path, capsys):
    await run_benches(["life"], Run(scale=0.1, workdir=str(tmp_path), quiet=True))
    line = result_line(capsys.readouterr().out)
    assert line["path"] == "initial certification"
    assert set(line["per_workflow"]) == {"CertificationWorkflow", "AuditWorkflow initial-1"}
    assert line["events_per_cycle"] == line["counts"]["events"] == sum(
        w["events"] for w in line["per_workflow"].values())
    assert line["counts"]["children"] == 1 and line["counts"]["own_updates"] > 0 and line["mails"] > 0
    assert line["twin_events"] < line["events_per_cycle"]  # certflow's markers and upserts are not the twin's
    # the driver waits with Updates of its own, each mostly in a workflow task of its own: not production's
    assert 0 < line["totals"]["test_task_events"] <= line["totals"]["test_update_events"] // 2 * 3  # a task an Update
    assert line["events_per_cycle_without_tests"] < line["events_per_cycle"] - line["totals"]["test_update_events"]


async def test_memory_reads_both_workers_as_the_cache_fills(tmp_path, capsys):
    await run_benches(["memory"], Run(scale=0.04, workdir=str(tmp_path), quiet=True))
    line = result_line(capsys.readouterr().out)
    assert line["open"] == 8 and line["cache"] == 4
    for side in ("certflow", "twin"):
        assert [r["open"] for r in line[side]["rss_mb"]] == [0, 2, 4, 6, 8]
        assert all(r["rss_mb"] > 0 for r in line[side]["rss_mb"])


async def test_engine_runs_certflow_and_its_twin_on_one_server(tmp_path, capsys):
    await run_benches(["engine"], Run(scale=0.1, workdir=str(tmp_path), quiet=True))
    line = result_line(capsys.readouterr().out)
    assert line["certifications"] == 2
    assert line["certflow"]["completions"] == 2 * 12  # twelve tasks completed on each grant path
    assert line["twin"]["updates"] == 2 * 29  # the recorded Updates of the grant path (bench/twin_profile.json)
    assert line["ratio"] > 0 and line["completion_ratio"] > 0 and line["workflow_task_ratio"] > 0
    # the I/O worker ran apart, as deployed, and did its work there: the certificate's PDF, the mail
    assert line["certflow"]["io_worker"] == "a process of its own"
    assert line["certflow"]["io_process_cpu_s_per_certification"] > 0
    assert line["certflow"]["process_cpu_s_per_certification"] > 0 and line["cpu_ratio"] > 0
    assert line["certflow"]["server_cpu_s_per_certification"] > 0 and line["server_cpu_ratio"] > 0
    assert line["certflow"]["postgres_cpu_s_per_certification"] > 0 and line["total_cpu_ratio"] > 0
    # and against the twin whose activities go to a worker apart too (bench/io_worker.py twin)
    assert line["twin_io_apart"]["io_activities"] == "on a worker apart"
    assert line["twin_io_apart"]["io_process_cpu_s_per_certification"] > 0
    assert line["ratio_io_apart"] > 0 and line["completion_ratio_io_apart"] > 0
    assert line["rounds"] == len(line["by_round"]) >= 1 and line["by_round"][0]["ratio"] > 0
    assert {"CertificationWorkflow", "AuditWorkflow", "all"} <= line["certflow"]["workflow_task_ms"].keys()
    assert {"TwinCertificationWorkflow", "TwinAuditWorkflow", "all"} <= line["twin"]["workflow_task_ms"].keys()
    # the worker's tasks were seen: at least one for each completion's Update, and the starts beside them
    assert line["certflow"]["workflow_task_ms"]["all"]["tasks"] > line["certflow"]["completions"]


def result_line(out: str) -> dict:
    """The benchmark's JSON line (the embedded servers' log lines may share stdout under pytest)."""
    [line] = [json.loads(text) for text in out.splitlines() if text.startswith('{"bench"')]
    return line
