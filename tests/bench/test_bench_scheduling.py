"""`certflow bench scheduling` at a tiny scale (issue 18): one JSON line with the CP-SAT plan and the greedy
plan of the same generated instance, and their ratios. Shapes and sanity only: the quality and the time
bound at scale 1 are the benchmark's own figures (bench/RESULTS.md)."""

from __future__ import annotations

import json

from bench.harness import Run, run_benches
from certflow.bench_commands import load_benches


async def test_scheduling_compares_cp_sat_with_the_greedy_plan(tmp_path, capsys):
    load_benches()
    await run_benches(["scheduling"], Run(scale=0.02, workdir=str(tmp_path), quiet=True))
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1, "stdout holds the one JSON line"
    line = json.loads(out[0])
    assert line["bench"] == "scheduling" and line["audits"] == 10 and line["people"] == 3 + 2
    for side in ("cp_sat", "greedy"):
        figures = line[side]
        assert figures["placed"] + figures["unplaced"] == 10
        assert figures["travel"] >= 0 and figures["load_spread"] >= 0 and figures["wall_seconds"] >= 0
    assert line["cp_sat"]["status"] in {"optimal", "feasible"}
    assert line["cp_sat"]["placed"] >= line["greedy"]["placed"]  # the greedy plan is the solver's hint
    assert line["cp_sat"]["wall_seconds"] <= line["time_limit_seconds"] + 10
    assert sum(line["cp_sat_unplaced_by_rule"].values()) == line["cp_sat"]["unplaced"]
    if line["greedy"]["travel"]:
        assert line["travel_ratio"] == round(line["cp_sat"]["travel"] / line["greedy"]["travel"], 3)
    # CP-SAT starts from the best greedy plan and never returns a worse one, so its objective is not above it
    assert line["objective"]["cp_sat"] <= line["objective"]["cp_sat_start"] <= line["objective"]["greedy"]
    if line["objective"]["greedy"]:
        assert line["ratio"] == round(line["objective"]["cp_sat"] / line["objective"]["greedy"], 3)
