"""The staff's certificate list: the register filtered by status, organization, level and what is due.

The organization's name is the one the certificate bears (its latest version, migration 0005), which
an application does not change. "Due before" reads the next due date each certificate's process
records (``record_next_due``); a withdrawn or expired certificate has nothing due any more, whatever
was recorded last.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel

from schemas.certificates import CertStatus, StarLevel
from schemas.errors import InvalidInput
from store import cursors
from store._sql import Db

ENDED = (CertStatus.WITHDRAWN.value, CertStatus.EXPIRED.value)


class CertificateRow(BaseModel):
    number: str
    organization_id: UUID
    organization: str
    workflow_id: str
    status: CertStatus
    star_level: StarLevel
    scope: str
    issued_on: date
    reissued_on: date | None
    revision: int
    valid_from: date
    valid_to: date
    suspended_until: date | None
    next_due_on: date | None
    next_due_what: str | None


class CertificatePage(BaseModel):
    total: int
    items: list[CertificateRow]
    next_cursor: str | None = None  # the page after this one, keyset (None: the last page)


def _after(cursor: str | None, by_due: bool) -> tuple[date | None, str | None]:
    """The sort key a cursor carries: (next due day, number) when sorted by due, else (None, number)."""
    if cursor is None:
        return None, None
    due, number = cursors.decode(cursor, 2)
    try:
        return (date.fromisoformat(due) if by_due else None), str(number)
    except (ValueError, TypeError) as exc:
        raise InvalidInput("the cursor is not one this list gave (use the Link header's as it came)") from exc


def _select(ended: str) -> str:
    """The columns of a :class:`CertificateRow`; ``ended`` is the parameter holding ENDED."""
    return f"""SELECT c.number, c.organization_id, coalesce(
                      (SELECT v.organization->>'name' FROM certificate_versions v
                       WHERE v.certificate_number = c.number ORDER BY v.version DESC LIMIT 1), o.name) AS organization,
                  c.workflow_id, c.status, c.star_level,
                  c.scope, c.issued_on, c.reissued_on, c.revision, c.valid_from, c.valid_to, c.suspended_until,
                  CASE WHEN c.status = ANY({ended}::text[]) THEN NULL ELSE c.next_due_on END AS next_due_on,
                  CASE WHEN c.status = ANY({ended}::text[]) THEN NULL ELSE c.next_due_what END AS next_due_what
           FROM certificates c JOIN organizations o ON o.id = c.organization_id"""


_WHERE = """WHERE ($1::text IS NULL OR c.status = $1)
             AND ($2::text IS NULL OR strpos(lower(o.name), lower($2)) > 0 OR o.id::text = $2)
             AND ($3::text IS NULL OR c.star_level = $3)
             AND ($4::date IS NULL OR (c.next_due_on < $4 AND NOT c.status = ANY($5::text[])))"""


async def search_certificates(
    db: Db, *, status: CertStatus | None = None, organization: str | None = None,
    star_level: StarLevel | None = None, due_before: date | None = None, limit: int = 50, offset: int = 0,
    after: str | None = None,
) -> CertificatePage:
    """By number. ``organization`` matches part of the name (or the whole id); ``due_before`` keeps the
    certificates with something due before that day, soonest first. ``total`` counts every match."""
    args = (status.value if status else None, organization.strip() if organization else None,
            star_level.value if star_level else None, due_before, list(ENDED))
    total = await db.fetchval(
        f"SELECT count(*) FROM certificates c JOIN organizations o ON o.id = c.organization_id {_WHERE}", *args)
    after_due, after_number = _after(after, due_before is not None)
    rows = await db.fetch(
        f"""{_select("$5")}
           {_WHERE}
             AND ($8::text IS NULL OR (CASE WHEN $4::date IS NULL THEN c.number > $8
                                       ELSE (c.next_due_on, c.number) > ($9::date, $8) END))
           ORDER BY CASE WHEN $4::date IS NULL THEN NULL ELSE c.next_due_on END, c.number
           LIMIT $6 OFFSET $7""",
        *args, limit + 1, 0 if after else offset, after_number, after_due,
    )
    items = [CertificateRow(**dict(r)) for r in rows[:limit]]
    last = items[-1] if len(rows) > limit and items else None
    cursor = None if last is None else cursors.encode(
        [last.next_due_on.isoformat() if due_before and last.next_due_on else None, last.number])
    return CertificatePage(total=total, items=items, next_cursor=cursor)


async def record_next_due(db: Db, number: str, on: date | None, what: str | None) -> None:
    """Idempotent: the process calls it again after a retry with the same values."""
    await db.execute("UPDATE certificates SET next_due_on = $2, next_due_what = $3 WHERE number = $1",
                     number, on, what)


async def get_certificate_row(db: Db, number: str) -> CertificateRow | None:
    row = await db.fetchrow(
        f"{_select('$2')} WHERE c.number = $1",
        number, list(ENDED))
    return CertificateRow(**dict(row)) if row else None
