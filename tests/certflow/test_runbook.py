"""The operations documents (issue 16): every `certflow …` command the README, the runbook and the
upgrade policy give is a real subcommand (its `--help` answers), and what they point to exists."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from certflow.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", ROOT / "docs" / "runbook.md", ROOT / "docs" / "upgrades.md"]
# What is code in Markdown: fenced blocks and `inline code`.
CODE = re.compile(r"```[^\n]*\n(.*?)```|`([^`\n]+)`", re.S)
# `certflow` where a command starts (a line, after a path, `docker compose run --rm SERVICE`, `&&`, `;`, `|`),
# not certflow/…, certflow-worker or a word in a list: its subcommand words after it.
COMMAND = re.compile(r"(?:^\s*(?:\S*/)?|run --rm \S+ |&& |; |\| )certflow((?: [a-z][a-z-]*)+)")


def commands_in(text: str) -> set[tuple[str, ...]]:
    found = set()
    for block, inline in CODE.findall(text):
        for line in (block or inline).splitlines():
            code = line.split(" #", 1)[0]  # not the shell's comments
            found |= {tuple(m.group(1).split()) for m in COMMAND.finditer(code)}
    return found


def answers_help(words: tuple[str, ...]) -> bool:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), pytest.raises(SystemExit) as exited:
        build_parser().parse_args([*words, "--help"])
    return exited.value.code == 0 and "usage: certflow" in out.getvalue()


def test_the_documents_commands_are_certflow_subcommands():
    commands = set().union(*(commands_in(path.read_text(encoding="utf-8")) for path in DOCUMENTS))
    assert {("inbox", "rebuild"), ("histories", "record"), ("mail", "list"), ("temporal", "setup")} <= commands
    assert [" ".join(c) for c in sorted(commands) if not answers_help(c)] == []


def test_a_command_that_does_not_exist_is_caught():
    assert commands_in("run `certflow inbox refresh` then") == {("inbox", "refresh")}
    assert not answers_help(("inbox", "refresh"))
    assert commands_in("see certflow/cli.py, `certflow-worker`, `for db in certflow temporal`") == set()
    assert commands_in("```sh\ndocker compose run --rm api certflow staff list  # any certflow command\n```") == {
        ("staff", "list")}


def test_the_new_commands_answer_help_from_the_command_line():
    for words in (["inbox", "rebuild"], ["histories", "record"]):
        done = subprocess.run([sys.executable, "-m", "certflow", *words, "--help"], cwd=ROOT, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0 and f"usage: certflow {' '.join(words)}" in done.stdout, done.stderr


def test_the_readme_links_the_runbook_and_the_upgrade_policy_and_they_name_real_patches():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/runbook.md)" in readme and "(docs/upgrades.md)" in readme
    from workflows.patching import ASKED_ALONE, EARLIER, IN_FORCE, SINCE

    asked = {m for path in (ROOT / "workflows").glob("*.py")  # workflow.patched("…") and patching's patched("…")
             for m in re.findall(r'(?<![\w.])(?:workflow\.)?patched\("([^"]+)"\)', path.read_text(encoding="utf-8"))}
    assert asked == IN_FORCE | ASKED_ALONE  # patching.patched refuses any other id; later ones are asked alone
    upgrades = (ROOT / "docs" / "upgrades.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z0-9-]+)` \|", upgrades, re.M))
    assert listed == asked | {SINCE} | {marker for marker, _ in EARLIER}  # every patch in use is named, no other


def test_the_runbook_endpoints_exist():
    from api.app import create_app
    from certflow.settings import Settings

    runbook = (ROOT / "docs" / "runbook.md").read_text(encoding="utf-8")
    templates = [re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")
                 for path in create_app(Settings()).openapi()["paths"]]
    written = set(re.findall(r"(?:GET |POST |localhost:8000|127\.0\.0\.1:8000)(/[^\s`?#\"]+)", runbook))
    written -= {"/metrics"}  # outside the OpenAPI document; tests/api/test_metrics.py scrapes it
    assert {"/api/v1/incidents", "/api/v1/incidents/7/retry", "/api/v1/certificates"} <= written
    assert [path for path in sorted(written) if not any(t.match(path) for t in templates)] == []
