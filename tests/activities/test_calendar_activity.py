"""Deadlines use the holiday table as the body keeps it: shipped data plus the register's edits (R-dates)."""

from datetime import date

from temporalio.testing import ActivityEnvironment

from activities.calendar import CalendarActivities, WorkingDaysQuery
from store.holidays import declare_year, set_holiday


async def test_review_deadline_R_9_1_2_over_the_shipped_table(pool):
    """2026-09-30 + 3 working days is 2026-10-10, a make-up Saturday after National Day."""
    result = await ActivityEnvironment().run(
        CalendarActivities(pool).add_working_days, WorkingDaysQuery(start=date(2026, 9, 30), days=3)
    )
    assert result.date == date(2026, 10, 10) and not result.provisional


async def test_a_year_the_body_enters_is_no_longer_provisional_R_dates(pool):
    activities = CalendarActivities(pool)
    query = WorkingDaysQuery(start=date(2026, 12, 30), days=3)
    before = await ActivityEnvironment().run(activities.add_working_days, query)
    assert before.provisional and before.date == date(2027, 1, 4)  # 1 January guessed as a working day

    await set_holiday(pool, date(2027, 1, 1), False, "元旦")
    await declare_year(pool, 2027, source="illustrative notice for the test")
    after = await ActivityEnvironment().run(activities.add_working_days, query)
    assert not after.provisional and after.date == date(2027, 1, 5)
