"""Settings: CERTFLOW_* variables, the scheme's Decisions configurable, bad values explained."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from certflow.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CERTFLOW_")}
    return subprocess.run([sys.executable, "-m", "certflow", *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=60)


def test_embedded_by_default_external_when_urls_are_set(monkeypatch):
    for key in list(os.environ):
        if key.startswith("CERTFLOW_"):
            monkeypatch.delenv(key)
    s = Settings(_env_file=None)
    assert s.embedded_postgres and s.embedded_temporal and s.temporal_target == "127.0.0.1:7233"
    monkeypatch.setenv("CERTFLOW_DATABASE_URL", "postgresql://db.example/certflow")
    monkeypatch.setenv("CERTFLOW_TEMPORAL_ADDRESS", "temporal.example:7233")
    s = Settings(_env_file=None)
    assert not s.embedded_postgres and not s.embedded_temporal
    assert s.temporal_target == "temporal.example:7233" and s.temporal_ui_url is None


def test_a_decision_is_changed_by_configuration_R_9_2_1():
    """R-9.2.1 Decision: the surveillance interval is configurable down to any shorter value."""
    done = run_cli("config", CERTFLOW_SCHEME__LIFECYCLE__SURVEILLANCE_INTERVAL_MONTHS="6",
                   CERTFLOW_SCHEME__LIFECYCLE__SURVEILLANCES_PER_CYCLE="5")
    assert done.returncode == 0, done.stderr
    lifecycle = json.loads(done.stdout)["lifecycle"]
    assert lifecycle["surveillance_interval_months"] == 6 and lifecycle["surveillances_per_cycle"] == 5


def test_the_scheme_gaps_decisions_are_configured_by_variables_R_A_n1b_R_A_table():
    """R-A.n1b Decision (what "the year" is) and R-A.table's confirmation time come from the environment."""
    done = run_cli("config", CERTFLOW_SCHEME__AUDIT_TIME__SURVEILLANCE_YEAR="each_audit",
                   CERTFLOW_SCHEME__PROCESS__CONFIRMATION_WORKING_DAYS="5")
    assert done.returncode == 0, done.stderr
    policy = json.loads(done.stdout)
    assert policy["audit_time"]["surveillance_year"] == "each_audit"
    assert policy["process"]["confirmation_working_days"] == 5
    defaults = json.loads(run_cli("config").stdout)
    assert defaults["audit_time"]["surveillance_year"] == "since_last_surveillance"
    assert defaults["process"]["confirmation_working_days"] == 3


def test_defaults_are_the_rules_readings():
    done = run_cli("config")
    policy = json.loads(done.stdout)
    assert policy["lifecycle"]["surveillance_interval_months"] == 12
    assert policy["lifecycle"]["suspension_max_months"] == 6
    assert policy["rating"]["allow_grant_without_level"] is False  # R-6.result


def test_a_value_beyond_the_scheme_is_refused_with_the_variable_and_rule_R_9_2_1():
    done = run_cli("config", CERTFLOW_SCHEME__LIFECYCLE__SURVEILLANCE_INTERVAL_MONTHS="13")
    assert done.returncode == 2
    assert "CERTFLOW_SCHEME__LIFECYCLE__SURVEILLANCE_INTERVAL_MONTHS" in done.stderr
    assert "R-9.2.1" in done.stderr and "Traceback" not in done.stderr


def test_config_shows_who_may_submit_an_application():
    """The intake Decision (issue 12, api/permissions.py) is printed with the scheme's."""
    assert json.loads(run_cli("config").stdout)["intake_roles"] == ["reviewer"]
    done = run_cli("config", CERTFLOW_INTAKE_ROLES='["reviewer", "manager"]')
    assert json.loads(done.stdout)["intake_roles"] == ["reviewer", "manager"]
