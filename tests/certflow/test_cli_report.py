"""`certflow report cnca`: the regulator's monthly report on the command line, CSV to standard output or
CSV/XLSX to a file; mistakes are plain messages."""

import csv
import io
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from api.report_formats import COLUMNS
from schemas.certificates import CertStatus, StarLevel
from store.certificates import (
    set_status,
)
from store.reports import cnca_rows

from ..conftest import certificate_in_register

ROOT = Path(__file__).resolve().parents[2]
OCTOBER = date(2026, 10, 1)


def certflow(dsn: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTFLOW_")}
    env["CERTFLOW_DATABASE_URL"] = dsn
    return subprocess.run([sys.executable, "-m", "certflow", "report", "cnca", *args], cwd=ROOT, env=env,
                          capture_output=True, timeout=60)


async def certify(pool, number: str, code: str, issued_on: date, valid_to: date) -> None:
    await certificate_in_register(pool, number, issued_on, valid_to, credit_code=code, name=f"{number}客服中心",
                                  level=StarLevel.FIVE_STAR)


@pytest.fixture
async def register(pool) -> None:
    """October 2026 (a month that is over): one issued, one expired, one valid throughout."""
    await certify(pool, "CCS2026-1001", "91310000MA1FL10011", date(2026, 10, 9), date(2029, 10, 8))
    await certify(pool, "CCS2023-1002", "91310000MA1FL10022", date(2023, 10, 21), date(2026, 10, 20))
    await set_status(pool, "CCS2023-1002", CertStatus.EXPIRED)
    await certify(pool, "CCS2025-1003", "91310000MA1FL10033", date(2025, 4, 1), date(2028, 3, 31))


async def test_csv_goes_to_standard_output_as_the_register_says(db_dsn, pool, register):
    done = certflow(db_dsn, "--month", "2026-10")
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(done.stdout.decode("utf-8-sig"), newline="")))
    assert table[0] == [c.header for c in COLUMNS]
    expected = await cnca_rows(pool, OCTOBER)
    assert [(line[0], line[13]) for line in table[1:]] == [(r.number, r.event.value) for r in expected] == [
        ("CCS2023-1002", "expired"), ("CCS2025-1003", "valid"), ("CCS2026-1001", "issued")]
    assert table[1][10] == "注销" and table[3][4] == "五星级"


async def test_xlsx_and_csv_are_written_to_the_file_given(db_dsn, register, tmp_path):
    target = tmp_path / "cnca-2026-10.xlsx"
    done = certflow(db_dsn, "--month", "2026-10", "--format", "xlsx", "--output", str(target))
    assert done.returncode == 0, done.stderr.decode()
    assert "3 certificates for 2026-10 written to" in done.stdout.decode()
    sheet = load_workbook(target).active
    assert sheet.title == "认证证书月报 2026-10" and sheet.freeze_panes == "A2"
    assert sorted(r[0].value for r in sheet.iter_rows(min_row=2)) == ["CCS2023-1002", "CCS2025-1003", "CCS2026-1001"]

    target = tmp_path / "october.csv"
    done = certflow(db_dsn, "--month", "2026-10", "--output", str(target))
    assert done.returncode == 0 and target.read_bytes().startswith(b"\xef\xbb\xbf"), done.stderr.decode()


def test_mistakes_are_plain_messages(db_dsn, tmp_path):
    done = certflow(db_dsn, "--month", "2026-13")
    assert done.returncode == 2 and "YYYY-MM" in done.stderr.decode() and b"Traceback" not in done.stderr
    done = certflow(db_dsn, "--month", "2026-10", "--format", "xlsx")
    assert done.returncode == 2 and "--output" in done.stderr.decode() and not done.stdout
    done = certflow(db_dsn, "--month", "2199-01")
    assert done.returncode == 1 and "has not begun" in done.stderr.decode() and b"Traceback" not in done.stderr
    done = certflow(db_dsn, "--month", "2026-10", "--output", str(tmp_path / "no" / "such" / "dir.csv"))
    assert done.returncode == 1 and "cannot write" in done.stderr.decode() and b"Traceback" not in done.stderr
