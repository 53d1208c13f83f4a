"""What the register says about people, in the form a workflow's validator checks rules against
(schemas.tasking.TaskFacts): roles, whether active, and R-7.auditor qualification periods."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from schemas.tasking import QualificationPeriod, StaffFacts, TaskFacts
from store._sql import Db
from store.staff import get_staff, qualifications_of


async def staff_facts(db: Db, staff_ids: Iterable[UUID]) -> TaskFacts:
    facts: dict[str, StaffFacts] = {}
    for staff_id in sorted(set(staff_ids), key=str):
        person = await get_staff(db, staff_id)
        if person is None:
            continue  # the workflow's check names who is unknown (R-7.team)
        periods = [QualificationPeriod(kind=q.kind.value, valid_from=q.valid_from, valid_to=q.valid_to)
                   for q in await qualifications_of(db, staff_id)]
        facts[str(staff_id)] = StaffFacts(staff_id=staff_id, name=person.name, active=person.active,
                                          roles=list(person.roles), qualifications=periods)
    return TaskFacts(staff=facts)
