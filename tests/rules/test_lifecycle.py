"""Calendar deadlines: R-10.1 validity, R-9.2.1 surveillance, R-9.6.3 suspension, R-9.3 recertification."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from rules.lifecycle import (
    DEFAULT_POLICY,
    LifecyclePolicy,
    RenewalStart,
    add_months,
    certificate_validity,
    next_surveillance_due,
    recertification_window,
    renewed_validity,
    shanghai_date,
    suspension_end,
)
from schemas.errors import InvalidInput, RuleViolation

dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2200, 12, 31))
month_ends = dates.map(lambda d: add_months(d.replace(day=1), 1) - timedelta(days=1))
dates_near_month_end = st.one_of(dates, month_ends, st.just(date(2024, 2, 29)))

intervals = st.integers(min_value=1, max_value=12)


def _policy_for(interval: int) -> LifecyclePolicy:
    needed = -(-36 // interval) - 1
    return LifecyclePolicy(surveillance_interval_months=interval, surveillances_per_cycle=max(needed, 1))


def _rule_of(exc: ValidationError) -> str:
    return exc.errors()[0]["ctx"]["error"].rule_id


# --- add_months -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap February
        (date(2023, 1, 31), 1, date(2023, 2, 28)),  # common February
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),  # year boundary
        (date(2024, 1, 15), 12, date(2025, 1, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),  # backwards
        (date(2024, 1, 10), -13, date(2022, 12, 10)),
        (date(2024, 5, 17), 0, date(2024, 5, 17)),
    ],
)
def test_add_months_clamps_to_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_add_months_outside_the_calendar_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        add_months(date(9999, 12, 1), 1)


@given(dates_near_month_end, st.integers(min_value=-240, max_value=240))
def test_add_months_lands_in_the_right_month_never_later_day(d: date, n: int) -> None:
    result = add_months(d, n)
    assert (result.year * 12 + result.month) - (d.year * 12 + d.month) == n
    assert result.day <= d.day
    assert result.day == d.day or add_months(result.replace(day=1), 1) - timedelta(days=1) == result


# --- shanghai_date ("Dates") -------------------------------------------------------------------------


def test_shanghai_date_of_utc_evening_is_next_day() -> None:
    """Dates: calendar deadlines use Asia/Shanghai dates (UTC+8)."""
    assert shanghai_date(datetime(2024, 12, 31, 16, 0, tzinfo=UTC)) == date(2025, 1, 1)
    assert shanghai_date(datetime(2024, 12, 31, 15, 59, 59, tzinfo=UTC)) == date(2024, 12, 31)


def test_shanghai_date_of_other_zone() -> None:
    moment = datetime(2024, 6, 1, 20, 0, tzinfo=ZoneInfo("America/New_York"))  # 08:00 next day in Shanghai
    assert shanghai_date(moment) == date(2024, 6, 2)


def test_shanghai_date_refuses_naive_datetime() -> None:
    with pytest.raises(InvalidInput):
        shanghai_date(datetime(2024, 6, 1, 12, 0))


# --- validity ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issued", "valid_to"),
    [
        (date(2019, 5, 1), date(2022, 4, 30)),  # the scheme's own example (R-10.1, 10.2.1 6))
        (date(2020, 2, 29), date(2023, 2, 28)),  # issued on a leap day
        (date(2021, 3, 1), date(2024, 2, 29)),  # validity ends on a leap day
        (date(2020, 2, 28), date(2023, 2, 27)),
        (date(2023, 3, 1), date(2026, 2, 28)),
        (date(2024, 1, 1), date(2026, 12, 31)),
        (date(2024, 12, 31), date(2027, 12, 30)),
    ],
)
def test_r_10_1_validity_is_three_years_minus_a_day(issued: date, valid_to: date) -> None:
    assert certificate_validity(issued) == (issued, valid_to)


def test_r_10_1_validity_years_is_a_policy_value() -> None:
    assert certificate_validity(date(2024, 5, 1), LifecyclePolicy(validity_years=1)) == (
        date(2024, 5, 1),
        date(2025, 4, 30),
    )


def test_r_10_1_policy_cannot_exceed_three_years() -> None:
    with pytest.raises(ValidationError) as info:
        LifecyclePolicy(validity_years=4)
    assert _rule_of(info.value) == "R-10.1"


@given(dates)
def test_r_10_1_property_validity_is_three_years_minus_a_day(issued: date) -> None:
    valid_from, valid_to = certificate_validity(issued)
    assert valid_from == issued
    anniversary = valid_to + timedelta(days=1)
    if (issued.month, issued.day) == (2, 29) and anniversary.month == 3:
        assert anniversary == date(issued.year + 3, 3, 1)
    else:
        assert anniversary == issued.replace(year=issued.year + 3)
    assert add_months(issued, 36) <= anniversary <= add_months(issued, 36) + timedelta(days=1)


@given(dates, dates)
def test_r_10_1_property_later_issue_never_ends_earlier(a: date, b: date) -> None:
    first, second = sorted((a, b))
    assert certificate_validity(first)[1] <= certificate_validity(second)[1]
    if first != second:
        assert certificate_validity(first)[1] < certificate_validity(second)[1]


# --- surveillance ----------------------------------------------------------------------------


def test_r_9_2_1_first_surveillance_counted_from_the_decision() -> None:
    assert next_surveillance_due(date(2024, 5, 10), None) == date(2025, 5, 10)


def test_r_9_2_1_next_counted_from_the_previous_surveillance() -> None:
    assert next_surveillance_due(date(2024, 5, 10), date(2025, 3, 2)) == date(2026, 3, 2)


def test_r_9_2_1_due_date_clamped_at_leap_day() -> None:
    assert next_surveillance_due(date(2024, 2, 29), None) == date(2025, 2, 28)


def test_r_9_2_1_previous_surveillance_before_decision_is_invalid() -> None:
    with pytest.raises(InvalidInput):
        next_surveillance_due(date(2024, 5, 10), date(2024, 5, 9))


def test_r_9_2_1_shorter_interval_allowed() -> None:
    policy = LifecyclePolicy(surveillance_interval_months=6, surveillances_per_cycle=5)
    assert next_surveillance_due(date(2024, 5, 10), None, policy) == date(2024, 11, 10)


@pytest.mark.parametrize("months", [13, 18, 24])
def test_r_9_2_1_interval_above_twelve_months_refused(months: int) -> None:
    with pytest.raises(ValidationError) as info:
        LifecyclePolicy(surveillance_interval_months=months)
    assert _rule_of(info.value) == "R-9.2.1"
    assert "R-9.2.1" in str(info.value)


def test_r_9_2_1_too_few_surveillances_for_the_interval_refused() -> None:
    """Six-monthly surveillances but only two per cycle would leave two years uncovered."""
    with pytest.raises(ValidationError) as info:
        LifecyclePolicy(surveillance_interval_months=6, surveillances_per_cycle=2)
    assert _rule_of(info.value) == "R-9.2.1"


@given(dates_near_month_end, dates_near_month_end, intervals)
def test_r_9_2_1_property_next_due_within_interval_of_reference(decision: date, other: date, interval: int) -> None:
    policy = _policy_for(interval)
    last = max(decision, other)
    due = next_surveillance_due(decision, last, policy)
    assert last < due <= add_months(last, 12)


# --- suspension ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2024, 1, 15), date(2024, 7, 15)),
        (date(2024, 8, 31), date(2025, 2, 28)),
        (date(2023, 8, 31), date(2024, 2, 29)),
        (date(2024, 12, 31), date(2025, 6, 30)),
    ],
)
def test_r_9_6_3_suspension_ends_within_six_months(start: date, end: date) -> None:
    assert suspension_end(start) == end


def test_r_9_6_3_case_time_may_be_shorter() -> None:
    assert suspension_end(date(2024, 1, 15), months=3) == date(2024, 4, 15)


def test_r_9_6_3_case_time_longer_than_policy_refused() -> None:
    with pytest.raises(RuleViolation) as info:
        suspension_end(date(2024, 1, 15), months=7)
    assert info.value.rule_id == "R-9.6.3"
    with pytest.raises(RuleViolation):
        suspension_end(date(2024, 1, 15), LifecyclePolicy(suspension_max_months=4), months=5)
    with pytest.raises(InvalidInput):
        suspension_end(date(2024, 1, 15), months=0)


def test_r_9_6_3_policy_above_six_months_refused() -> None:
    with pytest.raises(ValidationError) as info:
        LifecyclePolicy(suspension_max_months=7)
    assert _rule_of(info.value) == "R-9.6.3"


@given(dates_near_month_end, st.integers(min_value=1, max_value=6))
def test_r_9_6_3_property_suspension_end_within_six_months(start: date, months: int) -> None:
    policy = LifecyclePolicy(suspension_max_months=months)
    end = suspension_end(start, policy)
    assert start < end <= add_months(start, 6)


# --- recertification ---------------------------------------------------------------------------


def test_r_9_3_window_invitation_six_months_before_expiry_deadline_valid_to() -> None:
    window = recertification_window(date(2022, 4, 30))
    assert window.invitation_date == date(2021, 11, 1)
    assert window.decision_deadline == date(2022, 4, 30)


def test_r_9_3_window_invitation_months_configurable() -> None:
    window = recertification_window(date(2025, 2, 28), LifecyclePolicy(recertification_invitation_months=3))
    assert window.invitation_date == date(2024, 12, 1)  # three months before expiry on 2025-03-01
    assert window.decision_deadline == date(2025, 2, 28)


def test_r_9_3_invitation_must_fall_inside_validity() -> None:
    with pytest.raises(ValidationError):
        LifecyclePolicy(recertification_invitation_months=36)


@pytest.mark.parametrize(
    ("old_valid_to", "new_validity"),
    [
        (date(2022, 4, 30), (date(2022, 5, 1), date(2025, 4, 30))),
        (date(2023, 2, 28), (date(2023, 3, 1), date(2026, 2, 28))),
        (date(2024, 2, 28), (date(2024, 2, 29), date(2027, 2, 28))),
        (date(2024, 2, 29), (date(2024, 3, 1), date(2027, 2, 28))),
    ],
)
def test_r_9_3_renewed_validity_starts_day_after_old_one(old_valid_to: date, new_validity: tuple[date, date]) -> None:
    assert renewed_validity(old_valid_to) == new_validity
    assert renewed_validity(old_valid_to, decision_date=old_valid_to - timedelta(days=40)) == new_validity


def test_r_9_3_renewal_on_decision_is_configurable() -> None:
    policy = LifecyclePolicy(renewal_start=RenewalStart.ON_DECISION)
    assert renewed_validity(date(2022, 4, 30), policy, decision_date=date(2022, 3, 15)) == (
        date(2022, 3, 15),
        date(2025, 3, 14),
    )
    with pytest.raises(InvalidInput):
        renewed_validity(date(2022, 4, 30), policy)


def test_r_9_3_decision_after_expiry_is_no_renewal() -> None:
    with pytest.raises(RuleViolation) as info:
        renewed_validity(date(2022, 4, 30), decision_date=date(2022, 5, 1))
    assert info.value.rule_id == "R-9.3"


@given(dates)
def test_r_9_3_property_renewal_is_contiguous_and_window_inside_validity(issued: date) -> None:
    _, valid_to = certificate_validity(issued)
    new_from, new_to = renewed_validity(valid_to)
    assert new_from == valid_to + timedelta(days=1)
    assert (new_from, new_to) == certificate_validity(new_from)
    window = recertification_window(valid_to)
    assert issued < window.invitation_date < window.decision_deadline == valid_to


def test_policy_is_frozen() -> None:
    with pytest.raises(ValidationError):
        DEFAULT_POLICY.surveillance_interval_months = 6  # type: ignore[misc]
