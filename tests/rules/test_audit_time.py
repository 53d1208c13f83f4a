"""Audit time: Appendix A (R-A.table, R-A.n1a, R-A.n1b, R-A.n1c) and its adjustment (R-9.1.2.7)."""

from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from rules.audit_time import (
    Adjustment,
    AuditTimeBand,
    AuditTimePolicy,
    AuditTimeTable,
    adjust_audit_time,
    check_onsite_days,
    check_surveillance_programme,
    check_surveillance_year,
    minimum_onsite_days,
    recertification_days,
    surveillance_days,
    table_audit_time,
)
from schemas.errors import InvalidInput, RuleViolation

# (lower, upper, days) as RULES.md states them; the first 12 rows are the scheme's Appendix A.
SCHEME_BANDS = [
    (1, 15, "3.5"), (16, 25, "4.5"), (26, 45, "5.5"), (46, 65, "6"), (66, 85, "7"), (86, 125, "8"),
    (126, 175, "9"), (176, 275, "10"), (276, 425, "11"), (426, 625, "12"), (626, 875, "13"),
    (876, 1175, "15"),
]  # fmt: skip
DECISION_BANDS = [
    (1176, 1550, "16"), (1551, 2025, "17"), (2026, 2675, "18"), (2676, 3450, "19"), (3451, 4350, "20"),
    (4351, 5450, "21"), (5451, 6800, "23"), (6801, 8500, "25"), (8501, 10700, "27"),
]  # fmt: skip
# "then the same progression" (Decision): each further started 2,200 employees add 2 person-days.
BEYOND = [
    (10701, "29", 10701, 12900), (12900, "29", 10701, 12900), (12901, "31", 12901, 15100),
    (15100, "31", 12901, 15100), (15101, "33", 15101, 17300), (100_000, "109", 98701, 100900),
]  # fmt: skip

EDGES = [
    pytest.param(h, D(days), lower, upper, id=f"{h}")
    for lower, upper, days in SCHEME_BANDS + DECISION_BANDS
    for h in (lower, upper)
]

half_days = st.integers(min_value=1, max_value=400).map(lambda k: D(k) / 2)
headcounts = st.integers(min_value=1, max_value=50_000)


def is_half_day_multiple(value: D) -> bool:
    return (value / D("0.5")) % 1 == 0


# --- R-A.table ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("headcount", "days", "lower", "upper"), EDGES)
def test_r_a_table_every_band_at_both_edges(headcount: int, days: D, lower: int, upper: int) -> None:
    """R-A.table: each band's first and last headcount give the band's person-days."""
    result = table_audit_time(headcount)
    assert result.days == days
    assert (result.lower, result.upper) == (lower, upper)


@pytest.mark.parametrize(("headcount", "days", "lower", "upper"), BEYOND)
def test_r_a_table_progression_beyond_10700(headcount: int, days: str, lower: int, upper: int) -> None:
    """R-A.table Decision: above 10,700 each further started 2,200 employees add 2 person-days."""
    result = table_audit_time(headcount)
    assert (result.days, result.lower, result.upper) == (D(days), lower, upper)
    assert result.needs_manager_confirmation
    assert "progression" in result.source


def test_r_a_table_shipped_data_is_the_scheme_table_plus_the_decision() -> None:
    """R-A.table: the data file holds exactly RULES.md's rows, the scheme's marked as Appendix A."""
    table = AuditTimeTable.default()
    rows = [(b.lower, b.upper, b.days) for b in table.bands]
    assert rows == [(lo, hi, D(d)) for lo, hi, d in SCHEME_BANDS + DECISION_BANDS]
    assert [b.source for b in table.bands[:12]] == ["Appendix A"] * 12
    assert all(b.source.startswith("Decision") for b in table.bands[12:])
    assert (table.beyond_width, table.beyond_step) == (2200, D(2))


@pytest.mark.parametrize(("headcount", "flag"), [(1, False), (1175, False), (1176, True), (10701, True)])
def test_r_a_table_manager_confirmation_above_1175(headcount: int, flag: bool) -> None:
    """R-A.table Decision: a value from beyond the scheme's own rows is flagged for a manager."""
    assert table_audit_time(headcount).needs_manager_confirmation is flag


def test_r_a_table_confirmation_threshold_is_policy() -> None:
    """R-A.table Decision is configurable: the body may confirm from another headcount on."""
    policy = AuditTimePolicy(manager_confirmation_above=500)
    assert table_audit_time(501, policy).needs_manager_confirmation
    assert not table_audit_time(500, policy).needs_manager_confirmation


