"""Surveillance sampling: R-9.2.5 must-includes and the cycle's coverage (R-9.2.1)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from rules.sampling import AUDIT_CLAUSES, EVERY_SURVEILLANCE_TOPICS, SamplingPolicy, check_sampling, propose_sampling
from schemas.errors import InvalidInput, RuleViolation

POLICY = SamplingPolicy()
DEPTS = ["inbound", "outbound", "quality", "training", "it"]


def propose(**kw):
    kw.setdefault("departments", DEPTS)
    kw.setdefault("policy", POLICY)
    return propose_sampling(**kw)


def check(clauses, depts, **kw):
    kw.setdefault("departments", DEPTS)
    kw.setdefault("policy", POLICY)
    check_sampling(clauses, depts, **kw)


def test_first_of_two_takes_the_musts_and_half_of_the_rest_R_9_2_5():
    p = propose(surveillances_left_after_this=1)
    assert {"operation", "performance_evaluation"} <= set(p.clauses)
    # 5 clauses not decisive: ceil(5/2) = 3 of them now, the other 2 next time
    assert len(p.clauses) == 2 + 3 and len(p.remaining_clauses) == 2
    assert p.departments == DEPTS[:3] and p.remaining_departments == DEPTS[3:]
    assert p.reasons["operation"].endswith("(R-9.2.5 (2))")
    assert list(p.topics) == list(EVERY_SURVEILLANCE_TOPICS)


def test_last_surveillance_takes_everything_still_uncovered_R_9_2_1():
    first = propose(surveillances_left_after_this=1)
    second = propose(surveillances_left_after_this=0, covered_clauses=first.clauses,
                     covered_departments=first.departments)
    assert set(first.clauses) | set(second.clauses) == set(AUDIT_CLAUSES)
    assert set(first.departments) | set(second.departments) == set(DEPTS)
    assert second.remaining_clauses == [] and second.remaining_departments == []
    assert {"operation", "performance_evaluation"} <= set(second.clauses)  # decisive again


def test_decisive_departments_and_many_findings_are_always_in_R_9_2_5():
    p = propose(surveillances_left_after_this=0, covered_clauses=AUDIT_CLAUSES, covered_departments=DEPTS,
                decisive_departments=["it"], findings_by_department={"training": 2, "quality": 1})
    assert p.departments == ["training", "it"]
    assert "findings last time" in p.reasons["training"] and "decisive" in p.reasons["it"]
    assert p.clauses == ["operation", "performance_evaluation"]


def test_important_clauses_are_proposed_and_required_R_9_2_5_4():
    p = propose(surveillances_left_after_this=1, covered_clauses=AUDIT_CLAUSES, covered_departments=DEPTS,
                important_clauses=["support"])
    assert "support" in p.clauses
    with pytest.raises(RuleViolation) as e:
        check(["operation", "performance_evaluation"], ["inbound"], important_clauses=["support"],
              surveillances_left_after_this=1)
    assert e.value.rule_id == "R-9.2.5" and e.value.details["missing"] == ["support"]


def test_everything_covered_still_visits_one_department():
    p = propose(surveillances_left_after_this=1, covered_clauses=AUDIT_CLAUSES, covered_departments=DEPTS)
    assert p.departments == ["inbound"]


def test_check_refuses_a_missing_decisive_clause_or_department_R_9_2_5():
    with pytest.raises(RuleViolation) as e:
        check(["operation"], ["inbound"], surveillances_left_after_this=1)
    assert e.value.rule_id == "R-9.2.5" and e.value.details["missing"] == ["performance_evaluation"]
    with pytest.raises(RuleViolation) as e:
        check(["operation", "performance_evaluation"], ["inbound"], decisive_departments=["it"],
              findings_by_department={"quality": 3}, surveillances_left_after_this=1)
    assert e.value.details["missing"] == ["it", "quality"]


def test_check_refuses_an_incomplete_last_surveillance_R_9_2_1():
    with pytest.raises(RuleViolation) as e:
        check(["operation", "performance_evaluation"], ["inbound"], covered_clauses=["context"],
              covered_departments=["outbound", "quality", "training"], surveillances_left_after_this=0)
    assert e.value.rule_id == "R-9.2.1"
    assert e.value.details == {"clauses": ["leadership", "planning", "support", "improvement"], "departments": ["it"]}


def test_unknown_clause_or_department_is_a_clear_input_error():
    with pytest.raises(InvalidInput, match="unknown clause"):
        check(["operation", "performance_evaluation", "cooking"], ["inbound"], surveillances_left_after_this=1)
    with pytest.raises(InvalidInput, match="unknown department"):
        check(["operation", "performance_evaluation"], ["canteen"], surveillances_left_after_this=1)
    with pytest.raises(InvalidInput, match="no departments"):
        propose(departments=[], surveillances_left_after_this=1)


def test_policy_refuses_decisive_clauses_that_are_not_clauses():
    with pytest.raises(ValidationError, match="decisive"):
        SamplingPolicy(decisive_clauses=("cooking",))
    custom = SamplingPolicy(decisive_clauses=(), many_findings_threshold=5)
    p = propose(policy=custom, surveillances_left_after_this=6, findings_by_department={"it": 4})
    assert p.clauses == ["context"] and p.departments == ["inbound"]  # ceil(7/7), ceil(5/7)


names = st.lists(st.text(alphabet="abcdefgh", min_size=1, max_size=4), min_size=1, max_size=8, unique=True)


@given(depts=names, data=st.data(), surveillances=st.integers(1, 4))
def test_proposals_always_pass_the_check_and_cover_the_cycle_R_9_2_1_R_9_2_5(depts, data, surveillances):
    """Whatever the departments, decisive ones and findings, following the proposals covers every clause
    and department by the cycle's last surveillance, and each proposal passes the check."""
    decisive = data.draw(st.lists(st.sampled_from(depts), unique=True))
    important = data.draw(st.lists(st.sampled_from(AUDIT_CLAUSES), unique=True))
    covered_c: set[str] = set()
    covered_d: set[str] = set()
    for i in range(surveillances):
        findings = data.draw(st.dictionaries(st.sampled_from(depts), st.integers(0, 4)))
        kw = dict(departments=depts, decisive_departments=decisive, covered_clauses=covered_c,
                  covered_departments=covered_d, findings_by_department=findings, important_clauses=important,
                  surveillances_left_after_this=surveillances - 1 - i, policy=POLICY)
        p = propose_sampling(**kw)
        check_sampling(p.clauses, p.departments, **kw)
        covered_c |= set(p.clauses)
        covered_d |= set(p.departments)
    assert covered_c == set(AUDIT_CLAUSES) and covered_d == set(depts)
