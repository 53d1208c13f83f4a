"""What the register says about people, in the form a workflow's validator checks rules against
(schemas.tasking.TaskFacts): roles, whether active, R-7.auditor qualification periods and known conflicts
of interest with the organization concerned."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from uuid import UUID

from schemas.tasking import QualificationPeriod, StaffFacts, TaskFacts
from store._sql import Db
from store.staff import get_staff, qualifications_of
from store.staff_conflicts import conflicts_with


async def staff_facts(db: Db, staff_ids: Iterable[UUID], *, organization: str | None = None,
                      day: date | None = None) -> TaskFacts:
    """``organization`` (a credit code) and ``day``: the conflicts of interest with it that hold that day
    go with each person (R-9.1.4)."""
    ids = sorted(set(staff_ids), key=str)
    conflicts = await conflicts_with(db, ids, organization, day) if organization and day else {}
    facts: dict[str, StaffFacts] = {}
    for staff_id in ids:
        person = await get_staff(db, staff_id)
        if person is None:
            continue  # the workflow's check names who is unknown (R-7.team)
        periods = [QualificationPeriod(kind=q.kind.value, valid_from=q.valid_from, valid_to=q.valid_to)
                   for q in await qualifications_of(db, staff_id)]
        facts[str(staff_id)] = StaffFacts(staff_id=staff_id, name=person.name, active=person.active,
                                          roles=list(person.roles), qualifications=periods,
                                          conflicts=conflicts.get(staff_id, []))
    return TaskFacts(staff=facts)