def test_r_a_table_progression_is_configurable() -> None:
    """R-A.table Decision: the progression width and step come from the table, not from code."""
    table = AuditTimeTable.default().model_copy(update={"beyond_width": 1000, "beyond_step": D(1)})
    policy = AuditTimePolicy(table=table)
    assert table_audit_time(10701, policy).days == D(28)
    assert table_audit_time(11700, policy).days == D(28)
    assert table_audit_time(11701, policy).days == D(29)


@pytest.mark.parametrize("bad", [0, -1, 1.5, 15.0, "10", True, False, None, D(10)])
def test_r_a_table_refuses_a_headcount_that_is_not_a_positive_int(bad: object) -> None:
    """R-A.table is keyed by a count of people: anything else is malformed input."""
    with pytest.raises(InvalidInput, match="headcount"):
        table_audit_time(bad)  # type: ignore[arg-type]


def test_r_a_table_refuses_tables_with_gaps_or_falling_days() -> None:
    """R-A.table as data: a gap, an overlap or a falling row would give a wrong answer, so it is refused."""
    ok = {"beyond_width": 10, "beyond_step": D(1)}

    def band(lower: int, upper: int, days: int) -> AuditTimeBand:
        return AuditTimeBand(lower=lower, upper=upper, days=D(days))

    with pytest.raises(ValidationError, match="does not follow"):
        AuditTimeTable(bands=(band(1, 5, 1), band(7, 9, 2)), **ok)
    with pytest.raises(ValidationError, match="fewer days"):
        AuditTimeTable(bands=(band(1, 5, 2), band(6, 9, 1)), **ok)
    with pytest.raises(ValidationError, match="start at headcount 1"):
        AuditTimeTable(bands=(band(2, 5, 2),), **ok)
    with pytest.raises(ValidationError, match="empty"):
        AuditTimeTable(bands=(band(1, 5, 2), band(6, 5, 2)), **ok)


@given(headcounts, headcounts)
def test_r_a_table_is_monotone_in_headcount(a: int, b: int) -> None:
    """R-A.table: more people never means fewer person-days, across the table and beyond it."""
    low, high = sorted((a, b))
    assert table_audit_time(low).days <= table_audit_time(high).days


@given(headcounts)
def test_r_a_table_values_are_half_days_and_the_band_holds_the_headcount(headcount: int) -> None:
    """R-A.table: values are person-days in half days; the reported band contains the headcount."""
    result = table_audit_time(headcount)
    assert is_half_day_multiple(result.days)
    assert result.lower <= headcount <= result.upper


# --- R-9.1.2.7 adjustment ------------------------------------------------------------------------


def test_r_9_1_2_7_no_adjustment_keeps_the_table_value() -> None:
    """R-9.1.2.7: the table value is the starting point."""
    result = adjust_audit_time(D(8), [])
    assert (result.table_days, result.adjusted_days, result.net_change_days, result.reasons) == (D(8), D(8), 0, [])


def test_r_9_1_2_7_adjusted_value_and_reasons_are_recorded() -> None:
    """R-9.1.2.7: the result carries the table value, the adjusted value and every reason."""
    adjustments = [
        Adjustment(kind="reduction", days=D(2), reason="one site, simple scope"),
        Adjustment(kind="increase", days=D("0.5"), reason="outsourced night shift"),
    ]
    result = adjust_audit_time(D(10), adjustments)
    assert result.table_days == D(10)
    assert result.net_change_days == D("-1.5")
    assert result.adjusted_days == D("8.5")
    assert result.reasons == ["one site, simple scope", "outsourced night shift"]
    assert result.model_dump(mode="json")["reasons"] == result.reasons


@pytest.mark.parametrize(
    ("kind", "days", "adjusted"),
    [("reduction", "3", "7"), ("increase", "5", "15")],
    ids=["reduction-exactly-30%", "increase-exactly-50%"],
)
def test_r_9_1_2_7_change_at_the_bound_is_allowed(kind: str, days: str, adjusted: str) -> None:
    """R-9.1.2.7 Decision: a net change of exactly the bound (30 % down, 50 % up) passes."""
    result = adjust_audit_time(D(10), [Adjustment(kind=kind, days=D(days), reason="r")])  # type: ignore[arg-type]
    assert result.adjusted_days == D(adjusted)


