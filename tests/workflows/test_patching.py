"""The patches folded into one for new runs (workflows/patching.py, issue 17): a run begun under this
release writes one patch marker and one ``TemporalChangeVersion`` upsert, not one of each per patch; runs
begun under the release before replay with its marker and the patches added after it asked on their own,
and runs begun before any fold with every patch asked on its own (tests/workflows/test_replay.py replays
the histories kept from before, ``tests/histories/2026-12-03-*`` and ``2026-12-03c-*``)."""

from __future__ import annotations

import base64
import json

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle

from workflows.patching import ASKED_ALONE, EARLIER, IN_FORCE, SINCE, patched

from .conftest import HISTORY_DIR
from .test_life import granted


async def patch_bookkeeping(handle: WorkflowHandle) -> tuple[list[str], int]:
    """The ids of the patch markers in ``handle``'s history, and how many upserts name TemporalChangeVersion."""
    ids, upserts = [], 0
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED:
            marker = event.marker_recorded_event_attributes
            if marker.marker_name == "core_patch":
                ids.append(json.loads(marker.details["patch-data"].payloads[0].data)["id"])
        elif event.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
            fields = event.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields
            upserts += "TemporalChangeVersion" in fields
    return ids, upserts


async def test_a_run_begun_under_this_release_writes_one_patch_marker(journey):
    """One for the patches folded in, and one for each patch added since (asked with workflow.patched)."""
    _, first_run = await granted(journey)
    for handle in (first_run, journey.audit()):
        assert await patch_bookkeeping(handle) == ([SINCE, *sorted(ASKED_ALONE)], 1 + len(ASKED_ALONE)), handle.id


def kept_patch_markers(name: str) -> set[str]:
    """The ids of the patch markers in the kept history ``name``."""
    history = json.loads((HISTORY_DIR / name).read_text(encoding="utf-8"))
    return {json.loads(base64.b64decode(e["markerRecordedEventAttributes"]["details"]["patch-data"]["payloads"][0]
                                        ["data"]))["id"]
            for e in history["events"]
            if e["eventType"] == "EVENT_TYPE_MARKER_RECORDED"
            and e["markerRecordedEventAttributes"]["markerName"] == "core_patch"}


def test_the_runs_kept_from_before_asked_each_patch_on_its_own():
    """What the first fold saves, on the grant path recorded just before it: a marker per patch asked."""
    ids = kept_patch_markers("2026-12-03-grant-CertificationWorkflow.json")
    assert SINCE not in ids and len(ids) >= 8 and ids <= IN_FORCE


def test_the_runs_kept_from_the_release_before_asked_its_marker_and_the_later_patches():
    """Runs begun under the first fold: its marker, and the patch added after it asked on its own (which
    this release folds in), in the certification and its audit alike."""
    earlier, folded = EARLIER[0]
    for name in ("2026-12-03c-grant-CertificationWorkflow.json", "2026-12-03c-grant-AuditWorkflow.json"):
        ids = kept_patch_markers(name)
        assert earlier in ids and SINCE not in ids, name
        assert ids - {earlier} == {"close-with-next-task"} and ids - {earlier} <= IN_FORCE - folded, name


def test_a_patch_not_folded_in_is_refused():
    with pytest.raises(ValueError, match=r"ask workflow\.patched"):
        patched("a-patch-of-next-year")
