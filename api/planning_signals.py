"""What the API tells the audit planner when the register changes under its proposals (issue 18): an
absence recorded or cancelled re-plans only the audits it touches, not everything."""

from __future__ import annotations

from uuid import UUID

from fastapi import Request

from schemas.scheduling import DateSpan


async def absence_changed(request: Request, staff_id: UUID, span: DateSpan) -> None:
    """Told to the audit planner; see workflows/audit_planning.py."""