@pytest.mark.parametrize(
    ("kind", "days", "word"),
    [("reduction", "3.5", "reduce"), ("increase", "5.5", "increase")],
    ids=["reduction-35%", "increase-55%"],
)
def test_r_9_1_2_7_change_beyond_the_bound_is_refused(kind: str, days: str, word: str) -> None:
    """R-9.1.2.7 Decision: a net change beyond the policy's bound is a rule violation."""
    with pytest.raises(RuleViolation, match=word) as caught:
        adjust_audit_time(D(10), [Adjustment(kind=kind, days=D(days), reason="r")])  # type: ignore[arg-type]
    assert caught.value.rule_id == "R-9.1.2.7"


def test_r_9_1_2_7_the_bound_is_on_the_net_change() -> None:
    """R-9.1.2.7 Decision: a 40 % reduction offset by a 20 % increase is a 20 % net reduction."""
    result = adjust_audit_time(
        D(10),
        [Adjustment(kind="reduction", days=D(4), reason="a"), Adjustment(kind="increase", days=D(2), reason="b")],
    )
    assert result.adjusted_days == D(8)


def test_r_9_1_2_7_bounds_are_policy() -> None:
    """R-9.1.2.7 Decision: the body can tighten or widen the bounds."""
    strict = AuditTimePolicy(max_reduction_percent=D(10), max_increase_percent=D(0))
    with pytest.raises(RuleViolation):
        adjust_audit_time(D(10), [Adjustment(kind="reduction", days=D(2), reason="r")], strict)
    with pytest.raises(RuleViolation):
        adjust_audit_time(D(10), [Adjustment(kind="increase", days=D("0.5"), reason="r")], strict)
    assert adjust_audit_time(D(10), [Adjustment(kind="reduction", days=D(1), reason="r")], strict).adjusted_days == 9


@pytest.mark.parametrize("reason", ["", "   "])
def test_r_9_1_2_7_an_adjustment_without_reason_is_refused(reason: str) -> None:
    """R-9.1.2.7: the reasons for an adjustment must be recorded, so a blank one is refused."""
    with pytest.raises(RuleViolation, match="no reason") as caught:
        adjust_audit_time(D(10), [Adjustment(kind="increase", days=D(1), reason=reason)])
    assert caught.value.rule_id == "R-9.1.2.7"


def test_r_9_1_2_7_malformed_adjustments_are_invalid_input() -> None:
    """R-9.1.2.7: a missing reason field, a non-positive amount or a foreign object is malformed."""
    with pytest.raises(ValidationError):
        Adjustment(kind="increase", days=D(1))  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        Adjustment(kind="increase", days=D(0), reason="r")
    with pytest.raises(ValidationError):
        Adjustment(kind="discount", days=D(1), reason="r")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        adjust_audit_time(D(10), [{"kind": "increase", "days": 1, "reason": "r"}])  # type: ignore[list-item]
    with pytest.raises(InvalidInput):
        adjust_audit_time(10.0, [])  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        adjust_audit_time(D(0), [])


def test_r_9_1_2_7_adjusted_value_rounds_up_to_half_days() -> None:
    """Decision (half days, rounded up): 3.5 - 1.05 = 2.45 is recorded as 2.5 person-days."""
    result = adjust_audit_time(D("3.5"), [Adjustment(kind="reduction", days=D("1.05"), reason="r")])
    assert result.net_change_days == D("-1.05")
    assert result.adjusted_days == D("2.5")


@given(half_days, st.lists(st.tuples(st.sampled_from(["reduction", "increase"]), half_days), max_size=4))
def test_r_9_1_2_7_adjusted_is_within_bounds_or_refused(table: D, changes: list[tuple[str, D]]) -> None:
    """R-9.1.2.7: whatever the adjustments, the outcome is a half-day value within the bounds, or a refusal."""
    adjustments = [Adjustment(kind=k, days=d, reason="r") for k, d in changes]  # type: ignore[arg-type]
    try:
        result = adjust_audit_time(table, adjustments)
    except RuleViolation as refused:
        assert refused.rule_id == "R-9.1.2.7"
        net = sum((a.signed_days for a in adjustments), D(0))
        assert net < -table * D("0.3") or net > table * D("0.5")
        return
    assert is_half_day_multiple(result.adjusted_days)
    assert table * D("0.7") <= result.adjusted_days
    assert result.adjusted_days < table * D("1.5") + D("0.5")


# --- R-A.n1a on-site share -----------------------------------------------------------------------


@pytest.mark.parametrize(("total", "minimum"), [("10", "8"), ("3.5", "3"), ("15", "12"), ("4.5", "4"), ("1", "1")])
def test_r_a_n1a_minimum_onsite_is_80_percent_rounded_up(total: str, minimum: str) -> None:
    """R-A.n1a: on-site time >= 80 % of the total, in half days rounded up (3.5 -> 2.8 -> 3)."""
    assert minimum_onsite_days(D(total)) == D(minimum)


