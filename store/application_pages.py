"""Applications listed newest first, a page at a time (issue 13): each page starts after the last row of
the one before (submitted_at, id), so applications arriving meanwhile neither repeat a row nor skip one
(index applications_by_submission, migration 0012). The organization is named as the application
named it (its own data), never from a later record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from schemas.errors import InvalidInput
from store import cursors
from store._sql import Db


@dataclass(frozen=True)
class ApplicationRow:
    id: UUID
    workflow_id: str
    status: str
    organization: str
    credit_code: str
    scope: str
    submitted_at: datetime


@dataclass(frozen=True)
class ApplicationPage:
    rows: list[ApplicationRow]
    next_cursor: str | None


def _cursor(row: ApplicationRow) -> str:
    return cursors.encode([row.submitted_at.isoformat(), str(row.id)])


def _before(cursor: str | None) -> tuple[datetime | None, UUID | None]:
    if cursor is None:
        return None, None
    at, application_id = cursors.decode(cursor, 2)
    try:
        return datetime.fromisoformat(at), UUID(application_id)
    except (ValueError, TypeError) as exc:
        raise InvalidInput("the cursor is not one this list gave (use the Link header's as it came)") from exc


async def application_page(db: Db, *, status: str | None = None, organization: str | None = None,
                           after: str | None = None, limit: int = 50) -> ApplicationPage:
    """Newest first; ``organization`` matches part of the name the application gave, or its credit code."""
    before_at, before_id = _before(after)
    term = (organization or "").strip()
    rows = await db.fetch(
        """SELECT id, workflow_id, status, data->'organization'->>'name' AS organization,
                  coalesce(data->'organization'->>'credit_code', '') AS credit_code, scope, submitted_at
           FROM applications
           WHERE ($1::text IS NULL OR status = $1)
             AND ($2 = '' OR strpos(lower(data->'organization'->>'name'), lower($2)) > 0
                  OR data->'organization'->>'credit_code' = upper($2))
             AND ($3::timestamptz IS NULL OR (submitted_at, id) < ($3, $4::uuid))
           ORDER BY submitted_at DESC, id DESC
           LIMIT $5""",
        status, term, before_at, before_id, limit + 1)
    page = [ApplicationRow(**{**dict(r), "organization": r["organization"] or ""}) for r in rows[:limit]]
    return ApplicationPage(rows=page, next_cursor=_cursor(page[-1]) if len(rows) > limit and page else None)
