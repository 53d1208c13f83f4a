"""``certflow histories record``: tests/histories/ recorded afresh from the journeys that keep them.

The replay test (tests/workflows/test_replay.py) replays every history there against today's workflow
code. A release that changes workflow code records them again from its journeys, so that the next
change is checked against what this one writes. The tests that keep a history are found in the test
sources (those calling ``keep_history`` or reading ``CERTFLOW_RECORD_HISTORIES``), run with
``CERTFLOW_RECORD_HISTORIES=1``, and the files that changed are named.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests" / "workflows"
HISTORY_DIR = ROOT / "tests" / "histories"
MARKERS = {"keep_history", "CERTFLOW_RECORD_HISTORIES"}


def _mentions_a_marker(node: ast.AST) -> bool:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name) and inner.id in MARKERS:
            return True
        if isinstance(inner, ast.Constant) and inner.value in MARKERS:
            return True
    return False


def recording_tests(tests: Path = TESTS, root: Path = ROOT) -> list[str]:
    """The pytest node ids (relative to ``root``, where pytest runs) of the tests that keep a history."""
    found = []
    for path in sorted(tests.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_") \
                    and _mentions_a_marker(node):
                found.append(f"{path.relative_to(root)}::{node.name}")
    return found


def pytest_command(extra: list[str]) -> list[str]:
    extra = extra[1:] if extra[:1] == ["--"] else extra
    return [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *recording_tests(), *extra]


def _fingerprints() -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(HISTORY_DIR.glob("*.json"))}


def cmd_histories(args: argparse.Namespace) -> int:
    command = pytest_command(args.pytest_args)
    if args.dry_run:
        print("CERTFLOW_RECORD_HISTORIES=1 " + " ".join(command))
        return 0
    before = _fingerprints()
    done = subprocess.run(command, cwd=ROOT, env={**os.environ, "CERTFLOW_RECORD_HISTORIES": "1"}, check=False)
    after = _fingerprints()
    changed = sorted(name for name in after if before.get(name) != after[name])
    for name in changed:
        print(f"{'recorded' if name in before else 'new':9}  tests/histories/{name}")
    if not changed:
        print("no history changed")
    if done.returncode != 0:
        print(f"certflow histories: the journeys failed (pytest exit {done.returncode}); the files above may be "
              "partly recorded: do not commit them", file=sys.stderr)
    return done.returncode


def add_histories_commands(sub) -> None:
    histories = sub.add_parser("histories", help="the recorded workflow histories the replay test reads")
    hsub = histories.add_subparsers(dest="action", required=True)
    record = hsub.add_parser("record", help="run the journeys that keep histories with CERTFLOW_RECORD_HISTORIES=1 "
                                            "and name the files of tests/histories/ that changed")
    record.add_argument("--dry-run", action="store_true", help="print the pytest command, run nothing")
    record.add_argument("pytest_args", nargs=argparse.REMAINDER,
                        help="after --: more pytest arguments (e.g. --basetemp=DIR)")
    histories.set_defaults(func=cmd_histories)