def test_r_a_n1a_onsite_at_or_above_80_percent_passes() -> None:
    """R-A.n1a: exactly 80 % and the minimum from minimum_onsite_days are accepted."""
    check_onsite_days(D(10), D(8))
    check_onsite_days(D("3.5"), minimum_onsite_days(D("3.5")))
    check_onsite_days(D(10), D(10))


def test_r_a_n1a_onsite_below_80_percent_is_refused() -> None:
    """R-A.n1a: 7.5 of 10 person-days on site is under 80 %."""
    with pytest.raises(RuleViolation) as caught:
        check_onsite_days(D(10), D("7.5"))
    assert caught.value.rule_id == "R-A.n1a"
    assert "plan at least 8 on site" in caught.value.reason  # the least on-site time that passes


def test_r_a_n1a_onsite_above_total_is_malformed() -> None:
    """R-A.n1a: on-site time is a part of the total, so more than the total is a mistake, not a rule case."""
    with pytest.raises(InvalidInput):
        check_onsite_days(D(5), D(6))


@given(half_days)
def test_r_a_n1a_minimum_onsite_is_the_least_half_day_value_that_passes(total: D) -> None:
    """R-A.n1a: the minimum passes the check, half a day less does not."""
    minimum = minimum_onsite_days(total)
    assert is_half_day_multiple(minimum)
    check_onsite_days(total, minimum)
    with pytest.raises(RuleViolation):
        check_onsite_days(total, minimum - D("0.5"))


# --- R-A.n1b surveillance, R-A.n1c recertification -----------------------------------------------


@pytest.mark.parametrize(
    ("initial", "minimum"),
    [("3.5", "1.5"), ("1", "1"), ("2", "1"), ("3", "1"), ("4.5", "1.5"), ("6", "2"), ("15", "5"), ("16", "5.5")],
)
def test_r_a_n1b_surveillance_is_a_third_and_at_least_one_day(initial: str, minimum: str) -> None:
    """R-A.n1b: a year's surveillance >= 1/3 of the initial time and >= 1 day, in half days rounded up."""
    assert surveillance_days(D(initial)) == D(minimum)


@pytest.mark.parametrize(
    ("initial", "minimum"),
    [("3.5", "2.5"), ("1", "2"), ("3", "2"), ("4.5", "3"), ("5.5", "4"), ("15", "10"), ("16", "11")],
)
def test_r_a_n1c_recertification_is_two_thirds_and_at_least_two_days(initial: str, minimum: str) -> None:
    """R-A.n1c: recertification >= 2/3 of the initial time and >= 2 days, in half days rounded up."""
    assert recertification_days(D(initial)) == D(minimum)


def test_r_a_n1b_check_applies_to_the_year_total() -> None:
    """R-A.n1b: one surveillance or several, their total must reach the minimum."""
    check_surveillance_year(D(15), D(5))
    check_surveillance_year(D(15), D(2), D(3))  # two audits of the year: 2 + 3 = 5
    check_surveillance_year(D(2), D(1))
    for initial, planned, earlier in [(D(15), D("4.5"), D(0)), (D(15), D(2), D("2.5")), (D(2), D("0.5"), D(0))]:
        with pytest.raises(RuleViolation) as caught:
            check_surveillance_year(initial, planned, earlier)
        assert caught.value.rule_id == "R-A.n1b"


def test_r_a_n1b_refusal_says_the_year_total_and_what_is_missing() -> None:
    """R-A.n1b: the programme manager is told the year's total and how much is missing."""
    with pytest.raises(RuleViolation) as caught:
        check_surveillance_year(D(8), D("1.5"), D(1))  # minimum 3 (8/3 rounded up to half days)
    assert "total 2.5 person-days" in caught.value.reason
    assert "0.5 person-days missing" in caught.value.reason
    assert caught.value.details == {"initial": "8", "minimum": "3", "year_total": "2.5", "missing": "0.5"}


def test_r_a_n1b_each_audit_decision_does_not_count_the_year() -> None:
    """R-A.n1b Decision (AuditTimePolicy.surveillance_year): "each_audit" holds every audit to the minimum."""
    each = AuditTimePolicy(surveillance_year="each_audit")
    check_surveillance_year(D(15), D(2), D(3))
    with pytest.raises(RuleViolation) as caught:
        check_surveillance_year(D(15), D(2), D(3), each)
    assert caught.value.rule_id == "R-A.n1b" and "total 2 person-days" in caught.value.reason


