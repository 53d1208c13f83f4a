"""store/incidents.py: an incident's writes arrive beside the process, retried separately, in any order;
the highest version stands. Error text that quotes unstorable input is still recorded."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from schemas.errors import InvalidInput
from schemas.incidents import Incident, IncidentState
from store.incidents import get_incident, incident_by_key, list_incidents, record

RAISED = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


def incident(n: int = 1, workflow_id: str = "certification-a", **changes) -> Incident:
    fields = dict(key=f"{workflow_id}/incident/run-1/{n}", workflow_id=workflow_id, run_id="run-1",
                  activity="deliver_mail", step="mail: application_received", element_id="record_application",
                  error_type="MailRefused", error="550 mailbox unavailable", reason="refused", raised_at=RAISED)
    return Incident(**fields | changes)


async def test_a_newer_version_updates_and_an_older_one_arriving_late_changes_nothing(pool, count):
    first = await record(pool, incident())
    assert first.state is IncidentState.OPEN and first.version == 1 and first.id
    resolved = await record(pool, incident(state=IncidentState.RESOLVED, retries=1, retried_by="钱运维",
                                           resolved_at=RAISED, version=3))
    assert resolved.id == first.id and resolved.state is IncidentState.RESOLVED and resolved.retries == 1
    late = await record(pool, incident(state=IncidentState.RETRYING, retries=1, version=2))  # retried write, late
    assert late.state is IncidentState.RESOLVED and late.version == 3
    again = await record(pool, incident(state=IncidentState.RESOLVED, retries=1, retried_by="钱运维",
                                        resolved_at=RAISED, version=3))
    assert again == resolved and await count("incidents") == 1


async def test_error_text_postgresql_cannot_hold_is_recorded_readably(pool):
    """The failure may quote the very input that broke the step (a NUL, a lone surrogate)."""
    kept = await record(pool, incident(error="cannot store 'a\x00b' nor '\ud800'", step="close task: \x00"))
    assert kept.error == "cannot store 'a\\u0000b' nor '\\ud800'" and kept.step == "close task: \\u0000"
    assert await incident_by_key(pool, kept.key) == kept


async def test_lists_filter_by_state_and_process_newest_first(pool):
    a = await record(pool, incident(1))
    b = await record(pool, incident(2, raised_at=RAISED.replace(hour=2)))
    c = await record(pool, incident(1, workflow_id="audit-x", state=IncidentState.RESOLVED, resolved_at=RAISED,
                                    raised_at=RAISED.replace(hour=0)))
    assert [i.id for i in await list_incidents(pool)] == [b.id, a.id, c.id]
    assert [i.id for i in await list_incidents(pool, unresolved=True)] == [b.id, a.id]
    assert [i.id for i in await list_incidents(pool, state=IncidentState.RESOLVED)] == [c.id]
    assert [i.id for i in await list_incidents(pool, workflow_id="certification-a")] == [b.id, a.id]
    d = await record(pool, incident(1, workflow_id="audit-certification-a-initial-1",
                                    raised_at=RAISED.replace(minute=1)))
    assert [i.id for i in await list_incidents(pool, workflow_id="certification-a", with_audits=True)] == [
        b.id, d.id, a.id]  # a certification's page shows its audits' incidents too
    assert await get_incident(pool, c.id) == c and await get_incident(pool, 0) is None


async def test_a_naive_time_is_refused(pool):
    with pytest.raises(InvalidInput):
        await record(pool, incident(raised_at=RAISED.replace(tzinfo=None)))
