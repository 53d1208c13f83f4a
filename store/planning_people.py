"""The people the planner may place (issue 18): active auditors and mystery shoppers as
:class:`~schemas.scheduling.PlanPerson`, over a span of days.

For each: their roles, their R-7.auditor proofs (training certificate, competence evaluation, each valid
over a period), their home city and monthly cap (``staff_capacity``; the body's default when they have
said nothing), their absences that touch the span (``staff_absences``, cancelled ones ignored), the days
already taken by audits in force (programmed, not concluded: their on-site days, for the auditors,
leaders and experts on the team), and the organizations they may not audit (R-9.1.4: the credit codes of
their conflicts of interest that hold on some day of the span; one ended on a day no longer holds that
day, as ``store.staff_conflicts.conflicts_with`` reads it).

Read-only, four queries whatever the number of people.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from schemas.scheduling import DateSpan, PlanPerson, SchedulingPolicy
from schemas.staff import Role
from schemas.tasking import QualificationPeriod
from store._sql import Db

PLANNED_ROLES = (Role.AUDITOR.value, Role.MYSTERY_SHOPPER.value)
ON_SITE_ROLES = ("leader", "auditor", "expert")  # a shopper's visits are not the on-site days


async def planning_people(conn: Db, from_day: date, until: date, policy: SchedulingPolicy) -> list[PlanPerson]:
    """Every active auditor and mystery shopper, by name, as the planner sees them from ``from_day`` to
    ``until``."""
    rows = await conn.fetch(
        """SELECT s.id, s.name, array_agg(r.role ORDER BY r.role) AS roles, cap.home_city,
                  cap.max_audit_days_per_month
           FROM staff s JOIN staff_roles r ON r.staff_id = s.id
           LEFT JOIN staff_capacity cap ON cap.staff_id = s.id
           WHERE s.active AND EXISTS (SELECT 1 FROM staff_roles p WHERE p.staff_id = s.id AND p.role = ANY($1::text[]))
           GROUP BY s.id, s.name, cap.home_city, cap.max_audit_days_per_month
           ORDER BY s.name, s.id""", list(PLANNED_ROLES))
    ids = [r["id"] for r in rows]
    qualifications = await _by_person(conn, """
        SELECT staff_id, kind, valid_from, valid_to FROM auditor_qualifications
        WHERE staff_id = ANY($1::uuid[]) AND valid_to >= $2 AND valid_from <= $3
        ORDER BY staff_id, kind, valid_from""", ids, from_day, until)
    absences = await _by_person(conn, """
        SELECT staff_id, starts_on, ends_on FROM staff_absences
        WHERE staff_id = ANY($1::uuid[]) AND cancelled_at IS NULL AND ends_on >= $2 AND starts_on <= $3
        ORDER BY staff_id, starts_on""", ids, from_day, until)
    booked = await _by_person(conn, """
        SELECT DISTINCT t.staff_id, d::date AS day
        FROM audits a JOIN audit_team t ON t.audit_id = a.id AND t.role = ANY($4::text[])
        CROSS JOIN LATERAL generate_series(greatest(a.onsite_start, $2), least(a.onsite_end, $3),
                                           interval '1 day') AS d
        WHERE t.staff_id = ANY($1::uuid[]) AND a.status <> 'concluded'
          AND a.onsite_start IS NOT NULL AND a.onsite_end IS NOT NULL
        ORDER BY t.staff_id, day""", ids, from_day, until, list(ON_SITE_ROLES))
    conflicts = await _by_person(conn, """
        SELECT DISTINCT staff_id, credit_code FROM staff_conflicts
        WHERE staff_id = ANY($1::uuid[]) AND declared_on <= $3 AND (ended_on IS NULL OR ended_on > $2)
        ORDER BY staff_id, credit_code""", ids, from_day, until)
    return [PlanPerson(
        staff_id=r["id"], name=r["name"], roles=[Role(x) for x in r["roles"]],
        qualifications=[QualificationPeriod(kind=q["kind"], valid_from=q["valid_from"], valid_to=q["valid_to"])
                        for q in qualifications.get(r["id"], [])],
        home_city=r["home_city"] or "",
        max_audit_days_per_month=(policy.max_audit_days_per_month if r["max_audit_days_per_month"] is None
                                  else r["max_audit_days_per_month"]),
        unavailable=[DateSpan(starts_on=a["starts_on"], ends_on=a["ends_on"]) for a in absences.get(r["id"], [])],
        booked=[b["day"] for b in booked.get(r["id"], [])],
        conflicts=[c["credit_code"] for c in conflicts.get(r["id"], [])],
    ) for r in rows]


async def _by_person(conn: Db, query: str, *args: Any) -> dict[Any, list[Any]]:
    grouped: dict[Any, list[Any]] = {}
    for row in await conn.fetch(query, *args):
        grouped.setdefault(row["staff_id"], []).append(row)
    return grouped
