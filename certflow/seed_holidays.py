"""Regenerate ``rules/data/holidays_cn.json`` from the ``chinese_calendar`` package.

The working-day rules (RULES.md "Dates") read only the JSON, so that the holiday table is a reviewed
file in the repository and a year the package does not know is never guessed at run time. Run
``python -m certflow.seed_holidays`` after upgrading ``chinese-calendar`` (a dev dependency, hence
imported only here and in one test) and review the diff; ``--check`` fails when the file is stale.
Years published after the package (2027 onwards) are entered by the body in the database instead.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "rules" / "data" / "holidays_cn.json"


def _covered_years() -> list[int]:
    from chinese_calendar.constants import holidays

    first, last = min(holidays).year, max(holidays).year
    return list(range(first, last + 1))


def build_table() -> dict[str, Any]:
    """Ask the package about every day of every year it covers, through its public API only."""
    import chinese_calendar

    years = _covered_years()
    off_days: dict[str, str] = {}
    working_days: dict[str, str] = {}
    day, end = date(years[0], 1, 1), date(years[-1], 12, 31)
    while day <= end:
        works = chinese_calendar.is_workday(day)
        _, name = chinese_calendar.get_holiday_detail(day)
        if not works and name is not None:
            off_days[day.isoformat()] = name
        elif works and day.weekday() >= 5:
            working_days[day.isoformat()] = name or "make-up working day"
        day += timedelta(days=1)
    return {
        "source": f"chinese_calendar {getattr(chinese_calendar, '__version__', '?')}, via certflow.seed_holidays",
        "first_year": years[0],
        "last_year": years[-1],
        "off_days": off_days,
        "working_days": working_days,
    }


def render(table: dict[str, Any]) -> str:
    # One date per line so that a regenerated file reviews as a readable diff.
    return json.dumps(table, indent=1, ensure_ascii=False, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m certflow.seed_holidays", description=__doc__)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file differs, write nothing")
    args = parser.parse_args(argv)
    text = render(build_table())
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: run python -m certflow.seed_holidays", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
