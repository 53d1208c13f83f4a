"""Chinese working days for the scheme's working-day deadlines (RULES.md "Dates", cited as R-dates).

The scheme counts in working days without defining them (R-9.1.2 review within 3, R-9.1.6 and
R-9.2.5 plan at least 3 before the on-site audit, R-9.1.9 decision within 10). **Decision** (R-dates):
they are Chinese working days — weekends and public holidays off, make-up working days (调休) on.

Holidays are fixed by the State Council year by year, so they are data, not arithmetic: the shipped
``data/holidays_cn.json`` (seeded by ``python -m certflow.seed_holidays``) plus the body's own edits
from the database for years published later (``HolidayTable.with_overrides``). A year the table does
not cover is never guessed silently: weekends alone decide there and the result says ``provisional``,
so a deadline in 2027 is shown as such until the body enters 2027.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.errors import DataMissing, InvalidInput
from schemas.holidays import HolidayDay, HolidayYear

DATA_FILE = Path(__file__).resolve().parent / "data" / "holidays_cn.json"


class HolidayTable(BaseModel):
    """The days that differ from "Monday to Friday work", and the years for which that list is complete.

    ``years`` is what makes a date trustworthy (R-dates): a day outside them is decided by weekends
    alone and flagged provisional, even when some of its holidays are already entered.
    """

    model_config = ConfigDict(frozen=True)

    years: frozenset[int]
    off_days: dict[dt.date, str] = Field(default_factory=dict)
    working_days: dict[dt.date, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_answer_per_day(self) -> Self:
        both = sorted(set(self.off_days) & set(self.working_days))
        if both:
            raise ValueError(f"days both off and working: {', '.join(d.isoformat() for d in both)}")
        return self

    @classmethod
    def default(cls) -> HolidayTable:
        """The shipped table; loaded once per process because it is read on every deadline."""
        return _load_default()

    def covers(self, year: int) -> bool:
        return year in self.years

    def with_overrides(
        self,
        years: Iterable[int | HolidayYear] = (),
        days: Iterable[HolidayDay | tuple[dt.date, bool, str]] = (),
    ) -> HolidayTable:
        """The body's edits (its ``holidays`` and ``holiday_years`` rows) win over the shipped file,
        date by date, because the body answers for them.

        ``years`` are those the body declares complete (e.g. 2027 once the State Council publishes it).
        """
        off, working = dict(self.off_days), dict(self.working_days)
        for item in days:
            if not isinstance(item, HolidayDay):
                item = HolidayDay(day=item[0], is_working_day=item[1], name=item[2])
            off.pop(item.day, None)
            working.pop(item.day, None)
            (working if item.is_working_day else off)[item.day] = item.name
        declared = frozenset(y.year if isinstance(y, HolidayYear) else y for y in years)
        return HolidayTable(years=self.years | declared, off_days=off, working_days=working)

    def is_working_day(self, day: dt.date) -> bool:
        """The raw answer for any year, declared days first; callers must look at ``covers`` (R-dates)."""
        if day in self.working_days:
            return True
        if day in self.off_days:
            return False
        return day.weekday() < 5


@functools.cache
def _load_default() -> HolidayTable:
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return HolidayTable(
        years=frozenset(range(raw["first_year"], raw["last_year"] + 1)),
        off_days=raw["off_days"],
        working_days=raw["working_days"],
    )


class WorkingDayResult(BaseModel):
    """A computed deadline; ``provisional`` means a year without holiday data was involved (R-dates)."""

    model_config = ConfigDict(frozen=True)

    date: dt.date
    provisional: bool


def add_working_days(start: dt.date, n: int, table: HolidayTable | None = None) -> WorkingDayResult:
    """The n-th working day after ``start`` (R-dates), ``start`` itself not counted.

    Negative ``n`` counts backwards, for "at least 3 working days before the on-site audit"
    (R-9.1.6, R-9.2.5): ``add_working_days(on_site, -3)`` is the last day the plan may be sent.
    Forward, it gives "within n working days" deadlines (R-9.1.2: 3, R-9.1.9: 10).
    """
    _check_date(start, "start")
    _check_int(n, "n")
    table = _table(table)
    step = dt.timedelta(days=1 if n > 0 else -1)
    day, counted, provisional = start, 0, False
    while counted < abs(n):
        day = _shift(day, step)
        provisional = provisional or not table.covers(day.year)
        if table.is_working_day(day):
            counted += 1
    return WorkingDayResult(date=day, provisional=provisional)


def is_working_day(day: dt.date, table: HolidayTable | None = None) -> bool:
    """Whether ``day`` is a Chinese working day (R-dates).

    A bare bool cannot say "provisional", so a year the table does not cover raises ``DataMissing``
    instead of being answered from weekends (use ``add_working_days``, which flags it, or
    ``HolidayTable.is_working_day`` to accept the guess knowingly).
    """
    _check_date(day, "day")
    table = _table(table)
    if not table.covers(day.year):
        raise DataMissing(
            f"the holiday table does not cover {day.year}; enter that year's holidays first",
            details={"year": day.year},
        )
    return table.is_working_day(day)


def _table(table: HolidayTable | None) -> HolidayTable:
    if table is None:
        return HolidayTable.default()
    if not isinstance(table, HolidayTable):
        raise InvalidInput(f"table must be a HolidayTable, not {type(table).__name__}")
    return table


def _check_date(value: object, name: str) -> None:
    # A datetime is a date subclass; taking its date silently would pick a time zone for the caller.
    if isinstance(value, dt.datetime):
        raise InvalidInput(f"{name} must be a date, not a datetime: take its Asia/Shanghai date first")
    if not isinstance(value, dt.date):
        raise InvalidInput(f"{name} must be a date, not {type(value).__name__}")


def _check_int(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{name} must be a whole number of working days, not {value!r}")


def _shift(day: dt.date, step: dt.timedelta) -> dt.date:
    try:
        return day + step
    except OverflowError:
        raise InvalidInput("the working-day count runs past the last (or first) representable date") from None
