"""Applications listed newest first, a page at a time (issue 13): each page starts after the last row of
the one before (submitted_at, id; ``sort=submitted`` lists the oldest first), so applications arriving
meanwhile neither repeat a row nor skip one (index applications_by_submission, migration 0012). The
organization is named as the application named it (its own data), never from a later record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from store._sql import Db
from store.sort_orders import SortOrder, orders, pick


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


# Newest first by default; the oldest first by ``submitted``.
APPLICATION_ORDERS = orders(SortOrder("submitted", "submitted_at", "timestamptz", "id", "uuid"))


async def application_page(db: Db, *, status: str | None = None, organization: str | None = None,
                           after: str | None = None, limit: int = 50, sort: str = "-submitted") -> ApplicationPage:
    """Newest first (``sort=submitted``: oldest first); ``organization`` matches part of the name the
    application gave, or its credit code."""
    order = pick(APPLICATION_ORDERS, sort)
    after_at, after_id = order.read(after)
    term = (organization or "").strip()
    rows = await db.fetch(
        f"""SELECT id, workflow_id, status, data->'organization'->>'name' AS organization,
                  coalesce(data->'organization'->>'credit_code', '') AS credit_code, scope, submitted_at
           FROM applications
           WHERE ($1::text IS NULL OR status = $1)
             AND ($2 = '' OR strpos(lower(data->'organization'->>'name'), lower($2)) > 0
                  OR data->'organization'->>'credit_code' = upper($2))
             AND {order.after(3, 4)}
           ORDER BY {order.order_by}
           LIMIT $5""",
        status, term, after_at, after_id, limit + 1)
    page = [ApplicationRow(**{**dict(r), "organization": r["organization"] or ""}) for r in rows[:limit]]
    last = page[-1] if len(rows) > limit and page else None
    return ApplicationPage(rows=page, next_cursor=None if last is None else order.cursor(last.submitted_at, last.id))
