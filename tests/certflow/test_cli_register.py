"""The commands that need the register work on the running stack's, never a second one of their own:
without a stack they stop with what they tried and how to start it (issue 16); they import little
before they know what to do; `certflow mail list` numbers mails so that `mail show N` stays put."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from certflow.embedded import free_port
from certflow.register import NOT_RUNNING

ROOT = Path(__file__).resolve().parents[2]

NEEDING_THE_REGISTER = [
    ("staff", "list"), ("staff", "add", "某人", "--role", "reviewer"), ("holidays", "list", "2027"),
    ("report", "cnca", "--month", "2026-10"), ("migrate",),
]


def certflow(cwd: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTFLOW_")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(settings)
    return subprocess.run([sys.executable, "-m", "certflow", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize("args", NEEDING_THE_REGISTER, ids=lambda a: " ".join(a[:2]))
def test_without_a_stack_it_says_what_it_tried_and_starts_no_register(tmp_path, args):
    port = str(free_port())  # nothing listens there
    done = certflow(tmp_path, *args, CERTFLOW_POSTGRES_PORT=port)
    assert done.returncode == NOT_RUNNING, done.stdout + done.stderr
    assert f"postgresql://postgres@127.0.0.1:{port}/certflow" in done.stderr
    assert "`make run` or `certflow up`" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""
    assert not (tmp_path / ".certflow").exists()  # no second, empty register made here
    assert not any(tmp_path.iterdir())


def test_an_external_register_that_does_not_answer_is_named_without_its_password(tmp_path):
    dsn = f"postgresql://certflow:geheim@127.0.0.1:{free_port()}/certflow"
    done = certflow(tmp_path, "staff", "list", CERTFLOW_DATABASE_URL=dsn)
    assert done.returncode == NOT_RUNNING and "CERTFLOW_DATABASE_URL" in done.stderr
    assert "certflow:***@127.0.0.1" in done.stderr and "geheim" not in done.stderr


def test_with_the_register_up_the_commands_answer(tmp_path, db_dsn):
    listed = certflow(tmp_path, "holidays", "list", "2027", CERTFLOW_DATABASE_URL=db_dsn)
    assert listed.returncode == 0 and "2027: NOT complete" in listed.stdout, listed.stderr
    assert certflow(tmp_path, "migrate", CERTFLOW_DATABASE_URL=db_dsn).stdout.strip() == "the register is up to date"


def test_the_command_line_imports_no_server_side_module_before_it_runs_a_command():
    """What keeps `certflow staff list` quick: structlog (with rich), Temporal, FastAPI and the store are
    imported by the commands that use them, not by every call."""
    heavy = ("structlog", "temporalio", "asyncpg", "fastapi", "uvicorn", "store", "workflows", "activities")
    program = "import json, sys, certflow.cli; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    done = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    loaded = set(json.loads(done.stdout))
    assert not loaded & set(heavy), loaded & set(heavy)


def test_mail_without_a_sink_directory_says_where_it_looked(tmp_path):
    done = certflow(tmp_path, "mail", "list", CERTFLOW_DATA_DIR=str(tmp_path / "data"))
    assert done.returncode == NOT_RUNNING and str(tmp_path / "data" / "mail") in done.stderr
    assert "`certflow up`" in done.stderr and not (tmp_path / "data").exists()
