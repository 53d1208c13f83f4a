"""``engine`` pools its rounds (bench/engine.py): one side's figures as if its rounds were one run."""

from __future__ import annotations

from bench.engine import against, pool_rounds


def test_rounds_pool_into_one_run():
    rounds = [
        {"certifications": 2, "wall_s": 3.0, "per_minute": 40.0, "io_worker": "a process of its own",
         "process_cpu_s_per_certification": 1.0, "server_cpu_s_per_certification": 0.5, "completions": 24,
         "complete_task_p50_ms": 20.0, "completions_ms": [10.0, 20.0, 30.0]},
        {"certifications": 4, "wall_s": 9.0, "per_minute": 26.67, "io_worker": "a process of its own",
         "process_cpu_s_per_certification": 0.25, "server_cpu_s_per_certification": 2.0, "completions": 48,
         "complete_task_p50_ms": 200.0, "completions_ms": [100.0, 200.0, 300.0, 400.0, 500.0]},
    ]
    pooled = pool_rounds(rounds, {"AuditWorkflow": [1.0, 3.0]})
    assert pooled["certifications"] == 6 and pooled["wall_s"] == 12.0
    assert pooled["per_minute"] == 30.0  # 6 in 12 s, not the mean of 40 and 26.67
    assert pooled["process_cpu_s_per_certification"] == 0.5  # (2 × 1.0 + 4 × 0.25) / 6
    assert pooled["server_cpu_s_per_certification"] == 1.5  # (2 × 0.5 + 4 × 2.0) / 6
    assert pooled["completions"] == 72 and pooled["io_worker"] == "a process of its own"
    assert pooled["complete_task_p50_ms"] == 150.0  # the median of all eight samples (100 and 200 interpolated)
    assert pooled["workflow_task_ms"]["all"]["tasks"] == 2
    assert all("completions_ms" not in r for r in rounds)  # the samples are not printed


def test_the_total_cpu_ratio_weighs_everything_each_side_ran():
    certflow = {"per_minute": 20.0, "complete_task_p50_ms": 60.0, "process_cpu_s_per_certification": 1.0,
                "io_process_cpu_s_per_certification": 0.5, "server_cpu_s_per_certification": 1.2,
                "postgres_cpu_s_per_certification": 0.3, "workflow_task_ms": {"all": {"p50_ms": 10.0}}}
    twin = {"per_minute": 30.0, "update_p50_ms": 40.0, "process_cpu_s_per_certification": 0.8,
            "io_process_cpu_s_per_certification": 0.0, "server_cpu_s_per_certification": 1.2,
            "workflow_task_ms": {"all": {"p50_ms": 8.0}}}
    compared = against(certflow, twin)
    assert compared["total_cpu_ratio"] == 0.667  # 2.0 against 3.0 CPU-s per certification
    assert compared["cpu_ratio"] == 0.8 and compared["ratio"] == 0.667
