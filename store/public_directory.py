"""The public directory of certified organizations (R-9.1.9.n3): which certificates match a search, as
their versions said on a day (migration 0005), so that the directory agrees with each certificate's own
public page and never with an organization's later record.

The search reads the version in force on the day, one per certificate: a name a certificate dropped at
a reissue no longer finds it (R-10.3.4), a name it had on that day does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from store._sql import Db

_MATCHING = """WITH in_force AS (
        SELECT DISTINCT ON (certificate_number) certificate_number, organization, status
        FROM certificate_versions WHERE in_force_from <= $1
        ORDER BY certificate_number, version DESC)
    SELECT {select} FROM in_force
    WHERE ($2 = '' OR certificate_number LIKE upper($3) || '%' ESCAPE '\\'
           OR organization->>'name' ILIKE '%' || $3 || '%' ESCAPE '\\'
           OR organization->>'credit_code' = upper($2))
      AND ($4::text IS NULL OR status = $4)"""


@dataclass(frozen=True)
class DirectoryPage:
    numbers: list[str]  # the page, ordered by holder name then number
    total: int


def _like(text: str) -> str:
    """``text`` as a literal inside a LIKE pattern: a user's % or _ matches itself."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def search_directory(db: Db, q: str | None, on: date, *, status: str | None = None,
                           limit: int = 20, offset: int = 0) -> DirectoryPage:
    """Certificates whose version in force on ``on`` matches ``q``: its number (or a leading part of
    it), the holder's name (any part) or the holder's credit code (exact); all of them without ``q``."""
    term = (q or "").strip()
    args = (on, term, _like(term), status)
    page = await db.fetch(
        _MATCHING.format(select="certificate_number")
        + " ORDER BY organization->>'name', certificate_number LIMIT $5 OFFSET $6", *args, limit, offset)
    total = await db.fetchval(_MATCHING.format(select="count(*)"), *args)
    return DirectoryPage(numbers=[r["certificate_number"] for r in page], total=total)
