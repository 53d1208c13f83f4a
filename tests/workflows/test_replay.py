"""Replay of recorded histories (tests/histories/): a change to workflow code that would break a
running certification fails here, and must come with workflow.patched or a new version.

Histories are recorded with ``CERTFLOW_RECORD_HISTORIES=1 make test`` (see the grant-path test)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from workers.main import WORKFLOWS, workflow_runner

HISTORY_DIR = Path(__file__).resolve().parents[1] / "histories"
HISTORIES = sorted(p for p in HISTORY_DIR.glob("*.json") if p.name != "index.json")
# Workflow code derives task ids from its own workflow id: replay under the id it ran with.
WORKFLOW_IDS = json.loads((HISTORY_DIR / "index.json").read_text())


def test_the_grant_path_and_the_certificate_life_are_recorded():
    names = {p.name for p in HISTORIES}
    assert {"grant-CertificationWorkflow.json", "grant-AuditWorkflow.json"} <= names
    life = {"cycle1", "cycle2", "withdrawn", "reinstated", "expired", "complaint"}  # tests/workflows/test_life.py
    assert {f"life-{name}-CertificationWorkflow.json" for name in life} <= names
    assert {f"life-{kind}-AuditWorkflow.json" for kind in ("surveillance", "recertification", "special")} <= names


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
async def test_replays_without_nondeterminism(path: Path):
    text = await asyncio.to_thread(path.read_text, encoding="utf-8")
    history = WorkflowHistory.from_json(WORKFLOW_IDS[path.name], text)
    replayer = Replayer(workflows=WORKFLOWS, data_converter=pydantic_data_converter, workflow_runner=workflow_runner())
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None
