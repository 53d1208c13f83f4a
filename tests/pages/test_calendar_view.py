"""The calendars beside date fields (issue 15: "working days marked, holidays greyed"), read from the
holiday table the working-day deadlines use (R-dates) in a real PostgreSQL: the shipped table plus the
body's edits; a year the table does not cover is shown provisional, never guessed (DESIGN.md "Dates")."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from activities.calendar import current_table
from api.pages.calendar_view import CalendarDay, MonthGrid, add_months, month_grids
from api.pages.i18n import translator
from api.pages.render import STATIC, TEMPLATES
from rules.calendar import add_working_days
from schemas.errors import InvalidInput
from store.holidays import declare_year, set_holiday
from tests.pages.browser import DESKTOP, PHONE, browsing


def _day(grids: list[MonthGrid], day: date) -> CalendarDay:
    return next(d for g in grids for d in g.days if d.day == day)


async def test_spring_festival_week_and_its_make_up_saturday(pool):
    # R-dates: 2025's Spring Festival is 28 Jan – 4 Feb off; Sun 26 Jan and Sat 8 Feb are worked
    grids = await month_grids(pool, date(2025, 1, 15), 2, today=date(2025, 2, 5))
    assert [g.month for g in grids] == [date(2025, 1, 1), date(2025, 2, 1)]
    for n in range(8):
        day = _day(grids, date(2025, 1, 28 + n) if n < 4 else date(2025, 2, n - 3))
        assert (day.status, day.name, day.working, day.greyed) == ("holiday", "Spring Festival", False, True), day
    assert _day(grids, date(2025, 2, 1)).day.weekday() == 5  # a Saturday inside the holiday: a holiday
    saturday = _day(grids, date(2025, 2, 8))
    assert (saturday.status, saturday.working, saturday.greyed) == ("makeup", True, False)
    assert saturday.status_text("zh") == "调休上班（春节）"
    assert _day(grids, date(2025, 1, 26)).status == "makeup"
    assert _day(grids, date(2025, 2, 9)).status == "weekend"  # an ordinary Sunday
    assert _day(grids, date(2025, 2, 5)).status == "working" and _day(grids, date(2025, 2, 5)).today
    assert sum(d.today for g in grids for d in g.days) == 1
    assert not any(g.provisional or any(d.provisional for d in g.days) for g in grids)
    # February 2025 begins on a Saturday: the first week is padded, Monday first
    february = grids[1]
    assert february.weeks[0][:5] == [None] * 5 and february.weeks[0][5].day == date(2025, 2, 1)
    assert all(len(week) == 7 for week in february.weeks) and len(february.days) == 28


async def test_national_day_week_agrees_with_the_working_day_deadlines(pool):
    grids = await month_grids(pool, date(2025, 9, 1), 2)
    off = [d.day.day for d in grids[1].days if d.status == "holiday"]
    assert off[:8] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert _day(grids, date(2025, 10, 6)).holiday_name("zh") == "中秋节"
    assert _day(grids, date(2025, 10, 1)).status_text("en") == "Public holiday: National Day"
    assert [d.day for d in grids[0].days + grids[1].days if d.status == "makeup"] == [date(2025, 9, 28),
                                                                                     date(2025, 10, 11)]
    # the view's first working day after 30 September is the deadline a workflow would count (R-dates)
    table = await current_table(pool)
    first_working = next(d.day for d in grids[1].days if d.working)
    assert first_working == add_working_days(date(2025, 9, 30), 1, table).date == date(2025, 10, 9)
    # the month's holidays in words, in runs of days
    assert grids[1].notes("zh") == ["国庆节：1–5日、7–8日", "中秋节：6日", "调休上班（国庆节）：11日"]
    assert grids[1].notes("en")[0] == "National Day: 1–5, 7–8"
    assert grids[0].notes("en") == ["Make-up working day (National Day): 28"]


async def test_a_year_the_table_does_not_cover_is_provisional_until_the_body_enters_it(pool):
    table = await current_table(pool)
    year = max(table.years) + 1
    before = await month_grids(pool, date(year, 10, 1), 1)
    assert before[0].provisional and all(d.provisional for d in before[0].days)
    first = date(year, 10, 1)
    assert _day(before, first).status == ("weekend" if first.weekday() >= 5 else "working")  # weekends alone
    assert "暂定" in _day(before, first).status_text("zh")
    # the body enters the year in the register: the view reads it as the deadlines do
    await set_holiday(pool, first, False, "国庆节")
    await declare_year(pool, year, source="国务院办公厅通知")
    after = await month_grids(pool, date(year, 10, 1), 1)
    entered = _day(after, first)
    assert not after[0].provisional and (entered.status, entered.provisional) == ("holiday", False)
    assert entered.holiday_name("en") == "National Day" and entered.holiday_name("zh") == "国庆节"


async def test_the_number_of_months_is_bounded(pool):
    with pytest.raises(InvalidInput):
        await month_grids(pool, date(2025, 1, 1), 0)
    with pytest.raises(InvalidInput):
        await month_grids(pool, date(2025, 1, 1), 25)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 1)
    assert add_months(date(2025, 1, 31), -1) == date(2024, 12, 1)


class _Cells(HTMLParser):
    """Each day cell's attributes and text (tags inside the cell left out), and the header cells."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[str, tuple[dict[str, str], str]] = {}
        self.headers: list[dict[str, str]] = []
        self._open: tuple[str, dict[str, str]] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {k: v or "" for k, v in attrs}
        if tag == "th":
            self.headers.append(named)
        if tag == "td" and "data-date" in named:
            self._open, self._text = (named["data-date"], named), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._open:
            self.cells[self._open[0]] = (self._open[1], "".join(self._text))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            self._text.append(data.strip())


