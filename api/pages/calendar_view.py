"""Month calendars shown beside a form's date fields: working days marked, holidays greyed (issue 15),
drawn on the server so that they need no JavaScript (api/templates/_calendar.html draws them).

The days are read from the holiday table the workflows' working-day deadlines are counted over
(R-dates, RULES.md "Dates"): the shipped ``rules/data/holidays_cn.json`` with the body's edits from the
register on top, through the same ``current_table`` the calendar activity uses, read-only. A year the
table does not cover is decided by weekends alone there, so its months say ``provisional`` and never
pass a guess off as fact (DESIGN.md "Dates").

    grids = await month_grids(pool, date(2025, 9, 1), 2, today)
    {% from "_calendar.html" import calendar %} … {{ calendar(grids, t) }}
"""

from __future__ import annotations

import calendar as _weeks
from dataclasses import dataclass
from datetime import date
from typing import Literal

import asyncpg

from activities.calendar import current_table
from rules.calendar import HolidayTable
from schemas.errors import InvalidInput

DayStatus = Literal["working", "weekend", "holiday", "makeup"]
MAX_MONTHS = 24  # a picker shows a few months; more is a mistake, not a wish

# The shipped table names its days in English (certflow.seed_holidays); the body may enter either.
HOLIDAY_NAMES: dict[str, tuple[str, str]] = {
    "New Year's Day": ("元旦", "New Year's Day"),
    "Spring Festival": ("春节", "Spring Festival"),
    "Tomb-sweeping Day": ("清明节", "Tomb-sweeping Day"),
    "Labour Day": ("劳动节", "Labour Day"),
    "Dragon Boat Festival": ("端午节", "Dragon Boat Festival"),
    "Mid-autumn Festival": ("中秋节", "Mid-autumn Festival"),
    "National Day": ("国庆节", "National Day"),
    "Anti-Fascist 70th Day": ("抗战胜利70周年纪念日", "Anti-Fascist 70th Day"),
    "make-up working day": ("", ""),  # the seed's name for a make-up day of no named holiday
}
_BY_CHINESE = {zh: (zh, en) for zh, en in HOLIDAY_NAMES.values() if zh}

# Monday first, as Chinese calendars are printed: (short, full) in Chinese and English
WEEKDAYS: list[tuple[str, str, str, str]] = [
    ("一", "星期一", "Mon", "Monday"), ("二", "星期二", "Tue", "Tuesday"), ("三", "星期三", "Wed", "Wednesday"),
    ("四", "星期四", "Thu", "Thursday"), ("五", "星期五", "Fri", "Friday"), ("六", "星期六", "Sat", "Saturday"),
    ("日", "星期日", "Sun", "Sunday"),
]


def holiday_words(name: str) -> tuple[str, str]:
    """A holiday's (Chinese, English) name from the table's entry; an unknown name stands for both."""
    return HOLIDAY_NAMES.get(name) or _BY_CHINESE.get(name) or (name, name)


@dataclass(frozen=True)
class CalendarDay:
    """One day as the table has it. ``provisional``: its year is not in the table (weekends alone)."""

    day: date
    status: DayStatus
    name: str = ""  # the holiday's name as entered in the table (off days and make-up days)
    provisional: bool = False
    today: bool = False

    @property
    def working(self) -> bool:
        return self.status in ("working", "makeup")

    @property
    def greyed(self) -> bool:
        """A day off: a public holiday or a weekend not made up."""
        return not self.working

    def holiday_name(self, lang: str) -> str:
        zh, en = holiday_words(self.name) if self.name else ("", "")
        return en if lang == "en" else zh

    def mark(self, lang: str) -> str:
        """The short visible mark of a day that differs from the week's rule: 休 (off) or 班 (working)."""
        en = lang == "en"
        return {"holiday": "off" if en else "休", "makeup": "work" if en else "班"}.get(self.status, "")

    def status_text(self, lang: str) -> str:
        """The day's status in words, for screen readers and the tooltip: what the eye reads from colour."""
        en, name = lang == "en", self.holiday_name(lang)
        if self.status == "holiday":
            words = f"Public holiday{': ' + name if name else ''}" if en else f"法定节假日{'：' + name if name else ''}"
        elif self.status == "makeup":
            words = f"Make-up working day{' (' + name + ')' if name else ''}" if en else \
                f"调休上班{'（' + name + '）' if name else ''}"
        elif self.status == "weekend":
            words = "Weekend, day off" if en else "周末休息"
        else:
            words = "Working day" if en else "工作日"
        if self.provisional:
            words += ", provisional (holidays of this year not entered)" if en else "，暂定（该年节假日未录入）"
        if self.today:
            words += ", today" if en else "，今天"
        return words


