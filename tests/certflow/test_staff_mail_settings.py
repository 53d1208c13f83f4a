"""The Decision on mail to staff (issue 13) is a setting the body changes and `certflow config` shows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from certflow.settings import Settings
from schemas.outbox import StaffMail
from workers.main import staff_mail_settings

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CERTFLOW_")}
    return subprocess.run([sys.executable, "-m", "certflow", *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=60)


def test_one_mail_per_task_by_default_and_the_digest_by_configuration():
    done = run_cli("config")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["staff_mail"] == {"mode": "per_task", "digest_hour": 8, "digest_role_tasks": True}
    done = run_cli("config", CERTFLOW_STAFF_MAIL="daily_digest", CERTFLOW_STAFF_DIGEST_HOUR="7",
                   CERTFLOW_STAFF_DIGEST_ROLE_TASKS="false")
    assert json.loads(done.stdout)["staff_mail"] == {"mode": "daily_digest", "digest_hour": 7,
                                                     "digest_role_tasks": False}


def test_the_worker_gets_the_decision_and_a_wrong_value_is_refused():
    worker = staff_mail_settings(Settings(_env_file=None, staff_mail="daily_digest", staff_digest_role_tasks=False))
    assert worker.mode is StaffMail.DAILY_DIGEST and not worker.role_tasks and worker.digest_hour == 8
    with pytest.raises(ValidationError):
        Settings(_env_file=None, staff_mail="weekly")
    with pytest.raises(ValidationError):
        Settings(_env_file=None, staff_digest_hour=24)
