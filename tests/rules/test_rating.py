"""R-6 rating: R-6.L2, R-6.L3, R-6.L2L3, R-6.L4, R-6.L5 and R-6.result, over the illustrative catalogue.

The illustrative catalogue has 10 items in each section 1.0–5.0; each of 1.0–4.0 scores at most 750
(3000 over 1.0–4.0) and 5.0 at most 600 (3600 over 1.0–5.0). So over 1.0–4.0 (40 items) 90 % is 36
items, 80 % is 32, 70 % is 28; in 5.0 (10 items) 90 % is 9, 80 % is 8, 70 % is 7.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from rules.rating import (
    LEVEL_RANK,
    Catalogue,
    CatalogueItem,
    ItemResult,
    Level,
    Metric,
    RatingPolicy,
    RatingResult,
    RatingThresholds,
    check_level_decided,
    default_catalogue,
    default_thresholds,
    rate,
)
from schemas.errors import InvalidInput, RuleViolation

CORE = ("1.0", "2.0", "3.0", "4.0")
CATALOGUE = default_catalogue()
THRESHOLDS = default_thresholds()


def _items(section: str) -> list[CatalogueItem]:
    return [i for i in CATALOGUE.items if i.section == section]


def _spread(n: int, sections: tuple[str, ...]) -> dict[str, int]:
    """n items spread round-robin over sections, so no single section carries them all."""
    out = dict.fromkeys(sections, 0)
    for k in range(n):
        out[sections[k % len(sections)]] += 1
    return out


def build(
    *,
    method_fail: dict[str, int] | None = None,
    exec_fail: dict[str, int] | None = None,
    deficit: dict[str, int] | None = None,
) -> list[ItemResult]:
    """Full marks, minus: per section, n items not method compliant / not executed, and a number of
    points taken off that section's scores (execution scores first, then method scores)."""
    method_fail, exec_fail, deficit = method_fail or {}, exec_fail or {}, deficit or {}
    results: list[ItemResult] = []
    for section in ("1.0", "2.0", "3.0", "4.0", "5.0"):
        items = _items(section)
        left = Decimal(deficit.get(section, 0))
        scores = {}
        for field in ("max_execution", "max_method"):
            for item in items:
                cut = min(left, getattr(item, field))
                left -= cut
                scores[item.id, field] = getattr(item, field) - cut
        assert left == 0, "deficit larger than the section's maxima"
        for k, item in enumerate(items):
            results.append(
                ItemResult(
                    item_id=item.id,
                    method_compliant=k >= method_fail.get(section, 0),
                    executed=k >= exec_fail.get(section, 0),
                    method_score=scores[item.id, "max_method"],
                    execution_score=scores[item.id, "max_execution"],
                )
            )
    return results


def pooled(n: int) -> dict[str, int]:
    return _spread(n, CORE)