@dataclass(frozen=True)
class MonthGrid:
    """One month as weeks of seven cells, Monday first; ``None`` pads the days of other months."""

    month: date  # its first day
    weeks: list[list[CalendarDay | None]]
    provisional: bool  # the table does not cover the month's year

    def caption(self, lang: str) -> str:
        if lang == "en":
            return f"{self.month:%B %Y}"
        return f"{self.month.year}年{self.month.month}月"

    @property
    def weekdays(self) -> list[tuple[str, str, str, str]]:
        return WEEKDAYS

    @property
    def days(self) -> list[CalendarDay]:
        return [d for week in self.weeks for d in week if d is not None]

    def notes(self, lang: str) -> list[str]:
        """The month's holidays and make-up days in words, each with its days in runs: "国庆节：1–5日、7–8日"."""
        groups: dict[str, list[int]] = {}
        for d in self.days:
            if d.status in ("holiday", "makeup"):
                groups.setdefault(_note_title(d, lang), []).append(d.day.day)
        return [f"{title}{': ' if lang == 'en' else '：'}{_runs(days, lang)}" for title, days in groups.items()]


def _note_title(day: CalendarDay, lang: str) -> str:
    name = day.holiday_name(lang)
    if day.status == "holiday":
        return name or ("Public holiday" if lang == "en" else "法定节假日")
    if lang == "en":
        return f"Make-up working day{' (' + name + ')' if name else ''}"
    return f"调休上班{'（' + name + '）' if name else ''}"


def _runs(days: list[int], lang: str) -> str:
    """Days of a month as runs of consecutive days: [1, 2, 3, 5] → "1–3日、5日" or "1–3, 5"."""
    runs: list[list[int]] = []
    for n in days:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    spans = [f"{r[0]}–{r[-1]}" if len(r) > 1 else f"{r[0]}" for r in runs]
    return ", ".join(spans) if lang == "en" else "、".join(f"{s}日" for s in spans)


def day_of(table: HolidayTable, day: date, today: date | None = None) -> CalendarDay:
    """What the table says of ``day`` (R-dates): entered days first, then the weekday rule."""
    provisional, is_today = not table.covers(day.year), day == today
    if day in table.working_days:
        status: DayStatus = "makeup" if day.weekday() >= 5 else "working"
        return CalendarDay(day, status, table.working_days[day], provisional, is_today)
    if day in table.off_days:
        return CalendarDay(day, "holiday", table.off_days[day], provisional, is_today)
    return CalendarDay(day, "weekend" if day.weekday() >= 5 else "working", "", provisional, is_today)


def month_grid(table: HolidayTable, month: date, today: date | None = None) -> MonthGrid:
    """The month holding ``month`` (any day of it), as weeks from Monday to Sunday."""
    first = month.replace(day=1)
    weeks = [[day_of(table, d, today) if d.month == first.month else None for d in week]
             for week in _weeks.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)]
    return MonthGrid(first, weeks, provisional=not table.covers(first.year))


def add_months(month: date, count: int) -> date:
    """The first day of the month ``count`` months after ``month``'s."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


async def month_grids(pool: asyncpg.Pool | asyncpg.Connection, first_month: date, months: int,
                      today: date | None = None) -> list[MonthGrid]:
    """``months`` months from the one holding ``first_month``, over the table as it is now (R-dates);
    ``today`` (the reader's date in Asia/Shanghai) is marked where it falls."""
    if not 1 <= months <= MAX_MONTHS:
        raise InvalidInput(f"months must be between 1 and {MAX_MONTHS}, not {months}")
    table = await current_table(pool)
    return [month_grid(table, add_months(first_month, i), today) for i in range(months)]
