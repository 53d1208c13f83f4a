"""Sort orders of the staff's lists (issue 13): each list offers a few, named as the client writes them
(``due``, ``-due``: a leading minus is newest/latest first), each a key expression and the row's id as
tie-breaker, both in the same direction so that one index serves the order and its keyset.

A page's cursor carries the order's name with the last row's key and id, so a cursor is only taken back
by the order that gave it (another is 422), and the next page starts strictly after that row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from schemas.errors import InvalidInput
from store import cursors

_PARSE: dict[str, Callable[[str], Any]] = {
    "date": date.fromisoformat, "timestamptz": datetime.fromisoformat, "text": str}


@dataclass(frozen=True)
class SortOrder:
    name: str
    key: str  # SQL expression, never NULL (coalesce where a column may be)
    key_type: str  # date | timestamptz | text
    tie: str  # the unique column that breaks ties
    tie_type: str  # text | uuid
    descending: bool = False

    @property
    def order_by(self) -> str:
        way = "DESC" if self.descending else "ASC"
        return f"{self.key} {way}, {self.tie} {way}"

    def after(self, key_param: int, tie_param: int) -> str:
        """The keyset condition: rows strictly after (key, tie) in this order; true when no cursor."""
        op = "<" if self.descending else ">"
        return (f"(${key_param}::{self.key_type} IS NULL OR ({self.key}, {self.tie}) {op} "
                f"(${key_param}::{self.key_type}, ${tie_param}::{self.tie_type}))")

    def cursor(self, key: Any, tie: Any) -> str:
        return cursors.encode([self.name, key.isoformat() if hasattr(key, "isoformat") else str(key), str(tie)])

    def read(self, cursor: str | None) -> tuple[Any, str | None]:
        """The (key, tie) a cursor of this order carries, (None, None) without one."""
        if cursor is None:
            return None, None
        name, key, tie = cursors.decode(cursor, 3)
        if name != self.name:
            raise InvalidInput(f"the cursor belongs to the sort order {name!r}, not {self.name!r}: "
                               "keep the sort of the page it came from")
        try:
            return _PARSE[self.key_type](key), str(tie)
        except (ValueError, TypeError) as exc:
            raise InvalidInput("the cursor is not one this list gave (use the Link header's as it came)") from exc


def orders(*ascending: SortOrder) -> dict[str, SortOrder]:
    """Each order and its reverse (``-name``), by name."""
    both = {}
    for order in ascending:
        both[order.name] = order
        both[f"-{order.name}"] = SortOrder(f"-{order.name}", order.key, order.key_type, order.tie, order.tie_type,
                                           descending=True)
    return both


def pick(available: dict[str, SortOrder], name: str) -> SortOrder:
    if name not in available:
        raise InvalidInput(f"unknown sort {name!r}: one of {', '.join(available)}", details={"sort": name})
    return available[name]
