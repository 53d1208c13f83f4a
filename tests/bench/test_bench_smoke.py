"""`certflow bench lists lifecycle` at a tiny scale (issue 17): each prints one JSON line and nothing else
on stdout, the list benchmark seeds what its scale says and times every list, and the lifecycle takes
one certification through the staff API to a certificate in the register (the driver works end to end).
Only shapes and sanity are asserted here: the timing goals belong to the benchmarks' own figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def lines() -> dict[str, dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTFLOW_")}
    done = subprocess.run([sys.executable, "-m", "certflow", "bench", "lists", "lifecycle", "--scale", "0.005",
                           "--quiet"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout.splitlines()
    assert len(out) == 2, f"stdout should hold the two JSON lines only:\n{done.stdout[-3000:]}"
    parsed = [json.loads(line) for line in out]
    return {line["bench"]: line for line in parsed}


def test_lists_seeds_its_scale_and_times_every_list(lines):
    figures = lines["lists"]
    assert figures["seeded"]["certificates"] == 50 and figures["seeded"]["open_tasks"] == 50  # 10,000 × 0.005
    assert figures["rare_organization_found"] is True
    assert 0 < figures["baseline"]["p50_ms"] <= figures["baseline"]["p95_ms"]
    assert set(figures["lists"]) >= {"tasks_auditor", "tasks_manager_all", "certificates_first_page",
                                     "certificates_later_page", "certificates_rare_organization"}
    for name, one in figures["lists"].items():
        assert 0 < one["p50_ms"] <= one["p95_ms"], name
        assert one["bytes"] > 0 and one["ratio"] > 0 and isinstance(one["meets_goal"], bool), name
    assert figures["lists"]["tasks_manager_all"]["rows"] == 50  # a manager sees every open task
    assert figures["lists"]["certificates_rare_organization"]["rows"] == 1
    assert figures["machine"]["cpus"] >= 1 and figures["scale"] == 0.005


def test_lifecycle_takes_a_certification_to_its_certificate(lines):
    figures = lines["lifecycle"]
    assert figures["certifications"] == 1 and figures["certificates_issued"] == 1
    assert figures["certifications_per_minute"] > 0 and figures["wall_seconds"] > 0
    # A 409 is a task the inbox still listed after it was completed: issue 17 measures that lag (its goal
    # is fewer than one per certification), the driver goes on; here it is reported, not required to be 0.
    assert isinstance(figures["not_open_409"], int) and figures["not_open_409"] >= 0
    assert set(figures["cpu_seconds_per_certification"]) == {"worker", "worker-io", "api", "temporal", "postgres"}
    assert all(seconds >= 0 for seconds in figures["cpu_seconds_per_certification"].values())
    assert figures["cpu_seconds_per_certification_total"] > 0
    # paired with the bare-Temporal twin of the grant path, run on the same dev server right after
    assert figures["twin"]["certifications"] == 1 and figures["twin"]["per_minute"] > 0
    assert figures["ratio"] == round(figures["certifications_per_minute"] / figures["twin"]["per_minute"], 3)
