"""The regulator's monthly report: every certificate the certification authority (CNCA) must hear about
for a month, with its status and what happened to it in that month (R-9.6.8 statuses, R-10 content).

The words are the register's (``CertStatus``, ``StarLevel``) put into the Chinese the regulator reads,
with the English beside them; how each field is derived from the register is ``store/reports.py``'s.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator

from schemas.base import NonBlankLine, Record
from schemas.certificates import CertStatus, StarLevel
from schemas.errors import InvalidInput
from schemas.text import Line, Text


class MonthEvent(StrEnum):
    """What happened to a certificate in the month, as the regulator counts it.

    ``valid`` is "nothing changed, and it was valid for at least part of the month"; a certificate that
    stayed suspended the whole month is listed with ``suspended`` and no event date (its suspension is
    public, R-9.6.4), so that the regulator does not lose sight of it."""

    ISSUED = "issued"
    REISSUED = "reissued"  # a change (变更): reissue or scope reduction
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"  # 注销: validity ended, or cancelled before it
    VALID = "valid"


STAR_LEVEL_ZH = {
    StarLevel.COMPLIANT: "达标级",
    StarLevel.THREE_STAR: "三星级",
    StarLevel.FOUR_STAR: "四星级",
    StarLevel.FIVE_STAR: "五星级",
}
STAR_LEVEL_EN = {
    StarLevel.COMPLIANT: "compliant",
    StarLevel.THREE_STAR: "three-star",
    StarLevel.FOUR_STAR: "four-star",
    StarLevel.FIVE_STAR: "five-star",
}
# The same words as the public register (api/public.py), R-9.6.8; 注销 covers expiry and cancellation.
STATUS_ZH = {
    CertStatus.VALID: "有效",
    CertStatus.SUSPENDED: "暂停",
    CertStatus.WITHDRAWN: "撤销",
    CertStatus.SCOPE_REDUCED: "缩小认证范围",
    CertStatus.EXPIRED: "注销",
}
STATUS_EN = {
    CertStatus.VALID: "valid",
    CertStatus.SUSPENDED: "suspended",
    CertStatus.WITHDRAWN: "withdrawn",
    CertStatus.SCOPE_REDUCED: "scope reduced",
    CertStatus.EXPIRED: "expired",
}
EVENT_ZH = {
    MonthEvent.ISSUED: "新发证",
    MonthEvent.REISSUED: "变更换证",
    MonthEvent.SUSPENDED: "暂停",
    MonthEvent.WITHDRAWN: "撤销",
    MonthEvent.EXPIRED: "注销",
    MonthEvent.VALID: "有效",
}


def _report_number(value: str) -> str:
    """The regulator's form of a number: upper case, no spaces (the register's numbers already are;
    this keeps the report right even if a pattern ever changes, R-10.3.2)."""
    return "".join(value.split()).upper()


ReportNumber = Annotated[Line, AfterValidator(_report_number)]


class MonthHappening(Record):
    """One thing that happened to a certificate on a day of the month."""

    event: MonthEvent
    on: date


class CncaRow(Record):
    """One certificate in the month's report. Dates and scope are the register's current ones (the
    register keeps the current validity cycle only); ``status`` is the status at the end of the month."""

    number: ReportNumber
    organization_name: NonBlankLine
    credit_code: Line
    scope: Text
    star_level: StarLevel
    issued_on: date
    reissued_on: date | None = None
    valid_from: date
    valid_to: date
    status: CertStatus
    event: MonthEvent
    event_on: date | None = None  # None when nothing happened on a day of the month (valid, still suspended)
    happenings: tuple[MonthHappening, ...] = ()  # everything that happened in the month, in order

    @property
    def star_level_zh(self) -> str:
        return STAR_LEVEL_ZH[self.star_level]

    @property
    def star_level_en(self) -> str:
        return STAR_LEVEL_EN[self.star_level]

    @property
    def status_zh(self) -> str:
        return STATUS_ZH[self.status]

    @property
    def status_en(self) -> str:
        return STATUS_EN[self.status]

    @property
    def event_zh(self) -> str:
        return EVENT_ZH[self.event]

    @property
    def event_en(self) -> str:
        return self.event.value


# The years the register's dates live in (as holiday_years); a month outside them is a typing mistake.
FIRST_YEAR, LAST_YEAR = 2000, 2200
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> date:
    """``"2026-11"`` → ``date(2026, 11, 1)``; anything else is ``InvalidInput`` with a plain message."""
    found = _MONTH.fullmatch(text.strip()) if isinstance(text, str) else None
    if found is None or not 1 <= int(found[2]) <= 12:
        raise InvalidInput(f"the month is written YYYY-MM, e.g. 2026-11; {text!r} is not a month",
                           details={"month": text})
    if not FIRST_YEAR <= int(found[1]) <= LAST_YEAR:
        raise InvalidInput(f"{text.strip()} is outside the years the register keeps ({FIRST_YEAR}–{LAST_YEAR})",
                           details={"month": text})
    return date(int(found[1]), int(found[2]), 1)


def month_label(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def month_end(month: date) -> date:
    """The last day of ``month`` (any day of it)."""
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
