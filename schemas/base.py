"""What every register model shares.

Models are frozen because a row read from the register is a fact as of that read: change it through
the store (which keeps writes idempotent), not by mutating a copy in memory. Unknown fields are
refused so that a typo in an activity input fails loudly instead of being dropped.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError

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

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_day_only(value: Any) -> Any:
    # Pydantic reads a number as a Unix time (0 is 1970-01-01): a client's mistake, taken for a day.
    if isinstance(value, int | float) or (isinstance(value, str) and not _ISO_DAY.fullmatch(value)):
        raise PydanticCustomError("date_format", "a day is written YYYY-MM-DD")
    return value


Day = Annotated[date, BeforeValidator(_iso_day_only)]
"""A day as the OpenAPI document says (``format: date``): YYYY-MM-DD, never a number read as a Unix time
(schemathesis found ``?due_before=0`` and ``"valid_to": 0`` taken as 1970-01-01)."""


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
