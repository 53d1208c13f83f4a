"""The inbox a page at a time (issue 13): who sees which task is decided in SQL, and each page starts
after the last row of the one before (a keyset, not an offset), so tasks opened or closed meanwhile
neither repeat a row nor skip one that was there; the order is the inbox's (due date, undated last,
then id: index tasks_inbox_keyset, migration 0012) or, by ``sort``, the reverse, or by opening time
(migration 0014).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from schemas.tasks import TaskRecord, TaskStatus
from store._sql import Db, to_models
from store.sort_orders import SortOrder, orders, pick
from store.tasks import _COLUMNS


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


# Soonest due first (undated last) by default; or by when the task was opened.
TASK_ORDERS = orders(
    SortOrder("due", "coalesce(due_on, 'infinity'::date)", "date", "id", "text"),
    SortOrder("opened", "opened_at", "timestamptz", "id", "text"),
)


def _key(row: TaskRecord, order: SortOrder) -> object:
    if order.key_type == "date":
        return row.due_on or date.max  # asyncpg's 'infinity'::date
    return row.opened_at


async def inbox_page(db: Db, viewer: Viewer, *, kind: str | None = None, role: str | None = None,
                     status: TaskStatus | None = TaskStatus.OPEN, overdue_on: date | None = None,
                     after: str | None = None, limit: int = 100, sort: str = "due") -> InboxPage:
    """One page of ``viewer``'s inbox in the order ``sort`` (TASK_ORDERS), after ``after`` (a cursor of the
    previous page's last row)."""
    order = pick(TASK_ORDERS, sort)
    after_key, after_id = order.read(after)
    rows = await db.fetch(
        f"""SELECT {_COLUMNS} FROM tasks
            WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR role = $2)
              AND ($3::text IS NULL OR status = $3)
              AND ($4::date IS NULL OR (status = 'open' AND due_on < $4))
              AND ($5 OR assignee_id = $6 OR (assignee_id IS NULL AND role = ANY($7::text[]))
                   OR (NOT $8 AND role = ANY($7::text[])))
              AND {order.after(9, 10)}
            ORDER BY {order.order_by}
            LIMIT $11""",
        kind, role, None if status is None else TaskStatus(status).value, overdue_on,
        viewer.oversees and not viewer.mine, viewer.staff_id, viewer.roles, viewer.mine, after_key, after_id,
        limit + 1)
    page = to_models(TaskRecord, rows[:limit])
    last = page[-1] if len(rows) > limit and page else None
    return InboxPage(rows=page, next_cursor=None if last is None else order.cursor(_key(last, order), last.id))
