"""The regulator's monthly report as files: CSV and XLSX bytes from ``CncaRow``s, nothing else.

No I/O and no decisions here (which certificates, which event: ``store/reports.py``): one list of
columns, Chinese headers with the English in brackets, written the same way to both formats.

Organization names and scopes come from applicants. A spreadsheet treats a cell starting with ``=``
(and in CSV also ``+``, ``-``, ``@``) as a formula, so such a text is written as text: in XLSX by the
cell's type, in CSV with a leading apostrophe (OWASP "CSV injection"), which Excel does not show.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from schemas.reports import EVENT_ZH, CncaRow, month_label

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
DATE_FORMAT = "yyyy-mm-dd"


@dataclass(frozen=True)
class Column:
    zh: str
    en: str
    value: Callable[[CncaRow], str | date | None]

    @property
    def header(self) -> str:
        return f"{self.zh} ({self.en})"


def _happenings(row: CncaRow) -> str:
    return "; ".join(f"{h.on.isoformat()} {EVENT_ZH[h.event]} {h.event.value}" for h in row.happenings)


COLUMNS: tuple[Column, ...] = (
    Column("证书编号", "Certificate number", lambda r: r.number),
    Column("获证组织名称", "Organization name", lambda r: r.organization_name),
    Column("统一社会信用代码", "Unified social credit code", lambda r: r.credit_code),
    Column("认证范围", "Scope", lambda r: r.scope),
    Column("服务等级", "Star level", lambda r: r.star_level_zh),
    Column("服务等级英文", "Star level in English", lambda r: r.star_level_en),
    Column("颁证日期", "Issue date", lambda r: r.issued_on),
    Column("换证日期", "Reissue date", lambda r: r.reissued_on),
    Column("有效期起", "Valid from", lambda r: r.valid_from),
    Column("有效期止", "Valid to", lambda r: r.valid_to),
    Column("证书状态", "Status", lambda r: r.status_zh),
    Column("证书状态英文", "Status in English", lambda r: r.status_en),
    Column("本月事项", "Event of the month", lambda r: r.event_zh),
    Column("本月事项英文", "Event of the month in English", lambda r: r.event_en),
    Column("事项日期", "Event date", lambda r: r.event_on),
    Column("本月全部事项", "All events of the month", _happenings),
)


def header() -> list[str]:
    return [c.header for c in COLUMNS]


def filename(month: date, fmt: str) -> str:
    """``cnca-2026-11.csv``: the name the download and ``--output`` suggest."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    return f"cnca-{month_label(month)}.{fmt}"


def sheet_title(month: date) -> str:
    return f"认证证书月报 {month_label(month)}"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value: str | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return "'" + value if value.startswith(_FORMULA_START) else value


def to_csv(rows: Sequence[CncaRow]) -> bytes:
    """UTF-8 with a byte order mark (Excel then reads the Chinese right), CRLF lines, dates as YYYY-MM-DD."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, dialect="excel")
    writer.writerow(header())
    for row in rows:
        writer.writerow([_csv_text(c.value(row)) for c in COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def _display_width(text: str) -> int:
    """Columns a text takes: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def to_xlsx(rows: Sequence[CncaRow], month: date) -> bytes:
    """One sheet, 认证证书月报 YYYY-MM: a bold, frozen header row with a filter, dates as dates, widths to fit."""
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook opens on one worksheet
    sheet.title = sheet_title(month)
    sheet.append(header())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    widths = [_display_width(c.header) for c in COLUMNS]
    for r, row in enumerate(rows, start=2):
        for i, column in enumerate(COLUMNS):
            value = column.value(row)
            cell = sheet.cell(row=r, column=i + 1)
            if isinstance(value, date):
                cell.value = value
                cell.number_format = DATE_FORMAT
                widths[i] = max(widths[i], len(DATE_FORMAT))
            elif value is not None:
                cell.value = value
                cell.data_type = "s"  # never a formula, whatever an applicant typed (see the module's note)
                widths[i] = max(widths[i], _display_width(value))
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(max(width, 8) + 2, 60)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(len(rows) + 1, 1)}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
