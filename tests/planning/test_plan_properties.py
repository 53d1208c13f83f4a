"""Property tests (issue 18): for random people — roles, qualifications with gaps, leave, bookings, monthly
caps, cities, conflicts of interest (R-9.1.4) — and random audits, every proposal of the CP-SAT planner
and of the greedy baseline passes the programme check (rules.programme: R-7, R-3.10, R-9.1.5,
R-9.1.2.7, R-A.n1a) and the calendar facts (tests/planning/checks.py: one thing a day, no leave or
booked day, monthly caps, working days, the window, R-9.1.6's notice)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planning.greedy import solve_greedy
from planning.solver import solve
from schemas.scheduling import AuditDemand, DateSpan, PlanPerson, PlanRequest, SchedulingPolicy, SiteDemand
from schemas.staff import Role
from schemas.tasking import QualificationPeriod
from tests.planning.plan_checks import assert_keeps_rules, weekdays

TODAY = date(2027, 3, 1)
CITIES = ["上海", "北京市", "", "深圳"]
CODES = ["91310000A", "91310000B", "91310000C"]
offsets = st.integers(min_value=-10, max_value=80)


@st.composite
def proofs(draw) -> list[QualificationPeriod]:
    """Each proof valid over one or two spans: gaps and expiries fall in the plan's months."""
    out = []
    for kind in ("training_certificate", "competence_evaluation"):
        chance = draw(st.integers(0, 9))
        if chance == 0:
            continue  # never held
        if chance > 4:  # held throughout
            out.append(QualificationPeriod(kind=kind, valid_from=TODAY - timedelta(days=30),
                                           valid_to=TODAY + timedelta(days=200)))
            continue
        for _ in range(draw(st.integers(1, 2))):
            lo, length = draw(offsets), draw(st.integers(5, 120))
            out.append(QualificationPeriod(kind=kind, valid_from=TODAY + timedelta(days=lo),
                                           valid_to=TODAY + timedelta(days=lo + length)))
    return out


@st.composite
def people(draw, n: int) -> PlanPerson:
    roles = draw(st.sampled_from([[Role.AUDITOR]] * 4 + [[Role.MYSTERY_SHOPPER]] * 2
                                 + [[Role.AUDITOR, Role.MYSTERY_SHOPPER], [Role.TECHNICAL_EXPERT]]))
    leave = []
    for _ in range(draw(st.integers(0, 2))):
        lo = draw(offsets)
        leave.append(DateSpan(starts_on=TODAY + timedelta(days=lo), ends_on=TODAY + timedelta(days=lo + draw(
            st.integers(0, 10)))))
    booked = sorted({TODAY + timedelta(days=draw(st.integers(0, 60))) for _ in range(draw(st.integers(0, 3)))})
    return PlanPerson(staff_id=uuid.UUID(int=n + 1), name=f"person {n}", roles=roles, qualifications=draw(proofs()),
                      home_city=draw(st.sampled_from(CITIES)), max_audit_days_per_month=draw(st.integers(1, 15)),
                      unavailable=leave, booked=booked,
                      conflicts=draw(st.lists(st.sampled_from(CODES), max_size=1)))


@st.composite
def audits(draw, n: int) -> AuditDemand:
    lo = draw(st.integers(0, 50))
    stage1 = draw(st.integers(0, 2)) == 0
    return AuditDemand(
        key=f"audit-{n}", kind=draw(st.sampled_from(["initial", "surveillance", "recertification", "special"])),
        credit_code=draw(st.sampled_from([*CODES, ""])), city=draw(st.sampled_from(CITIES)),
        sites=[SiteDemand(name=f"site {n}-{s}", city=draw(st.sampled_from(CITIES)))
               for s in range(draw(st.integers(0, 2)))],
        earliest=TODAY + timedelta(days=lo), latest=TODAY + timedelta(days=lo + draw(st.integers(0, 40))),
        person_days=Decimal(draw(st.sampled_from(["0.5", "1", "1", "2", "2", "3.5", "4.5", "6", "13"]))),
        stage1=stage1, visits=draw(st.booleans()))


@st.composite
def requests(draw) -> PlanRequest:
    policy = SchedulingPolicy(
        max_onsite_days=draw(st.integers(1, 3)), max_team_size=draw(st.integers(2, 4)),
        plan_notice_working_days=draw(st.integers(3, 4)), preparation_working_days=draw(st.integers(0, 2)),
        stage1_window_working_days=draw(st.integers(1, 15)), visit_window_working_days=draw(st.integers(1, 15)),
        visits_per_shopper_day=draw(st.integers(1, 2)), time_limit_seconds=3.0)
    today = TODAY + timedelta(days=draw(st.integers(0, 6)))  # sometimes a weekend
    working = [d for d in weekdays(today, 100) if draw(st.integers(0, 15)) > 0]  # a few holidays
    staff = [draw(people(n)) for n in range(draw(st.integers(2, 9)))]
    demands = [draw(audits(n)) for n in range(draw(st.integers(1, 5)))]
    return PlanRequest(today=today, working_days=working, audits=demands, people=staff, policy=policy,
                       seed=draw(st.integers(1, 5)))


BOUNDED = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@BOUNDED
@given(requests())
def test_every_cp_sat_proposal_passes_the_programme_check(request: PlanRequest) -> None:
    result = solve(request)
    assert result.status in {"optimal", "feasible"}
    assert_keeps_rules(request, result)
    assert all(u.rule_id.startswith("R-") and u.reason for u in result.unplaced)


@BOUNDED
@given(requests())
def test_every_greedy_proposal_passes_the_programme_check(request: PlanRequest) -> None:
    result = solve_greedy(request)
    assert_keeps_rules(request, result)


@settings(max_examples=15, deadline=None)
@given(requests())
def test_the_solver_places_at_least_what_the_greedy_plan_places(request: PlanRequest) -> None:
    """The greedy plan is the solver's hint, and an unplaced audit costs more than any travel or balance."""
    assert len(solve(request).proposals) >= len(solve_greedy(request).proposals)