def deficit_core(points: int) -> dict[str, int]:
    return {s: points // 4 + (1 if i < points % 4 else 0) for i, s in enumerate(CORE)}


CASES: list[tuple[str, dict[str, Any], Level | None]] = [
    # R-6.L5: each of 1.0-4.0 100 % / 100 %; 5.0 100 % method, >= 90 % executed; total 1.0-5.0 >= 3380
    ("R-6.L5 full marks", {}, Level.FIVE_STAR),
    ("R-6.L5 5.0 executed exactly 90 %", {"exec_fail": {"5.0": 1}}, Level.FIVE_STAR),
    ("R-6.L5 5.0 executed 80 %, one below", {"exec_fail": {"5.0": 2}}, Level.FOUR_STAR),
    ("R-6.L5 5.0 method 90 %", {"method_fail": {"5.0": 1}}, Level.FOUR_STAR),
    ("R-6.L5 total exactly 3380", {"deficit": {"5.0": 220}}, Level.FIVE_STAR),
    ("R-6.L5 total 3379, one below", {"deficit": {"5.0": 221}}, Level.FOUR_STAR),
    ("R-6.L5 one section 90 % executed, pooled 97.5 %", {"exec_fail": {"1.0": 1}}, Level.FOUR_STAR),
    # R-6.L4: 1.0-4.0 pooled 100 % / >= 90 %; 5.0 >= 80 % / >= 70 %; total 1.0-5.0 >= 3200
    ("R-6.L4 pooled executed exactly 90 % (36/40)", {"exec_fail": pooled(4)}, Level.FOUR_STAR),
    ("R-6.L4 pooled executed 87.5 %, one below", {"exec_fail": pooled(5)}, Level.THREE_STAR),
    ("R-6.L4 4 fails in one section (60 %) still pooled 90 %", {"exec_fail": {"2.0": 4}}, Level.FOUR_STAR),
    ("R-6.L4 5.0 method exactly 80 %", {"method_fail": {"5.0": 2}}, Level.FOUR_STAR),
    ("R-6.L4 5.0 method 70 %, one below", {"method_fail": {"5.0": 3}}, Level.THREE_STAR),
    ("R-6.L4 5.0 executed exactly 70 %", {"exec_fail": {"5.0": 3}}, Level.FOUR_STAR),
    ("R-6.L4 5.0 executed 60 %, one below", {"exec_fail": {"5.0": 4}}, Level.THREE_STAR),
    ("R-6.L4 total exactly 3200", {"deficit": {"5.0": 400}}, Level.FOUR_STAR),
    ("R-6.L4 total 3199, one below", {"deficit": {"5.0": 401}}, Level.THREE_STAR),
    ("R-6.L4 1.0-4.0 method 39/40", {"method_fail": {"3.0": 1}}, Level.COMPLIANT),
    # R-6.L3: 1.0-4.0 100 % method, >= 80 % executed; total (1.0-4.0, R-6.L2L3) >= 2750
    ("R-6.L3 executed exactly 80 % (32/40)", {"exec_fail": pooled(8)}, Level.THREE_STAR),
    ("R-6.L3 executed 77.5 %, one below", {"exec_fail": pooled(9)}, Level.COMPLIANT),
    ("R-6.L3 total 1.0-4.0 exactly 2750", {"exec_fail": pooled(8), "deficit": deficit_core(250)}, Level.THREE_STAR),
    ("R-6.L3 total 1.0-4.0 2749, one below", {"exec_fail": pooled(8), "deficit": deficit_core(251)}, Level.COMPLIANT),
    # R-6.L2: 1.0-4.0 >= 90 % method, >= 70 % executed; total (1.0-4.0, R-6.L2L3) >= 2500
    ("R-6.L2 method exactly 90 % (36/40)", {"method_fail": pooled(4)}, Level.COMPLIANT),
    ("R-6.L2 method 87.5 %, one below", {"method_fail": pooled(5)}, None),
    ("R-6.L2 executed exactly 70 % (28/40)", {"exec_fail": pooled(12)}, Level.COMPLIANT),
    ("R-6.L2 executed 67.5 %, one below", {"exec_fail": pooled(13)}, None),
    ("R-6.L2 total 1.0-4.0 exactly 2500", {"method_fail": {"1.0": 1}, "deficit": deficit_core(500)}, Level.COMPLIANT),
    ("R-6.L2 total 1.0-4.0 2499, one below", {"method_fail": {"1.0": 1}, "deficit": deficit_core(501)}, None),
]


@pytest.mark.parametrize(("case", "changes", "expected"), CASES, ids=[c[0] for c in CASES])
def test_r_6_levels_at_and_below_each_threshold(case: str, changes: dict[str, Any], expected: Level | None) -> None:
    result = rate(build(**changes))
    assert result.level == expected, result.model_dump_json(indent=1)
    # R-6.result: every level above the one reached lists at least one failed condition
    for outcome in result.levels:
        assert outcome.reached == (not outcome.failed)
        if expected is None or LEVEL_RANK[outcome.level] > LEVEL_RANK[expected]:
            assert not outcome.reached


def test_r_6_l4_pooled_versus_r_6_l5_each_section() -> None:
    """R-6.L4 pools 1.0–4.0; R-6.L5 needs every section on its own: the failure names section 1.0."""
    result = rate(build(exec_fail={"1.0": 1}))
    assert result.level is Level.FOUR_STAR
    five = next(lo for lo in result.levels if lo.level is Level.FIVE_STAR)
    assert [(c.rule_id, c.metric, c.sections, c.items_met, c.items_total) for c in five.failed] == [
        ("R-6.L5", Metric.EXECUTION_RATE, ("1.0",), 9, 10)
    ]
    assert five.failed[0].actual == Decimal("90.00") and five.failed[0].required == 100
    four = next(lo for lo in result.levels if lo.level is Level.FOUR_STAR)
    pooled_exec = next(c for c in four.conditions if c.metric is Metric.EXECUTION_RATE and c.sections == CORE)
    assert (pooled_exec.items_met, pooled_exec.items_total, pooled_exec.passed) == (39, 40, True)


def test_r_6_each_aggregation_below_100_percent_differs_from_pooled() -> None:
    """The generic 'each' condition: one section at 80 % fails 'each >= 90 %' though pooled is 95 %."""
    data = THRESHOLDS.model_dump(mode="json")
    data["levels"] = [
        {
            "level": "compliant",
            "cc_cmm": "L2",
            "rule_id": "R-6.L2",
            "conditions": [
                {"rule_id": "T", "metric": "execution_rate", "scope": "sections_1_to_4", "aggregation": "pooled",
                 "minimum": 90, "description": "executed"}
            ],
        }
    ]
    pooled_only = RatingThresholds.model_validate(data)
    data["levels"][0]["conditions"][0]["aggregation"] = "each"
    each = RatingThresholds.model_validate(data)
    results = build(exec_fail={"1.0": 2})  # 1.0 at 80 %, pooled 38/40 = 95 %
    assert rate(results, thresholds=pooled_only).level is Level.COMPLIANT
    assert rate(results, thresholds=each).level is None


def test_r_6_l2l3_totals_counted_over_sections_1_to_4() -> None:
    """R-6.L2L3 Decision: a 1.0–4.0 total of 2749 misses L3 however well 5.0 scored; the data switch
    (scope ``l2_l3_total``) can count it over 1.0–5.0 instead."""
    results = build(exec_fail=pooled(8), deficit=deficit_core(251))  # 1.0-4.0: 2749, 1.0-5.0: 3349
    default = rate(results)
    assert default.level is Level.COMPLIANT
    three = next(lo for lo in default.levels if lo.level is Level.THREE_STAR)
    assert [(c.rule_id, c.sections, c.actual, c.required) for c in three.failed] == [
        ("R-6.L2L3", CORE, Decimal(2749), Decimal(2750))
    ]
    data = THRESHOLDS.model_dump(mode="json")
    data["scopes"]["l2_l3_total"] = ["1.0", "2.0", "3.0", "4.0", "5.0"]
    assert rate(results, thresholds=RatingThresholds.model_validate(data)).level is Level.THREE_STAR


def test_r_6_result_highest_level_whose_conditions_hold_even_if_a_lower_fails() -> None:
    """R-6.result Decision: L4 (total over 1.0–5.0) can hold while L3 (total over 1.0–4.0) does not;
    the rating is the highest level that holds."""
    result = rate(build(exec_fail=pooled(4), deficit=deficit_core(300)))  # 1.0-4.0: 2700; 1.0-5.0: 3300
    assert result.level is Level.FOUR_STAR
    reached = {lo.level: lo.reached for lo in result.levels}
    assert reached == {Level.COMPLIANT: True, Level.THREE_STAR: False, Level.FOUR_STAR: True, Level.FIVE_STAR: False}
    # the summary says what the next level up lacks, not what a lower level missed
    assert "five_star not reached" in result.summary and "three_star" not in result.summary


def test_r_6_result_no_level_says_so_and_refuses_grant() -> None:
    result = rate(build(method_fail=pooled(5)))
    assert result.level is None and result.cc_cmm is None
    assert "no rating level" in result.summary and "R-6.result" in result.summary
    assert "compliant not reached: items method compliant in 1.0-4.0" in result.summary  # what the lowest lacks
    assert {lo.level for lo in result.not_reached} == set(Level)
    with pytest.raises(RuleViolation) as info:
        check_level_decided(Level.COMPLIANT, result.level)
    assert info.value.rule_id == "R-6.result"
    # R-6.result Decision: the body may configure otherwise, and then any level may be named.
    check_level_decided(Level.COMPLIANT, result.level, RatingPolicy(allow_grant_without_level=True))
    check_level_decided("five_star", None, RatingPolicy(allow_grant_without_level=True))


def test_r_6_result_grant_with_a_level_is_allowed_up_to_that_level() -> None:
    result = rate(build())
    assert result.level is Level.FIVE_STAR and result.cc_cmm == "L5"
    assert result.not_reached == ()
    check_level_decided(Level.FIVE_STAR, result.level)
    check_level_decided("three_star", "four_star")  # lower than computed: the decision maker's call
    for policy in (RatingPolicy(), RatingPolicy(allow_grant_without_level=True)):
        with pytest.raises(RuleViolation) as info:
            check_level_decided("five_star", "four_star", policy)
        assert info.value.rule_id == "R-6.result" and "(four_star)" in info.value.reason


# --- the data ---------------------------------------------------------------------------------------


def test_r_6_result_catalogue_is_marked_illustrative() -> None:
    """R-6.result Decision: the real CC-CMM catalogue is not public; the shipped one says so."""
    assert CATALOGUE.illustrative is True
    assert "ILLUSTRATIVE" in CATALOGUE.note
    assert all(item.id.startswith("IL-") for item in CATALOGUE.items)
    result = rate(build())
    assert result.illustrative_catalogue and "ILLUSTRATIVE" in result.summary


def test_r_6_illustrative_catalogue_can_reach_every_threshold() -> None:
    assert CATALOGUE.max_total(CORE) >= 2750  # R-6.L3 / R-6.L2L3 totals over 1.0-4.0
    assert CATALOGUE.max_total((*CORE, "5.0")) >= 3380  # R-6.L5
    for lt in THRESHOLDS.levels:
        for cond in lt.conditions:
            if cond.metric is Metric.TOTAL_SCORE:
                assert CATALOGUE.max_total(THRESHOLDS.scopes[cond.scope]) >= cond.minimum, (lt.level, cond)
    assert {i.section for i in CATALOGUE.items} == {"1.0", "2.0", "3.0", "4.0", "5.0"}
    assert 40 <= len(CATALOGUE.items) <= 60


def test_r_6_illustrative_catalogue_realistic_imperfect_audit_misses_top_levels() -> None:
    """All flags met but every score at 90 % of its maximum: 2700 over 1.0–4.0 (L3 needs 2750) and
    3240 over 1.0–5.0 (L5 needs 3380), so the totals matter."""
    results = [
        ItemResult(
            item_id=i.id,
            method_compliant=True,
            executed=True,
            method_score=i.max_method * Decimal("0.9"),
            execution_score=i.max_execution * Decimal("0.9"),
        )
        for i in CATALOGUE.items
    ]
    result = rate(results)
    assert result.level is Level.FOUR_STAR
    assert [lo.level for lo in result.not_reached] == [Level.THREE_STAR, Level.FIVE_STAR]


def test_r_6_thresholds_data_restate_the_scheme() -> None:
    expected = {
        Level.COMPLIANT: ("L2", [("method_rate", 90), ("execution_rate", 70), ("total_score", 2500)]),
        Level.THREE_STAR: ("L3", [("method_rate", 100), ("execution_rate", 80), ("total_score", 2750)]),
        Level.FOUR_STAR: (
            "L4",
            [("method_rate", 100), ("execution_rate", 90), ("method_rate", 80), ("execution_rate", 70),
             ("total_score", 3200)],
        ),
        Level.FIVE_STAR: (
            "L5",
            [("method_rate", 100), ("execution_rate", 100), ("method_rate", 100), ("execution_rate", 90),
             ("total_score", 3380)],
        ),
    }
    assert [lt.level for lt in THRESHOLDS.levels] == list(Level)
    for lt in THRESHOLDS.levels:
        cc_cmm, conditions = expected[lt.level]
        assert lt.cc_cmm == cc_cmm
        assert [(c.metric.value, int(c.minimum)) for c in lt.conditions] == conditions
    assert THRESHOLDS.scopes["l2_l3_total"] == CORE
    assert "R-6.L2L3" in THRESHOLDS.decisions


# --- exact percentages -------------------------------------------------------------------------------


def _flat_catalogue(n: int) -> Catalogue:
    return Catalogue(
        illustrative=True,
        version="test",
        items=tuple(
            CatalogueItem(id=f"T{k:03d}", section="1.0", title="t", max_method=Decimal(1), max_execution=Decimal(1))
            for k in range(n)
        ),
    )


def _one_condition(minimum: str) -> RatingThresholds:
    return RatingThresholds(
        scopes={"s": ("1.0",)},
        levels=(
            {
                "level": "compliant",
                "cc_cmm": "L2",
                "rule_id": "R-6.L2",
                "conditions": ({"rule_id": "R-6.L2", "metric": "method_rate", "scope": "s", "minimum": minimum,
                                "description": "m"},),
            },
        ),
    )


@pytest.mark.parametrize(
    ("items", "met", "minimum", "reached"),
    [
        (10, 9, "90", True),  # 90 % of 10 items = 9
        (10, 8, "90", False),
        (100, 57, "57", True),  # float: 57 / 100 * 100 == 56.99999999999999
        (100, 56, "57", False),
        (3, 2, "66.66", True),
        (3, 2, "66.67", False),  # 2/3 is 66.666...
        (7, 7, "100", True),
        (7, 6, "100", False),
    ],
)
def test_r_6_rates_are_exact(items: int, met: int, minimum: str, reached: bool) -> None:
    catalogue = _flat_catalogue(items)
    results = [
        ItemResult(item_id=i.id, method_compliant=k < met, executed=True, method_score=0, execution_score=0)
        for k, i in enumerate(catalogue.items)
    ]
    result = rate(results, catalogue=catalogue, thresholds=_one_condition(minimum))
    assert (result.level is Level.COMPLIANT) == reached


# --- invalid inputs ----------------------------------------------------------------------------------


def _dicts() -> list[dict[str, Any]]:
    return [r.model_dump() for r in build()]


def test_r_6_invalid_unknown_duplicate_missing_and_out_of_range_listed_together() -> None:
    rows = _dicts()
    missing = rows.pop()["item_id"]
    rows.append(dict(rows[0]))  # duplicate
    rows.append({**rows[1], "item_id": "NOPE"})  # unknown
    rows[2]["method_score"] = rows[2]["method_score"] + 1  # above the maximum
    rows[3]["execution_score"] = -1  # negative
    with pytest.raises(InvalidInput) as info:
        rate(rows)
    details = info.value.details
    assert details["not_assessed"] == [missing]
    assert details["duplicate_items"] == [rows[0]["item_id"]]
    assert details["unknown_items"] == ["NOPE"]
    assert {(p["item_id"], p["field"]) for p in details["out_of_range"]} == {
        (rows[2]["item_id"], "method_score"),
        (rows[3]["item_id"], "execution_score"),
    }
    for text in (missing, "NOPE", rows[2]["item_id"], rows[3]["item_id"]):
        assert text in info.value.message


def test_r_6_invalid_malformed_row() -> None:
    rows = _dicts()
    rows[0] = {"item_id": rows[0]["item_id"], "method_compliant": "perhaps"}
    with pytest.raises(InvalidInput) as info:
        rate(rows)
    assert info.value.details["malformed"]


def test_r_6_invalid_empty_results() -> None:
    with pytest.raises(InvalidInput) as info:
        rate([])
    assert len(info.value.details["not_assessed"]) == len(CATALOGUE.items)


def test_r_6_catalogue_and_thresholds_refuse_inconsistent_data() -> None:
    item = CATALOGUE.items[0]
    with pytest.raises(ValidationError):
        Catalogue(illustrative=True, version="x", items=(item, item))
    with pytest.raises(ValidationError):
        CatalogueItem(id="x", section="6.0", title="t", max_method=Decimal(1), max_execution=Decimal(1))
    data = THRESHOLDS.model_dump(mode="json")
    with pytest.raises(ValidationError):
        RatingThresholds.model_validate({**data, "levels": list(reversed(data["levels"]))})
    bad_scope = THRESHOLDS.model_dump(mode="json")
    bad_scope["levels"][0]["conditions"][0]["scope"] = "nowhere"
    with pytest.raises(ValidationError):
        RatingThresholds.model_validate(bad_scope)
    over = THRESHOLDS.model_dump(mode="json")
    over["levels"][0]["conditions"][0]["minimum"] = 101
    with pytest.raises(ValidationError):
        RatingThresholds.model_validate(over)


def test_r_6_rate_needs_items_in_every_rated_section() -> None:
    with pytest.raises(InvalidInput):
        rate(
            [ItemResult(item_id="T000", method_compliant=True, executed=True, method_score=1, execution_score=1)],
            catalogue=_flat_catalogue(1),
        )


# --- monotonicity ------------------------------------------------------------------------------------


def _rank(result: RatingResult) -> int:
    return -1 if result.level is None else LEVEL_RANK[result.level]


@st.composite
def audits(draw: st.DrawFn) -> list[ItemResult]:
    failure_percent = draw(st.sampled_from([0, 2, 5, 10, 30]))
    floor = draw(st.sampled_from([Decimal("0.5"), Decimal("0.8"), Decimal("0.9"), Decimal("0.95")]))
    flag = st.integers(0, 99).map(lambda x: x >= failure_percent)
    results = []
    for item in CATALOGUE.items:
        results.append(
            ItemResult(
                item_id=item.id,
                method_compliant=draw(flag),
                executed=draw(flag),
                method_score=draw(st.integers(int(item.max_method * floor), int(item.max_method))),
                execution_score=draw(st.integers(int(item.max_execution * floor), int(item.max_execution))),
            )
        )
    return results


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(audits(), st.data())
def test_r_6_result_property_raising_a_score_or_flag_never_lowers_the_level(
    results: list[ItemResult], data: st.DataObject
) -> None:
    before = rate(results)
    maxima = CATALOGUE.by_id()
    raised = []
    for r in results:
        item = maxima[r.item_id]
        raised.append(
            ItemResult(
                item_id=r.item_id,
                method_compliant=r.method_compliant or data.draw(st.booleans()),
                executed=r.executed or data.draw(st.booleans()),
                method_score=data.draw(st.integers(int(r.method_score), int(item.max_method))),
                execution_score=data.draw(st.integers(int(r.execution_score), int(item.max_execution))),
            )
        )
    after = rate(raised)
    assert _rank(after) >= _rank(before)
    for lo_before, lo_after in zip(before.levels, after.levels, strict=True):
        assert lo_after.reached or not lo_before.reached


@settings(max_examples=40, deadline=None)
@given(audits())
def test_r_6_result_property_level_is_highest_reached(results: list[ItemResult]) -> None:
    result = rate(results)
    reached = [lo.level for lo in result.levels if lo.reached]
    assert result.level == (reached[-1] if reached else None)
    assert all(lo.failed for lo in result.not_reached)
