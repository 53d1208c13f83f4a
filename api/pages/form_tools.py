"""Small tools the pages' forms share: the rows a "one more row" button asks for, a field found by its
name. (Ticked boxes are read by ``SchemaForm.payload``: a list of strings, its name repeated.)"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from api.pages.forms import FormField

Pairs = list[tuple[str, str]]


def rows_sent(pairs: Iterable[tuple[str, str]], name: str) -> int:
    """How many rows of the list ``name`` the form had (blank ones too): ``name[3].x`` means four."""
    pattern = re.compile(re.escape(name) + r"\[(\d+)\]")
    indices = [int(m.group(1)) for key, _ in pairs if (m := pattern.match(key))]
    return max(indices) + 1 if indices else 0


def one_more_row(pairs: Sequence[tuple[str, str]], payload: Mapping[str, Any], name: str,
                 blank_rows: int = 0) -> dict[str, int]:
    """``extra_rows`` for ``SchemaForm.fields`` that draws the rows the form had (blank ones too), plus
    one: the filled rows come back from the payload; a list without any is drawn with ``blank_rows`` of
    its own (``forms.BLANK_ROWS`` for a required list, none for an optional one)."""
    filled = _at(payload, name)
    drawn_anyway = len(filled) if isinstance(filled, list) and filled else blank_rows
    return {name: max(rows_sent(pairs, name) + 1 - drawn_anyway, 1)}


def _at(payload: Mapping[str, Any], name: str) -> Any:
    node: Any = payload
    for part in name.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    return node


def find_field(fields: Iterable[FormField], name: str) -> FormField | None:
    """The field named ``name`` anywhere in the drawn form (groups and rows looked into)."""
    for f in fields:
        if f.name == name:
            return f
        found = find_field(f.children, name) or find_field([c for row in f.rows for c in row], name)
        if found is not None:
            return found
    return None
