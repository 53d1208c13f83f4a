"""The twin stays the twin: bench/twin_profile.json is what today's recorded histories give, and its
scripts do what those histories did."""

from __future__ import annotations

import json

from bench.twin_profile import HISTORY_DIR, PROFILE_FILE, generate, load_profile, render, scenario_histories


def test_the_committed_profile_is_what_the_histories_give_today():
    assert PROFILE_FILE.read_text(encoding="utf-8") == render(generate()), \
        "tests/histories changed: regenerate the twin's profile with `python -m bench.twin_profile`"


def test_each_script_starts_what_its_history_scheduled_and_answers_each_update():
    profile = load_profile()
    for name, entry in profile["histories"].items():
        ops = [step["op"] for step in entry["script"]]
        counts = entry["counts"]
        assert ops.count("activity") == counts.get("activities", 0) == sum(
            a.get("count", 0) for a in entry["activities"].values()), name
        assert ops.count("local_activity") == counts.get("local_activities", 0) == sum(
            a.get("local", 0) for a in entry["activities"].values()), name
        assert ops.count("timer") == counts.get("timers", 0), name
        assert ops.count("accept") == len(entry["driver"]) == counts.get("updates", 0), name
        assert ops.count("child") == counts.get("children", 0), name
        assert ops.count("complete") <= ops.count("accept"), name


def test_the_grant_scenario_is_the_initial_certification_and_its_audit():
    profile = load_profile()
    index = json.loads((HISTORY_DIR / "index.json").read_text(encoding="utf-8"))
    grant = profile["scenarios"]["grant"]
    assert grant["histories"] == scenario_histories(grant["root"], profile["histories"])
    assert grant["histories"] == ["grant-CertificationWorkflow.json", "grant-AuditWorkflow.json"]
    child = next(s for s in profile["histories"][grant["root"]]["script"] if s["op"] == "child")
    assert child["workflow_id"] == index["grant-AuditWorkflow.json"]  # its own child, not a stand-in
    own = [u["name"] for u in profile["histories"][grant["root"]]["driver"] if u["own"]]
    assert own and set(own) == {"complete_task"}