def test_r_a_n1b_the_planned_surveillance_closes_the_year_an_extra_one_does_not() -> None:
    """R-A.n1b Decision: the year's total is checked at the planned surveillance that closes it; an extra
    one a person added counts towards it and is not held to the minimum alone (unless "each_audit")."""
    check_surveillance_programme(D(8), D(1), earlier_in_year=D(0), closes_year=False)  # an extra one
    check_surveillance_programme(D(8), D(2), earlier_in_year=D(1), closes_year=True)  # 1 + 2 = 3
    with pytest.raises(RuleViolation) as caught:
        check_surveillance_programme(D(8), D("1.5"), earlier_in_year=D(1), closes_year=True)
    assert caught.value.rule_id == "R-A.n1b"
    each = AuditTimePolicy(surveillance_year="each_audit")
    for closes in (True, False):
        with pytest.raises(RuleViolation):
            check_surveillance_programme(D(8), D(2), earlier_in_year=D(1), closes_year=closes, policy=each)


def test_r_a_n1b_minimum_follows_the_rounding_step() -> None:
    """R-A.n1b: the minimum is rules.audit_time's, rounded up to the policy's day_step (not to tenths)."""
    check_surveillance_year(D(8), D(3))
    with pytest.raises(RuleViolation):
        check_surveillance_year(D(8), D("2.7"))  # 8/3 = 2.67: 2.7 would do in tenths, not in half days
    check_surveillance_year(D(8), D(3), policy=AuditTimePolicy(day_step=D(1)))
    with pytest.raises(RuleViolation):
        check_surveillance_year(D(7), D("2.5"), policy=AuditTimePolicy(day_step=D(1)))  # 7/3 -> 3 whole days


@pytest.mark.parametrize("bad", [0, -1, 1.5, "3", None, True, D("NaN")])
def test_r_a_n1b_n1c_refuse_malformed_initial_time(bad: object) -> None:
    """R-A.n1b/R-A.n1c: the initial time must be a positive int or Decimal of person-days."""
    with pytest.raises(InvalidInput):
        surveillance_days(bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        recertification_days(bad)  # type: ignore[arg-type]


@given(half_days)
def test_r_a_n1b_surveillance_properties(initial: D) -> None:
    """R-A.n1b: >= initial/3, >= 1, half days, and the least such value (it passes its own check)."""
    days = surveillance_days(initial)
    assert Fraction(days) >= Fraction(initial) / 3
    assert days >= 1
    assert is_half_day_multiple(days)
    check_surveillance_year(initial, days)
    assert days == 1 or Fraction(days - D("0.5")) < Fraction(initial) / 3


@given(half_days)
def test_r_a_n1c_recertification_properties(initial: D) -> None:
    """R-A.n1c: >= 2*initial/3, >= 2, half days, and the least such value."""
    days = recertification_days(initial)
    assert Fraction(days) >= Fraction(initial) * 2 / 3
    assert days >= 2
    assert is_half_day_multiple(days)
    assert days == 2 or Fraction(days - D("0.5")) < Fraction(initial) * 2 / 3


@given(headcounts)
def test_r_a_minimums_from_the_table_are_half_days(headcount: int) -> None:
    """R-A.table with R-A.n1a/b/c: every derived minimum is a multiple of half a day."""
    initial = table_audit_time(headcount).days
    for value in (minimum_onsite_days(initial), surveillance_days(initial), recertification_days(initial)):
        assert is_half_day_multiple(value)


def test_rounding_step_is_policy() -> None:
    """Decision (rounding up to half days) is configurable: whole days round 3.5/3 up to 2."""
    whole = AuditTimePolicy(day_step=D(1))
    assert surveillance_days(D("3.5"), whole) == D(2)
    assert minimum_onsite_days(D("3.5"), whole) == D(3)
    with pytest.raises(ValidationError):
        AuditTimePolicy(day_step=D("0.3"))


def test_policy_is_frozen() -> None:
    """Decisions are values a caller passes, never state one caller can change under another."""
    with pytest.raises(ValidationError):
        AuditTimePolicy().max_reduction_percent = D(50)  # type: ignore[misc]


def test_results_and_policy_survive_a_json_round_trip() -> None:
    """R-9.1.2.7: the recorded values travel through Temporal's pydantic converter unchanged."""
    adjusted = adjust_audit_time(D(10), [Adjustment(kind="reduction", days=D(1), reason="single site")])
    for value in (adjusted, table_audit_time(20_000), AuditTimePolicy(max_increase_percent=D(20))):
        assert type(value).model_validate_json(value.model_dump_json()) == value
