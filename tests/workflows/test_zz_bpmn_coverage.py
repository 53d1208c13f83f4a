"""Every element the workflows record (user tasks, and the ends and events they mark) is reached by at
least one journey. Runs last in this directory (its name), after the journeys have filled
``COVERED`` as they ended; alone (e.g. ``pytest -k coverage``) it has nothing to judge and says so."""

from __future__ import annotations

import pytest

from workflows.model import MODELS

from .conftest import COVERED


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.file)
def test_every_recorded_element_of_the_diagrams_is_reached_by_a_journey(model):
    if not COVERED:
        pytest.skip("no journey ran in this session: run tests/workflows as a whole")
    recorded = {e.code_id for e in model.elements if e.recorded}
    missing = sorted(recorded - COVERED[model.file])
    assert missing == [], f"{model.file}.bpmn: no journey passes {missing}"
