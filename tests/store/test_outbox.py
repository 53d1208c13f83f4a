from datetime import UTC, datetime

import pytest

from schemas.errors import NotFound
from schemas.outbox import OutboxStatus
from store.outbox import enqueue, mark_failed, mark_sent, message_by_key, pending

SENT_AT = datetime(2026, 3, 9, 1, 0, tzinfo=UTC)


async def test_enqueue_with_the_same_key_returns_the_queued_message(pool, count):
    mail = ("certification-1/plan-notice", "org@example.cn", "审查计划", "正文")
    first = await enqueue(pool, *mail, template="plan")
    again = await enqueue(pool, *mail, template="plan")
    assert again == first
    assert await count("outbox") == 1
    assert first.status is OutboxStatus.PENDING and first.attempts == 0
    assert await message_by_key(pool, "certification-1/plan-notice") == first


async def test_pending_lists_what_is_due_oldest_first(pool):
    a = await enqueue(pool, "a", "a@example.cn", "s", "b")
    b = await enqueue(pool, "b", "b@example.cn", "s", "b")
    c = await enqueue(pool, "c", "c@example.cn", "s", "b")
    await mark_sent(pool, b.id, "<b@mail>", SENT_AT)
    assert [m.id for m in await pending(pool, 10)] == [a.id, c.id]
    assert [m.id for m in await pending(pool, 1)] == [a.id]


async def test_mark_sent_is_final_and_idempotent(pool):
    m = await enqueue(pool, "a", "a@example.cn", "s", "b")
    sent = await mark_sent(pool, m.id, "<a@mail>", SENT_AT)
    assert (sent.status, sent.message_id, sent.sent_at, sent.attempts) == (OutboxStatus.SENT, "<a@mail>", SENT_AT, 1)
    assert await mark_sent(pool, m.id, "<other@mail>", SENT_AT) == sent
    assert await mark_failed(pool, m.id, "late bounce") == sent
    with pytest.raises(NotFound):
        await mark_sent(pool, 999, "<x>", SENT_AT)


async def test_mark_failed_counts_attempts_until_the_message_is_given_up(pool):
    m = await enqueue(pool, "a", "a@example.cn", "s", "b")
    failed = await mark_failed(pool, m.id, "connection refused")
    assert (failed.status, failed.attempts, failed.last_error) == (OutboxStatus.FAILED, 1, "connection refused")
    assert [x.id for x in await pending(pool, 10, max_attempts=2)] == [m.id]
    await mark_failed(pool, m.id, "timeout")
    assert await pending(pool, 10, max_attempts=2) == []
    sent = await mark_sent(pool, m.id, "<a@mail>", SENT_AT)
    assert (sent.attempts, sent.last_error) == (3, None)


async def test_two_senders_claiming_with_lock_never_get_the_same_message(pool):
    for key in "abcd":
        await enqueue(pool, key, f"{key}@example.cn", "s", "b")
    async with pool.acquire() as one, pool.acquire() as two, one.transaction(), two.transaction():
        first = await pending(one, 2, lock=True)
        second = await pending(two, 10, lock=True)
    assert len(first) == 2 and len(second) == 2
    assert not {m.id for m in first} & {m.id for m in second}