def _render(grids: list[MonthGrid], lang: str) -> str:
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                              undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    page = environment.from_string('{% from "_calendar.html" import calendar %}{{ calendar(grids, t) }}')
    return page.render(grids=grids, t=translator("en" if lang == "en" else "zh"))


async def test_the_macro_greys_holidays_and_says_their_status(pool):
    grids = await month_grids(pool, date(2025, 9, 1), 2, today=date(2025, 9, 30))
    html = _render(grids, "zh")
    seen = _Cells()
    seen.feed(html)
    assert len(seen.cells) == 30 + 31
    attrs, text = seen.cells["2025-10-01"]
    assert "holiday" in attrs["class"].split() and "法定节假日：国庆节" in text and "休" in text
    attrs, text = seen.cells["2025-10-11"]
    assert "makeup" in attrs["class"].split() and "调休上班（国庆节）" in text
    attrs, text = seen.cells["2025-09-30"]
    assert attrs.get("aria-current") == "date" and "today" in attrs["class"].split() and "今天" in text
    assert "工作日" in text
    assert [h.get("scope") for h in seen.headers] == ["col"] * 14
    assert '<abbr title="星期一">一</abbr>' in html and "<caption>2025年10月" in html
    assert "<li>国庆节：1–5日、7–8日</li>" in html
    assert "暂定" not in html
    english = _render(grids, "en")
    assert "Public holiday: National Day" in english and "<caption>October 2025" in english


async def test_the_macro_says_a_month_is_provisional(pool):
    year = max((await current_table(pool)).years) + 1
    html = _render(await month_grids(pool, date(year, 1, 1), 1), "zh")
    assert "暂定" in html and "尚未录入" in html and 'class="calendar provisional"' in html


@pytest.mark.slow
async def test_the_calendar_as_a_person_sees_it(pool, tmp_path: Path):
    """Drawn by Chromium with the pages' CSS at desktop and phone widths; screenshots kept to look at."""
    uncovered = max((await current_table(pool)).years) + 1
    grids = [*await month_grids(pool, date(2025, 9, 1), 2, today=date(2025, 9, 30)),
             *await month_grids(pool, date(uncovered, 1, 1), 1)]
    css = (STATIC / "pages.css").read_text(encoding="utf-8")
    async with browsing("http://127.0.0.1", tmp_path) as browser:
        for lang in ("zh", "en"):
            for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                tab = await browser.page(viewport=viewport, javascript=False)
                await tab.set_content(f'<html lang="{lang}"><head><style>{css}</style></head><body><main>'
                                      f"{_render(grids, lang)}</main></body></html>")
                cell = tab.locator('td[data-date="2025-10-01"]')
                assert await cell.evaluate("c => getComputedStyle(c).backgroundColor") == "rgb(214, 214, 214)"
                working = tab.locator('td[data-date="2025-10-09"]')
                assert await working.evaluate("c => getComputedStyle(c).backgroundColor") == "rgb(255, 255, 255)"
                width = await tab.evaluate("document.documentElement.scrollWidth")
                assert width <= viewport["width"], f"{name} {lang}: scrolls sideways ({width}px)"
                await browser.screenshot(tab, f"calendar-{lang}-{name}")
        browser.assert_clean()
