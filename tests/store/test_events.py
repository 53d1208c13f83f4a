from datetime import UTC, datetime, timedelta, timezone

import asyncpg
import pytest

from schemas.errors import InvalidInput
from store.events import append_event, events_for

T0 = datetime(2026, 3, 9, 9, 0, tzinfo=timezone(timedelta(hours=8)))
WF = "certification-1"


async def test_append_event_twice_writes_one_row(pool, count):
    args = dict(idempotency_key=f"{WF}/decision", occurred_at=T0, actor="system", kind="certification_granted",
                rule_id="R-9.1.9", workflow_id=WF, subject="CF-2026-00001", element_id="Decision",
                data={"level": "three_star", "说明": "中文"})
    first = await append_event(pool, **args)
    again = await append_event(pool, **args)
    assert again == first
    assert await count("events") == 1
    assert first.data == {"level": "three_star", "说明": "中文"} and first.occurred_at == T0


async def test_a_key_once_used_keeps_its_first_event(pool, count):
    first = await append_event(pool, "k", T0, "system", "a")
    assert await append_event(pool, "k", T0 + timedelta(hours=1), "system", "b") == first
    assert await count("events") == 1


@pytest.mark.parametrize("statement", [
    "UPDATE events SET kind = 'forged'",
    "DELETE FROM events",
    "TRUNCATE events",
])
async def test_the_event_log_is_append_only(pool, statement):
    await append_event(pool, "k", T0, "system", "a")
    with pytest.raises(asyncpg.IntegrityConstraintViolationError, match="append-only"):
        await pool.execute(statement)
    assert await pool.fetchval("SELECT kind FROM events") == "a"


async def test_events_for_a_workflow_or_subject_come_in_time_order(pool):
    # written out of order: the list follows occurred_at, then the order written
    await append_event(pool, "3", T0 + timedelta(days=2), "system", "third", workflow_id=WF, subject="A")
    await append_event(pool, "1", T0, "applicant", "first", workflow_id=WF, subject="A")
    await append_event(pool, "2a", T0 + timedelta(days=1), "system", "second-a", workflow_id=WF, subject="B")
    await append_event(pool, "2b", T0 + timedelta(days=1), "system", "second-b", workflow_id=WF, subject="A")
    await append_event(pool, "x", T0, "system", "elsewhere", workflow_id="certification-2", subject="A")
    assert [e.kind for e in await events_for(pool, workflow_id=WF)] == ["first", "second-a", "second-b", "third"]
    assert [e.kind for e in await events_for(pool, subject="A")] == ["first", "elsewhere", "second-b", "third"]
    assert [e.kind for e in await events_for(pool, workflow_id=WF, subject="B")] == ["second-a"]
    with pytest.raises(InvalidInput):
        await events_for(pool)


async def test_an_event_needs_a_time_zone_and_an_actor(pool, count):
    with pytest.raises(InvalidInput, match="time zone"):
        await append_event(pool, "k", datetime(2026, 3, 9, 9, 0), "system", "a")
    with pytest.raises(InvalidInput, match="actor"):
        await append_event(pool, "k", T0, " ", "a")
    assert await count("events") == 0


async def test_a_certifications_timeline_includes_its_audits(pool):
    from datetime import datetime, timedelta

    from store.events import append_event, events_of_certification

    t = datetime(2026, 11, 25, tzinfo=UTC)
    wf = "certification-abc"
    await append_event(pool, "1", t, "system", "application.received", workflow_id=wf)
    await append_event(pool, "2", t + timedelta(days=1), "system", "stage1.completed",
                       workflow_id=f"audit-{wf}-initial-1")
    await append_event(pool, "3", t + timedelta(days=400), "system", "x", workflow_id=f"audit-{wf}-surveillance-1")
    await append_event(pool, "4", t, "system", "other", workflow_id="certification-abcd")  # another certification
    await append_event(pool, "5", t, "system", "other", workflow_id="audit-certification-abcd-initial-1")
    assert [e.idempotency_key for e in await events_of_certification(pool, wf)] == ["1", "2", "3"]
