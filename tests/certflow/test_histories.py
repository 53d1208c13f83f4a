"""`certflow histories record` (issue 16): it runs exactly the journeys that keep tests/histories/, with
CERTFLOW_RECORD_HISTORIES=1. Only its selection and command are run here: the committed histories are
not recorded again by the test suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from certflow.histories import ROOT, recording_tests


def test_the_tests_that_keep_histories_are_selected_and_no_other():
    selected = recording_tests()
    life = "tests/workflows/test_life.py::"
    assert "tests/workflows/test_dev_server.py::test_grant_path_on_the_dev_server_replays" in selected  # grant-*
    for name in ("test_a_full_three_year_life_two_surveillances_then_recertification_R_9_2_R_9_3",
                 "test_expiry_without_recertification_R_9_6_8", "test_suspension_by_staff_then_reinstatement_R_9_6_3"):
        assert life + name in selected
    assert life + "test_scope_reduction_takes_a_site_out_and_reissues_R_9_6_6" not in selected  # keeps none
    assert all(Path(ROOT, node.split("::")[0]).is_file() for node in selected)


def test_selection_reads_the_test_sources(tmp_path):
    (tmp_path / "test_a.py").write_text(
        "async def test_keeps(handle):\n    await keep_history(handle, 'x')\n\n"
        "def test_reads_the_switch():\n    import os\n    return os.environ.get('CERTFLOW_RECORD_HISTORIES')\n\n"
        "def test_keeps_none():\n    assert True\n\n"
        "def helper(handle):\n    return keep_history(handle, 'y')\n")
    (tmp_path / "conftest.py").write_text("def test_not_a_test_file():\n    keep_history(None, 'z')\n")
    assert recording_tests(tmp_path, root=tmp_path) == ["test_a.py::test_keeps", "test_a.py::test_reads_the_switch"]


def test_dry_run_prints_the_recording_command_and_passes_pytest_arguments_on():
    done = subprocess.run([sys.executable, "-m", "certflow", "histories", "record", "--dry-run", "--",
                           "--basetemp=/tmp/somewhere"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    line = done.stdout.strip()
    assert line.startswith("CERTFLOW_RECORD_HISTORIES=1 ") and " -m pytest " in line
    assert line.endswith(" --basetemp=/tmp/somewhere") and " -- " not in line
    assert all(node in line.split() for node in recording_tests())
