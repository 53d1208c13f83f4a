"""The staff directory read in one query: people, roles, qualifications, audits taken part in and
declared conflicts of interest.

Kept apart from store/staff.py (which writes people and tokens) because it is a read for the API's
``GET /api/v1/staff`` that joins the audits too.
"""

from __future__ import annotations

from datetime import date

from schemas.directory import StaffEntry
from schemas.staff import Role
from store._sql import Db

_HOLDS_VALID = """EXISTS (SELECT 1 FROM auditor_qualifications q
                          WHERE q.staff_id = s.id AND q.kind = '{kind}'
                            AND $1::date BETWEEN q.valid_from AND q.valid_to)"""
_QUALIFIED = (f"({_HOLDS_VALID.format(kind='training_certificate')} "
              f"AND {_HOLDS_VALID.format(kind='competence_evaluation')})")

_DIRECTORY = f"""
    SELECT s.id, s.name, s.active, s.active AND {_QUALIFIED} AS auditor_qualified,
           coalesce((SELECT array_agg(r.role ORDER BY r.role) FROM staff_roles r WHERE r.staff_id = s.id),
                    '{{}}') AS roles,
           coalesce((SELECT jsonb_agg(jsonb_build_object(
                               'kind', q.kind, 'reference', q.reference, 'valid_from', q.valid_from,
                               'valid_to', q.valid_to, 'valid_on_day', $1::date BETWEEN q.valid_from AND q.valid_to)
                           ORDER BY q.kind, q.valid_from)
                     FROM auditor_qualifications q WHERE q.staff_id = s.id), '[]') AS qualifications,
           coalesce((SELECT jsonb_agg(jsonb_build_object(
                               'audit_id', a.id, 'kind', a.kind, 'organization', o.name, 'team_role', t.role)
                           ORDER BY a.created_at, a.id, t.role)
                     FROM audit_team t JOIN audits a ON a.id = t.audit_id
                          JOIN organizations o ON o.id = a.organization_id
                     WHERE t.staff_id = s.id), '[]') AS audits,
           coalesce((SELECT jsonb_agg(jsonb_build_object(
                               'id', c.id, 'staff_id', c.staff_id, 'credit_code', c.credit_code,
                               'organization_name', coalesce(o.name, c.organization_name), 'reason', c.reason,
                               'declared_on', c.declared_on, 'ended_on', c.ended_on, 'recorded_by', c.recorded_by)
                           ORDER BY c.declared_on, c.id)
                     FROM staff_conflicts c LEFT JOIN organizations o ON o.credit_code = c.credit_code
                     WHERE c.staff_id = s.id), '[]') AS conflicts
    FROM staff s
    WHERE ($2::text IS NULL OR EXISTS (SELECT 1 FROM staff_roles r WHERE r.staff_id = s.id AND r.role = $2))
      AND ($3::boolean IS NULL OR s.active = $3)
      AND (NOT $4 OR (s.active AND {_QUALIFIED}))
    ORDER BY s.name, s.id
"""


async def staff_directory(db: Db, day: date, *, role: Role | None = None, active: bool | None = None,
                          qualified_only: bool = False) -> list[StaffEntry]:
    """Everyone the filters keep, by name. ``day`` is the day qualifications are judged on;
    ``qualified_only`` keeps the active people holding both R-7.auditor proofs valid that day."""
    rows = await db.fetch(_DIRECTORY, day, None if role is None else role.value, active, qualified_only)
    return [StaffEntry.model_validate(dict(r)) for r in rows]
