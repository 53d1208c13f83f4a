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
from store._sql import Db
from store.sort_orders import SortOrder, orders, pick

ENDED = (CertStatus.WITHDRAWN.value, CertStatus.EXPIRED.value)
_ALL = "certificates c JOIN organizations o ON o.id = c.organization_id"


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


# What is due, for an ended certificate nothing (as the row shows it): same expression as the index's
# (migration 0014), so that the order by next due is served by it.
_NEXT_DUE = ("CASE WHEN c.status IN ('withdrawn', 'expired') THEN 'infinity'::date "
             "ELSE coalesce(c.next_due_on, 'infinity'::date) END")
CERTIFICATE_ORDERS = orders(
    SortOrder("number", "c.number", "text", "c.number", "text"),
    SortOrder("issued", "c.issued_on", "date", "c.number", "text"),
    SortOrder("valid_to", "c.valid_to", "date", "c.number", "text"),
    SortOrder("next_due", _NEXT_DUE, "date", "c.number", "text"),
)
_ROW_KEY = {"number": "number", "issued": "issued_on", "valid_to": "valid_to", "next_due": "next_due_on"}


def _key(row: CertificateRow, order: SortOrder) -> object:
    value = getattr(row, _ROW_KEY[order.name.lstrip("-")])
    return date.max if value is None else value  # nothing due sorts last, as 'infinity'


def _select(ended: str, source: str = _ALL) -> str:
    """The columns of a :class:`CertificateRow`; ``ended`` is the parameter holding ENDED, ``source`` the
    certificates joined to their organizations (``o``)."""
    return f"""SELECT c.number, c.organization_id, coalesce(
                      (SELECT v.organization->>'name' FROM certificate_versions v
                       WHERE v.certificate_number = c.number ORDER BY v.version DESC LIMIT 1), o.name) AS organization,
                  c.workflow_id, c.status, c.star_level,
                  c.scope, c.issued_on, c.reissued_on, c.revision, c.valid_from, c.valid_to, c.suspended_until,
                  CASE WHEN c.status = ANY({ended}::text[]) THEN NULL ELSE c.next_due_on END AS next_due_on,
                  CASE WHEN c.status = ANY({ended}::text[]) THEN NULL ELSE c.next_due_what END AS next_due_what
           FROM {source}"""


_FILTERS = """($1::text IS NULL OR c.status = $1)
             AND ($3::text IS NULL OR c.star_level = $3)
             AND ($4::date IS NULL OR (c.next_due_on < $4 AND NOT c.status = ANY($5::text[])))"""
_NAMED = "(strpos(lower(o.name), lower($2)) > 0 OR o.id::text = $2)"
# Issue 17: a name matches a handful of organizations in thousands, but the planner cannot know it (it
# guesses a third), so it walked every certificate in number order looking each one's organization up
# (36 ms at 10,000). Fenced (OFFSET 0), the organizations are found first (one scan of their names) and
# only their certificates are read and sorted.
_NAMED_ONLY = (f"(SELECT id, name FROM organizations o WHERE {_NAMED} OFFSET 0) o "
               "JOIN certificates c ON c.organization_id = o.id")


async def search_certificates(
    db: Db, *, status: CertStatus | None = None, organization: str | None = None,
    star_level: StarLevel | None = None, due_before: date | None = None, limit: int = 50, offset: int = 0,
    after: str | None = None, sort: str | None = None,
) -> CertificatePage:
    """In the order ``sort`` (CERTIFICATE_ORDERS): by number, or soonest due first when ``due_before``
    is given. ``organization`` matches part of the name (or the whole id); ``due_before`` keeps the
    certificates with something due before that day. ``total`` counts every match."""
    order = pick(CERTIFICATE_ORDERS, sort or ("next_due" if due_before else "number"))
    args = (status.value if status else None, organization.strip() if organization else None,
            star_level.value if star_level else None, due_before, list(ENDED))
    if args[1] is None:  # every organization: the count needs no join (each certificate has one)
        total = await db.fetchval(f"SELECT count(*) FROM certificates c WHERE {_FILTERS} AND $2::text IS NULL", *args)
        source = _ALL
    else:
        total = await db.fetchval(f"SELECT count(*) FROM {_NAMED_ONLY} WHERE {_FILTERS}", *args)
        source = _NAMED_ONLY
    after_key, after_number = order.read(after)
    rows = await db.fetch(
        f"""{_select("$5", source)}
           WHERE {_FILTERS} AND ($2::text IS NULL OR {_NAMED})
             AND {order.after(8, 9)}
           ORDER BY {order.order_by}
           LIMIT $6 OFFSET $7""",
        *args, limit + 1, 0 if after else offset, after_key, after_number,
    )
    items = [CertificateRow(**dict(r)) for r in rows[:limit]]
    last = items[-1] if len(rows) > limit and items else None
    return CertificatePage(total=total, items=items,
                           next_cursor=None if last is None else order.cursor(_key(last, order), last.number))


async def record_next_due(db: Db, number: str, on: date | None, what: str | None) -> None:
    """Idempotent: the process calls it again after a retry with the same values."""
    await db.execute("UPDATE certificates SET next_due_on = $2, next_due_what = $3 WHERE number = $1",
                     number, on, what)


async def get_certificate_row(db: Db, number: str) -> CertificateRow | None:
    row = await db.fetchrow(
        f"{_select('$2')} WHERE c.number = $1",
        number, list(ENDED))
    return CertificateRow(**dict(row)) if row else None
