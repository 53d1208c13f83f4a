"""What every register model shares.

Models are frozen because a row read from the register is a fact as of that read: change it through
the store (which keeps writes idempotent), not by mutating a copy in memory. Unknown fields are
refused so that a typo in an activity input fails loudly instead of being dropped.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

from schemas.text import Line, Text


def _not_blank(value: str) -> str:
    # Mirrors the register's CHECK (btrim(x) <> ''), a little stricter: tabs and newlines count as blank too.
    if not value.strip():
        raise ValueError("must not be blank")
    return value


NonBlank = Annotated[Text, AfterValidator(_not_blank)]
"""A text that must say something (descriptions, statuses)."""

NonBlankLine = Annotated[Line, AfterValidator(_not_blank)]
"""One line that must say something: names, ids and keys."""


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
