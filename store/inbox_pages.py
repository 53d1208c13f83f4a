"""The inbox a page at a time (issue 13): who sees which task is decided in SQL, and each page starts
after the last row of the one before (a keyset, not an offset), so tasks opened or closed meanwhile
neither repeat a row nor skip one that was there; the order is the inbox's: due date, undated last,
then id (index tasks_inbox_keyset, migration 0012).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from schemas.errors import InvalidInput
from schemas.tasks import TaskRecord, TaskStatus
from store import cursors
from store._sql import Db, to_models
from store.tasks import _COLUMNS

_UNDATED = "infinity"


@dataclass(frozen=True)
class Viewer:
    """Whose inbox: ``mine`` keeps the tasks for me (assigned to me, or to a role of mine and nobody);
    otherwise every task of my roles, and everything when I ``oversee`` (managers, operators)."""

    staff_id: UUID
    roles: list[str]
    mine: bool = True
    oversees: bool = False


@dataclass(frozen=True)
class InboxPage:
    rows: list[TaskRecord]
    next_cursor: str | None  # None: this was the last page


def cursor_of(row: TaskRecord) -> str:
    return cursors.encode([row.due_on.isoformat() if row.due_on else _UNDATED, row.id])


def _after(cursor: str | None) -> tuple[str | None, str | None]:
    if cursor is None:
        return None, None
    due, task_id = cursors.decode(cursor, 2)
    try:
        if due != _UNDATED:
            date.fromisoformat(due)
    except (ValueError, TypeError) as exc:
        raise InvalidInput("the cursor is not one this inbox gave (use the Link header's as it came)") from exc
    return str(due), str(task_id)


async def inbox_page(db: Db, viewer: Viewer, *, kind: str | None = None, role: str | None = None,
                     status: TaskStatus | None = TaskStatus.OPEN, overdue_on: date | None = None,
                     after: str | None = None, limit: int = 100) -> InboxPage:
    """One page of ``viewer``'s inbox, after ``after`` (a cursor of the previous page's last row)."""
    after_due, after_id = _after(after)
    rows = await db.fetch(
        f"""SELECT {_COLUMNS} FROM tasks
            WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR role = $2)
              AND ($3::text IS NULL OR status = $3)
              AND ($4::date IS NULL OR (status = 'open' AND due_on < $4))
              AND ($5 OR assignee_id = $6 OR (assignee_id IS NULL AND role = ANY($7::text[]))
                   OR (NOT $8 AND role = ANY($7::text[])))
              AND ($9::text IS NULL OR (coalesce(due_on, 'infinity'::date), id) > (($9::text)::date, $10::text))
            ORDER BY coalesce(due_on, 'infinity'::date), id
            LIMIT $11""",
        kind, role, None if status is None else TaskStatus(status).value, overdue_on,
        viewer.oversees and not viewer.mine, viewer.staff_id, viewer.roles, viewer.mine, after_due, after_id,
        limit + 1)
    page = to_models(TaskRecord, rows[:limit])
    return InboxPage(rows=page, next_cursor=cursor_of(page[-1]) if len(rows) > limit and page else None)
