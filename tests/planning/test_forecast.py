"""The year's forecast (issue 18, planning/forecast.py): capacity is the working days (R-dates) a person
can still give, less leave, audits in force and days without both R-7.auditor proofs, capped a month;
demand is the audit time in the month the on-site window closes, plus 0.5 person-day of mystery
shopping a site (R-3.10); a month over either capacity is flagged, one of a year without holiday data is
provisional."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from planning.forecast import forecast
from rules.calendar import HolidayTable
from schemas.audits import AuditKind
from schemas.scheduling import AuditDemand, DateSpan, PlanPerson, SchedulingPolicy, SiteDemand
from schemas.staff import Role
from schemas.tasking import QualificationPeriod

TODAY = date(2026, 3, 2)  # a Monday: March 2026 has 22 working days from today, no holiday
TABLE, POLICY = HolidayTable.default(), SchedulingPolicy()


def proofs(until: date = date(2030, 12, 31), since: date = date(2024, 1, 1)) -> list[QualificationPeriod]:
    return [QualificationPeriod(kind=k, valid_from=since, valid_to=until)
            for k in ("training_certificate", "competence_evaluation")]


def auditor(cap: int = 12, **fields) -> PlanPerson:
    fields.setdefault("qualifications", proofs())
    return PlanPerson(staff_id=uuid.uuid4(), name="审核员", roles=[Role.AUDITOR], max_audit_days_per_month=cap,
                      **fields)


def shopper(cap: int = 12, **fields) -> PlanPerson:
    return PlanPerson(staff_id=uuid.uuid4(), name="神秘顾客", roles=[Role.MYSTERY_SHOPPER],
                      max_audit_days_per_month=cap, **fields)


def audit(latest: date, days: str, *, kind: AuditKind = AuditKind.SURVEILLANCE, sites: int = 1,
          visits: bool = True) -> AuditDemand:
    return AuditDemand(key=f"wf-{uuid.uuid4().hex[:6]}/{kind.value}", kind=kind, earliest=TODAY, latest=latest,
                       person_days=Decimal(days), visits=visits,
                       sites=[SiteDemand(name=f"店{n}") for n in range(sites)])


def month(result, label: str):
    return next(m for m in result.months if m.month == label)


def test_capacity_counts_leave_caps_bookings_and_qualification_gaps_R_7():
    people = [
        auditor(12),  # 22 working days, capped at 12
        auditor(30, unavailable=[DateSpan(starts_on=date(2026, 3, 9), ends_on=date(2026, 3, 13))]),  # 22 - 5
        auditor(12, qualifications=proofs(until=date(2026, 3, 13))),  # proofs for 10 working days only
        auditor(12, qualifications=proofs()[:1]),  # a training certificate alone: no auditor days (R-7.auditor)
        auditor(12, booked=[date(2026, 3, 3), date(2026, 3, 4), date(2026, 3, 5), date(2026, 3, 7)]),  # 12 - 3
        shopper(12), shopper(30, unavailable=[DateSpan(starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31))]),
    ]
    march = month(forecast([], people, TABLE, TODAY, 2, POLICY), "2026-03")
    assert march.auditor_capacity == Decimal(12 + 17 + 10 + 0 + 9)
    assert march.shopper_capacity == Decimal(12)  # a shopper needs no R-7 proofs; the other is on leave
    assert not march.over_capacity and march.audits == 0


def test_april_capacity_follows_the_holiday_table_R_dates():
    """April 2026 has 21 working days (Qingming, 6 April, is off): a cap of 30 gives 21."""
    april = month(forecast([], [auditor(30)], TABLE, TODAY, 2, POLICY), "2026-04")
    assert april.auditor_capacity == Decimal(21)


def test_demand_in_the_month_the_window_closes_and_a_month_over_capacity_flagged():
    people = [auditor(5), shopper(1)]
    demands = [audit(date(2026, 5, 20), "4", kind=AuditKind.SURVEILLANCE, visits=False),
               audit(date(2026, 5, 28), "2.5", kind=AuditKind.INITIAL, visits=False),  # May: 6.5 > 5
               audit(date(2026, 6, 10), "5", kind=AuditKind.RECERTIFICATION, sites=3),  # June: visits 1.5 > 1
               audit(date(2026, 7, 10), "5", kind=AuditKind.RECERTIFICATION, sites=2),  # July: just fits
               audit(date(2026, 2, 20), "1", visits=False),  # closed before today: counted now
               audit(date(2027, 9, 1), "9")]  # closes after the horizon
    result = forecast(demands, people, TABLE, TODAY, 12, POLICY)
    assert [m.month for m in result.months][:2] == ["2026-03", "2026-04"] and len(result.months) == 12
    may, june, july = month(result, "2026-05"), month(result, "2026-06"), month(result, "2026-07")
    assert (may.audits, may.auditor_demand, may.auditor_capacity) == (2, Decimal("6.5"), Decimal(5))
    assert may.by_kind == {"initial": Decimal("2.5"), "surveillance": Decimal(4)}
    assert may.over_capacity
    assert (june.auditor_demand, june.shopper_demand, june.shopper_capacity) == (Decimal(5), Decimal("1.5"), 1)
    assert june.over_capacity  # the shoppers, not the auditors, are short
    assert (july.auditor_demand, july.shopper_demand) == (Decimal(5), Decimal(1)) and not july.over_capacity
    assert month(result, "2026-03").audits == 1
    assert sum(m.audits for m in result.months) == 5


def test_months_of_a_year_without_holiday_data_are_provisional_R_dates():
    result = forecast([], [auditor()], TABLE, TODAY, 12, POLICY)
    assert [m.month for m in result.months if m.provisional] == ["2027-01", "2027-02"]
    entered = TABLE.with_overrides(years=[2027])
    assert not any(m.provisional for m in forecast([], [auditor()], entered, TODAY, 12, POLICY).months)
    assert result.today == TODAY


def test_a_person_with_both_roles_counts_on_both_sides():
    both = PlanPerson(staff_id=uuid.uuid4(), name="两者", roles=[Role.AUDITOR, Role.MYSTERY_SHOPPER],
                      qualifications=proofs(), max_audit_days_per_month=4)
    march = month(forecast([], [both], TABLE, TODAY, 1, POLICY), "2026-03")
    assert (march.auditor_capacity, march.shopper_capacity) == (Decimal(4), Decimal(4))
