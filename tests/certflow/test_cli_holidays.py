"""`certflow holidays`: the body keeps the holiday table of years published after the shipped data (R-dates)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def certflow(dsn: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTFLOW_")}
    env["CERTFLOW_DATABASE_URL"] = dsn
    return subprocess.run([sys.executable, "-m", "certflow", "holidays", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_enter_and_declare_a_year(db_dsn):
    listed = certflow(db_dsn, "list", "2027")
    assert listed.returncode == 0 and "NOT complete" in listed.stdout

    assert certflow(db_dsn, "set", "2027-01-01", "off", "元旦").returncode == 0
    assert certflow(db_dsn, "set", "2027-02-20", "work", "春节调休").returncode == 0
    assert certflow(db_dsn, "declare-year", "2027", "--source", "test notice").returncode == 0

    listed = certflow(db_dsn, "list", "2027")
    assert "2027: complete" in listed.stdout
    assert "2027-01-01  off      元旦" in listed.stdout and "2027-02-20  working  春节调休" in listed.stdout


def test_a_bad_date_is_a_usage_error_not_a_traceback(db_dsn):
    done = certflow(db_dsn, "set", "2027-13-01", "off")
    assert done.returncode == 2 and "invalid date (YYYY-MM-DD) value" in done.stderr
    assert "Traceback" not in done.stderr
