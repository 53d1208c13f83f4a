"""What every plan must keep, checked from the outside: the programme check itself (rules.programme) on
each proposal, and the calendar facts it cannot see (one thing a day, leave, bookings, monthly caps,
working days, the window, R-9.1.6's notice)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from rules.programme import check_programme
from schemas.payloads import Programme
from schemas.scheduling import PlanRequest, PlanResult, ProposedAudit
from schemas.tasking import StaffFacts


def staff_facts(request: PlanRequest, credit_code: str) -> dict[str, StaffFacts]:
    """The register's facts as the API would read them for one auditee (conflicts only for its code)."""
    return {str(p.staff_id): StaffFacts(staff_id=p.staff_id, name=p.name, roles=p.roles,
                                        qualifications=p.qualifications,
                                        conflicts=[f"consultancy for {credit_code}"]
                                        if credit_code and credit_code in p.conflicts else [])
            for p in request.people}


def plan_sent_on(request: PlanRequest) -> date:
    after = [d for d in request.working_days if d > request.today]
    prep = request.policy.preparation_working_days
    return after[prep - 1] if prep else request.today


def assert_keeps_rules(request: PlanRequest, result: PlanResult) -> None:
    fixed = {f.key for f in request.fixed}  # kept as they are: not planned again, their days taken
    demands = {a.key: a for a in request.audits if a.key not in fixed}
    assert {p.key for p in result.proposals} | {u.key for u in result.unplaced} == set(demands)
    assert not {p.key for p in result.proposals} & {u.key for u in result.unplaced}
    working = sorted(request.working_days)
    index = {d: i for i, d in enumerate(working)}
    policy = request.policy
    people = {p.staff_id: p for p in request.people}
    units: dict[tuple, int] = defaultdict(int)  # (person, day) → units of visits_per_shopper_day
    month: dict[tuple, int] = defaultdict(int)  # (person, (year, month)) → half-days
    full = policy.visits_per_shopper_day
    for p in request.people:
        for day in p.booked:
            month[p.staff_id, (day.year, day.month)] += 2
    for proposal in [*request.fixed, *result.proposals]:
        if proposal.key in fixed:
            onsite = working[index[proposal.onsite_start]: index[proposal.onsite_end] + 1]
            _count(request, proposal, onsite, units, month)
            continue
        demand = demands[proposal.key]
        programme = Programme(objectives="proposed by the planner", **proposal.programme_fields())
        check_programme(programme, site_names=[s.name for s in demand.sites], minimum_person_days=demand.person_days,
                        staff=staff_facts(request, demand.credit_code), today=request.today, stage1=demand.stage1,
                        visits_required=demand.visits)
        assert demand.earliest <= proposal.onsite_start <= demand.latest
        assert proposal.onsite_start in index and proposal.onsite_end in index
        onsite = working[index[proposal.onsite_start]: index[proposal.onsite_end] + 1]
        assert Decimal(len(onsite) * len(proposal.team)) == proposal.onsite_days
        assert len({(d.year, d.month) for d in onsite}) == 1
        sent = plan_sent_on(request)  # the plan reaches the auditee notice working days before
        assert index[proposal.onsite_start] >= policy.plan_notice_working_days
        assert working[index[proposal.onsite_start] - policy.plan_notice_working_days] >= sent
        if proposal.stage1_on is not None:
            assert proposal.stage1_on in index and request.today < proposal.stage1_on < proposal.onsite_start
            # the plan, sent once stage 1 is done, reaches the auditee the notice ahead.
            assert index[proposal.stage1_on] <= index[proposal.onsite_start] - policy.plan_notice_working_days
            assert proposal.team[0].role == "leader"
        for visit in proposal.visits:
            assert visit.planned_on in index and request.today < visit.planned_on
            assert visit.person_days == Decimal("0.5")
        for person, day, _used, _half in _count(request, proposal, onsite, units, month):
            assert day not in people[person].booked, (people[person].name, day)
            assert not any(s.holds(day) for s in people[person].unavailable), (people[person].name, day)
    for (person, day), used in units.items():
        assert used <= full, f"{people[person].name} has too much on {day}"
    for (person, (year, mo)), half_days in month.items():
        booked = 2 * sum(1 for d in people[person].booked if (d.year, d.month) == (year, mo))
        if half_days > booked:  # the plan added days: then the cap holds
            assert half_days <= 2 * people[person].max_audit_days_per_month, (people[person].name, year, mo)


def _count(request: PlanRequest, proposal: ProposedAudit, onsite: list[date], units: dict, month: dict) -> list:
    """Add a proposal's days to each person's units a day and half-days a month; its (person, day, units)."""
    full = request.policy.visits_per_shopper_day
    days = [(m.staff_id, d, full, 2) for m in proposal.team for d in onsite]  # (person, day, units, half-days)
    if proposal.stage1_on is not None:
        days.append((proposal.team[0].staff_id, proposal.stage1_on, full, 2))
    days += [(visit.shopper_id, visit.planned_on, 1, 1) for visit in proposal.visits]  # 0.5 day
    for person, day, used, half_days in days:
        units[person, day] += used
        month[person, (day.year, day.month)] += half_days
    return days


def weekdays(first: date, count: int) -> list[date]:
    return [first + timedelta(days=n) for n in range(count) if (first + timedelta(days=n)).weekday() < 5]
