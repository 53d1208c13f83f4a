"""The holiday table the body edits, overriding the shipped data (RULES.md "Dates").

Holidays are published by the State Council year by year, so a year beyond the shipped file is
entered here. A year is *declared* once the body says its list of days is complete; until then dates
in it stay provisional even if some of its days are already entered.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from schemas.base import Record
from schemas.text import Line, Text


class HolidayDay(Record):
    """A day that differs from "Monday to Friday work": a day off, or a make-up working day (调休)."""

    day: date
    is_working_day: bool
    name: Line = ""


class HolidayYear(Record):
    """A year whose days the body has entered completely, and where that came from."""

    year: int = Field(ge=2000, le=2200)
    source: Text = ""  # e.g. the State Council notice
    published_on: date | None = None
