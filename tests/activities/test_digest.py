"""``queue_staff_digest`` (issue 13): on a working day each person with open tasks gets one mail listing
them (overdue marked, the day they can be started when still to come); a second run of the same day
sends nothing twice; a day off sends nothing; with one mail per task the digest does nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from temporalio.testing import ActivityEnvironment

from activities.digest import DigestActivities, DigestRequest, StaffMailSettings, digest_key
from activities.notify import MailDelivery, NotifyActivities
from schemas.outbox import StaffMail
from schemas.staff import Role
from store import outbox
from store.staff import add_staff, set_active
from store.tasks import complete_task, upsert_open_task

DAY = date(2026, 12, 3)  # a Thursday, a working day in the shipped holiday table
DIGEST = StaffMailSettings(mode=StaffMail.DAILY_DIGEST)


async def open_task(pool, n: int, role: Role, *, assignee=None, due_on: date | None = None,
                    available_from: date | None = None, title: str = ""):
    return await upsert_open_task(
        pool, f"audit-x/t{n}/1", "audit-x", f"t{n}", role.value, datetime(2026, 11, 20, tzinfo=UTC),
        assignee_id=assignee, due_on=due_on, title=title or f"任务{n}", available_from=available_from)


def request(day: date = DAY) -> DigestRequest:
    return DigestRequest(day=day, at=datetime.combine(day, datetime.min.time(), UTC), workflow_id="staff-digest")


async def run(pool, day: date = DAY, settings: StaffMailSettings = DIGEST):
    return await ActivityEnvironment().run(DigestActivities(pool, settings=settings).queue_staff_digest, request(day))


@pytest.fixture
async def team(pool):
    """A leader with three tasks of their own, a reviewer whose role has one task nobody holds, an auditor
    without tasks, and a leader who has left the body."""
    leader, _ = await add_staff(pool, "李组长", [Role.AUDITOR], email="leader@body.example")
    reviewer, _ = await add_staff(pool, "钱评审", [Role.REVIEWER], email="reviewer@body.example")
    idle, _ = await add_staff(pool, "周审查", [Role.AUDITOR], email="idle@body.example")
    gone, _ = await add_staff(pool, "冯离职", [Role.AUDITOR], email="gone@body.example")
    await set_active(pool, gone.id, False)
    await open_task(pool, 1, Role.AUDITOR, assignee=leader.id, due_on=DAY - timedelta(days=2), title="一阶段审查")
    await open_task(pool, 2, Role.AUDITOR, assignee=leader.id, due_on=DAY + timedelta(days=20),
                    available_from=DAY + timedelta(days=14), title="现场审查")
    await open_task(pool, 3, Role.AUDITOR, assignee=leader.id, due_on=DAY + timedelta(days=5),
                    available_from=DAY - timedelta(days=1), title="审查计划")
    done = await open_task(pool, 4, Role.AUDITOR, assignee=leader.id, due_on=DAY, title="已完成的任务")
    await complete_task(pool, done.id, leader.id, datetime(2026, 11, 30, tzinfo=UTC))
    await open_task(pool, 5, Role.AUDITOR, assignee=gone.id, due_on=DAY, title="离职者的任务")
    await open_task(pool, 6, Role.REVIEWER, due_on=DAY + timedelta(days=3), title="申请评审")
    return {"leader": leader, "reviewer": reviewer, "idle": idle, "gone": gone}


async def test_each_person_with_open_tasks_gets_one_list_of_them(pool, team):
    queued = await run(pool)
    leader, reviewer = team["leader"], team["reviewer"]
    assert queued.enabled and sorted(queued.to) == ["leader@body.example", "reviewer@body.example"]
    assert set(queued.keys) == {digest_key(DAY, leader.id), digest_key(DAY, reviewer.id)}
    mail = await outbox.message_by_key(pool, digest_key(DAY, leader.id))
    assert mail.template == "staff_digest" and mail.subject == "2026-12-03 待办任务 3 项（1 项已逾期）"
    body = mail.body
    assert body.index("一阶段审查【已逾期】") < body.index("审查计划") < body.index("现场审查")  # earliest due first
    assert "可办理日：2026-12-17 起" in body  # the on-site audit cannot be started yet
    assert "2026-12-02 起" not in body  # the plan can: its first day is past
    assert "已完成的任务" not in body and "离职者的任务" not in body and "申请评审" not in body
    shared = (await outbox.message_by_key(pool, digest_key(DAY, reviewer.id))).body
    assert "申请评审（角色：reviewer）" in shared and "audit-x/t6/1" in shared


async def test_role_tasks_are_left_out_when_the_body_decides_so(pool, team):
    queued = await run(pool, settings=DIGEST.model_copy(update={"role_tasks": False}))
    assert queued.to == ["leader@body.example"]


async def test_a_second_run_of_the_same_day_sends_nothing_twice(pool, team, smtp):
    first = await run(pool)
    deliver = NotifyActivities(pool, smtp.mail).deliver_mail
    for key in first.keys:
        await ActivityEnvironment().run(deliver, MailDelivery(key=key))
    await open_task(pool, 7, Role.AUDITOR, assignee=team["leader"].id, due_on=DAY, title="新开的任务")
    again = await run(pool)  # a retry, or the process run again the same day
    assert again.keys == first.keys
    for key in again.keys:
        assert (await ActivityEnvironment().run(deliver, MailDelivery(key=key))).already_sent
    assert sorted(m["To"] for m in smtp.messages) == ["leader@body.example", "reviewer@body.example"]
    rows = await pool.fetch("SELECT idempotency_key FROM outbox WHERE template = 'staff_digest'")
    assert len(rows) == 2
    assert "新开的任务" not in smtp.to("leader@body.example")[0].get_body().get_content()  # tomorrow's list


@pytest.mark.parametrize("day_off", [date(2026, 12, 5), date(2026, 10, 1)], ids=["saturday", "national-day"])
async def test_a_day_off_sends_nothing(pool, team, day_off):
    queued = await run(pool, day_off)
    assert queued.enabled and queued.keys == [] and queued.to == []
    assert await pool.fetch("SELECT 1 FROM outbox") == []


async def test_a_made_up_working_sunday_sends_the_digest(pool, team):
    """调休: 2026-09-20 is a Sunday worked in exchange for a National Day holiday (the shipped table)."""
    queued = await run(pool, date(2026, 9, 20))
    assert len(queued.keys) == 2


async def test_with_one_mail_per_task_the_digest_does_nothing_and_says_so(pool, team):
    queued = await run(pool, settings=StaffMailSettings(mode=StaffMail.PER_TASK))
    assert not queued.enabled and queued.keys == []
    assert await pool.fetch("SELECT 1 FROM outbox") == []
