"""Capacity and absences in the register (issue 18, migration 0015): what the programme manager plans
the audits' schedule and resources from (R-9.1.3). Capacity is one row a person; absences are records,
recorded once by their id, cancelled with who and when, never deleted."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from schemas.errors import Conflict, InvalidInput, NotFound
from schemas.scheduling import Absence, StaffCapacity
from schemas.staff import Role
from store.staff import add_staff
from store.staff_capacity import (
    absences_between,
    absences_of,
    cancel_absence,
    capacities,
    capacity_of,
    record_absence,
    set_capacity,
)

TODAY = date(2026, 12, 2)


async def person(pool, name: str = "李审核") -> uuid.UUID:
    staff, _ = await add_staff(pool, name, [Role.AUDITOR])
    return staff.id


def leave(staff_id: uuid.UUID, starts_on: date, ends_on: date, reason: str = "年假") -> Absence:
    return Absence(id=uuid.uuid4(), staff_id=staff_id, starts_on=starts_on, ends_on=ends_on, reason=reason)


async def test_capacity_defaults_then_one_row_a_person_last_writer_named_R_9_1_3(pool, count):
    who = await person(pool)
    assert await capacity_of(pool, who) == StaffCapacity(staff_id=who)  # no row: the body's defaults
    assert await capacities(pool) == {}
    await set_capacity(pool, StaffCapacity(staff_id=who, home_city="上海", max_audit_days_per_month=8), by="王管理")
    changed = await set_capacity(pool, StaffCapacity(staff_id=who, home_city="杭州"), by="赵计划")
    assert changed == StaffCapacity(staff_id=who, home_city="杭州", max_audit_days_per_month=None)
    assert await capacity_of(pool, who) == changed and await capacities(pool) == {who: changed}
    assert await count("staff_capacity") == 1
    assert await pool.fetchval("SELECT updated_by FROM staff_capacity WHERE staff_id = $1", who) == "赵计划"


async def test_capacity_of_someone_unknown_is_not_found(pool):
    with pytest.raises(NotFound):
        await capacity_of(pool, uuid.uuid4())
    with pytest.raises(NotFound):
        await set_capacity(pool, StaffCapacity(staff_id=uuid.uuid4(), home_city="上海"), by="王管理")


async def test_an_absence_is_recorded_once_by_its_id(pool, count):
    who = await person(pool)
    asked = leave(who, date(2027, 1, 4), date(2027, 1, 8))
    first = await record_absence(pool, asked, by="李审核")
    again = await record_absence(pool, asked, by="李审核")
    assert again == first and first.recorded_by == "李审核" and first.recorded_at is not None
    assert await count("staff_absences") == 1
    with pytest.raises(Conflict, match="already recorded"):
        await record_absence(pool, asked.model_copy(update={"ends_on": date(2027, 1, 9)}), by="李审核")
    assert await count("staff_absences") == 1


async def test_an_absence_runs_forwards_for_at_most_a_year(pool, count):
    who = await person(pool)
    with pytest.raises(InvalidInput, match="before starts_on"):
        await record_absence(pool, leave(who, date(2027, 1, 8), date(2027, 1, 7)), by="王管理")
    with pytest.raises(InvalidInput, match="at most 366 days"):
        await record_absence(pool, leave(who, date(2027, 1, 1), date(2028, 1, 2)), by="王管理")  # 367 days
    year = await record_absence(pool, leave(who, date(2028, 1, 1), date(2028, 12, 31)), by="王管理")  # 366 days
    assert year.ends_on == date(2028, 12, 31)
    with pytest.raises(NotFound):
        await record_absence(pool, leave(uuid.uuid4(), date(2027, 1, 1), date(2027, 1, 2)), by="王管理")
    assert await count("staff_absences") == 1


async def test_a_cancelled_absence_stays_on_record_and_is_cancelled_once(pool):
    who = await person(pool)
    recorded = await record_absence(pool, leave(who, date(2026, 12, 1), date(2026, 12, 3)), by="李审核")
    cancelled = await cancel_absence(pool, who, recorded.id, by="王管理", today=TODAY)  # ongoing: may
    assert cancelled.cancelled_by == "王管理" and cancelled.cancelled_at is not None
    with pytest.raises(Conflict, match="already cancelled by 王管理"):
        await cancel_absence(pool, who, recorded.id, by="李审核", today=TODAY)
    assert await absences_of(pool, who) == [cancelled]


async def test_an_absence_that_is_over_cannot_be_cancelled(pool):
    who = await person(pool)
    over = await record_absence(pool, leave(who, date(2026, 11, 23), date(2026, 12, 1)), by="李审核")
    with pytest.raises(Conflict, match="ended on 2026-12-01, before today"):
        await cancel_absence(pool, who, over.id, by="李审核", today=TODAY)
    other = await person(pool, "钱审核")
    with pytest.raises(NotFound):  # another person's absence is not found under this one
        await cancel_absence(pool, other, over.id, by="李审核", today=TODAY)
    assert (await absences_of(pool, who))[0].cancelled_at is None


async def test_a_persons_absences_latest_first_and_unknown_person_not_found(pool):
    who = await person(pool)
    days = [(date(2027, 1, 4), date(2027, 1, 5)), (date(2027, 3, 1), date(2027, 3, 2)),
            (date(2027, 2, 1), date(2027, 2, 1))]
    for starts, ends in days:
        await record_absence(pool, leave(who, starts, ends), by="李审核")
    assert [a.starts_on for a in await absences_of(pool, who)] == [date(2027, 3, 1), date(2027, 2, 1),
                                                                   date(2027, 1, 4)]
    assert await absences_of(pool, await person(pool, "孙")) == []
    with pytest.raises(NotFound):
        await absences_of(pool, uuid.uuid4())


async def test_absences_between_are_those_in_force_that_overlap_the_span_by_person(pool):
    li, qian = await person(pool, "李"), await person(pool, "钱")
    inside = await record_absence(pool, leave(li, date(2027, 1, 4), date(2027, 1, 8)), by="李")
    edge = await record_absence(pool, leave(li, date(2026, 12, 28), date(2027, 1, 1)), by="李")  # ends on day 1
    await record_absence(pool, leave(li, date(2027, 2, 1), date(2027, 2, 5)), by="李")  # after the span
    await record_absence(pool, leave(li, date(2026, 12, 1), date(2026, 12, 31)), by="李")  # before it
    dropped = await record_absence(pool, leave(qian, date(2027, 1, 10), date(2027, 1, 12)), by="钱")
    await cancel_absence(pool, qian, dropped.id, by="钱", today=TODAY)
    spanning = await record_absence(pool, leave(qian, date(2026, 12, 20), date(2027, 2, 20)), by="钱")
    found = await absences_between(pool, date(2027, 1, 1), date(2027, 1, 31))
    assert found == {li: [edge, inside], qian: [spanning]}
    assert await absences_between(pool, date(2027, 3, 1), date(2027, 3, 31)) == {}
