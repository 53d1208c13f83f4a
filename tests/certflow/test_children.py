"""certflow/children.py: a child started with ``die_with_parent()`` ends when its parent is killed with
SIGKILL; without it, it runs on as an orphan (what `certflow up` left behind before issue 16)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from certflow.children import die_with_parent

ROOT = Path(__file__).resolve().parents[2]
PARENT = """
import subprocess, sys
from certflow.children import die_with_parent
tie = sys.argv[1] == "tied"
child = subprocess.Popen(["sleep", "300"], start_new_session=True, preexec_fn=die_with_parent() if tie else None)
print(child.pid, flush=True)
sys.stdin.read()  # until killed
"""

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")


def run_parent(mode: str) -> tuple[subprocess.Popen[str], int]:
    parent = subprocess.Popen([sys.executable, "-c", PARENT, mode], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert parent.stdout is not None
    return parent, int(parent.stdout.readline())


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def ends_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while running(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)  # polling the process table, bounded by ``seconds``
    return True


def test_a_tied_child_ends_with_its_killed_parent():
    parent, child = run_parent("tied")
    parent.kill()
    parent.wait(10)
    assert ends_within(child, 10)


def test_an_untied_child_runs_on_as_an_orphan():
    parent, child = run_parent("free")
    parent.kill()
    parent.wait(10)
    try:
        # Its parent is gone (it was handed to init or a subreaper) and nothing stopped it.
        ppid = int(Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[1])
        assert running(child) and ppid != parent.pid
    finally:
        os.kill(child, signal.SIGKILL)


def test_only_the_main_thread_ties_its_children():
    """The signal follows the forking thread: a worker thread's children would die with the thread."""
    assert callable(die_with_parent())
    found: list[object] = []
    thread = threading.Thread(target=lambda: found.append(die_with_parent()))
    thread.start()
    thread.join()
    assert found == [None]
