"""What each task is about, in the words of the register: the organization and its certificate.

A task's own ``subject`` is what its process calls it (the application's UUID for a certification),
which tells a person nothing; three surveillance tasks of three certificates looked alike in the
inbox. Read at listing time, so tasks opened before the workflows put these in their context are
named too. An audit's tasks are named through the audit's certification (``audits.workflow_id``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from store._sql import Db


class TaskSubject(NamedTuple):
    organization: str | None
    certificate_number: str | None
    credit_code: str | None = None  # the organization's: its known conflicts of interest are checked against it


async def subjects_of(db: Db, workflow_ids: Iterable[str]) -> dict[str, TaskSubject]:
    """For each workflow id (a certification's or an audit's), its organization and the certificate its
    certification issued (the latest, should there be several); unknown ids are left out."""
    rows = await db.fetch(
        """SELECT w.id, coalesce(o.name, ao.name) AS organization, c.number AS certificate_number,
                  coalesce(o.credit_code, ao.credit_code) AS credit_code
           FROM unnest($1::text[]) AS w(id)
           LEFT JOIN audits a ON a.id = w.id
           LEFT JOIN applications ap ON ap.workflow_id = coalesce(a.workflow_id, w.id)
           LEFT JOIN organizations o ON o.id = ap.organization_id
           LEFT JOIN organizations ao ON ao.id = a.organization_id
           LEFT JOIN LATERAL (SELECT number FROM certificates
                              WHERE workflow_id = coalesce(a.workflow_id, w.id)
                              ORDER BY issued_on DESC, number DESC LIMIT 1) c ON true
           WHERE o.id IS NOT NULL OR ao.id IS NOT NULL""",
        sorted(set(workflow_ids)),
    )
    return {r["id"]: TaskSubject(r["organization"], r["certificate_number"], r["credit_code"]) for r in rows}
