"""GET /api/v1/reports/cnca: the regulator's monthly report as CSV (UTF-8 with BOM, Chinese headers) or
XLSX, for operators and managers; a malformed month is a 422 problem."""

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from api.report_formats import COLUMNS
from api.tasks import today
from schemas.certificates import CertStatus
from schemas.staff import Role
from store.certificates import (
    set_status,
)
from store.events import append_event
from store.reports import cnca_rows

from ..conftest import certificate_in_register

PROBLEM = "application/problem+json"
SHANGHAI = ZoneInfo("Asia/Shanghai")
URL = "/api/v1/reports/cnca"


async def certify(pool, number: str, name: str, code: str, issued_on: date, valid_to: date) -> None:
    await certificate_in_register(pool, number, issued_on, valid_to, credit_code=code, name=name)


@pytest.fixture
async def register(pool, app):
    """November 2026: one issued, one suspended, one valid throughout (its organization's name looks like a
    spreadsheet formula); 'today' is 3 December."""
    await certify(pool, "CCS2026-0001", "上海新发呼叫中心有限公司", "91310000MA1FL00011", date(2026, 11, 3),
                  date(2029, 11, 2))
    await certify(pool, "CCS2025-0002", "北京暂停客服有限公司", "91110000MA1FL00022", date(2025, 1, 10),
                  date(2028, 1, 9))
    await append_event(pool, "t/suspended", datetime(2026, 11, 20, 9, 30, tzinfo=SHANGHAI), "system",
                       "certificate.suspended", subject="CCS2025-0002")
    await set_status(pool, "CCS2025-0002", CertStatus.SUSPENDED, suspended_until=date(2027, 5, 20))
    await certify(pool, "CCS2025-0003", '=HYPERLINK("http://evil.example","点击")', "91440000MA1FL00033",
                  date(2025, 3, 2), date(2028, 3, 1))
    app.dependency_overrides[today] = lambda: date(2026, 12, 3)


async def test_csv_opens_in_excel_and_reads_back_as_the_register(http, staff, pool, register):
    _, token = await staff(Role.OPERATOR)
    response = await http.get(URL, params={"month": "2026-11"}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="cnca-2026-11.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8 Chinese
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert table[0][:3] == ["证书编号 (Certificate number)", "获证组织名称 (Organization name)",
                            "统一社会信用代码 (Unified social credit code)"]
    assert table[0] == [c.header for c in COLUMNS]
    records = [dict(zip([c.en for c in COLUMNS], line, strict=True)) for line in table[1:]]
    expected = await cnca_rows(pool, date(2026, 11, 1))
    assert [r["Certificate number"] for r in records] == [r.number for r in expected] == [
        "CCS2025-0002", "CCS2025-0003", "CCS2026-0001"]
    first = records[2]
    assert first == {
        "Certificate number": "CCS2026-0001", "Organization name": "上海新发呼叫中心有限公司",
        "Unified social credit code": "91310000MA1FL00011", "Scope": "呼叫中心客户服务", "Star level": "三星级",
        "Star level in English": "three-star", "Issue date": "2026-11-03", "Reissue date": "",
        "Valid from": "2026-11-03", "Valid to": "2029-11-02", "Status": "有效", "Status in English": "valid",
        "Event of the month": "新发证", "Event of the month in English": "issued", "Event date": "2026-11-03",
        "All events of the month": "2026-11-03 新发证 issued",
    }
    suspended = records[0]
    assert (suspended["Status"], suspended["Event of the month in English"], suspended["Event date"]) == (
        "暂停", "suspended", "2026-11-20")
    assert records[1]["Organization name"].startswith("'=HYPERLINK")  # text, never a formula
    assert (records[1]["Event of the month"], records[1]["Event date"]) == ("有效", "")
    assert response.headers["x-report-period"] == "2026-11-01/2026-11-30"


async def test_xlsx_has_its_sheet_title_a_frozen_header_and_dates_as_dates(http, staff, register):
    _, token = await staff(Role.MANAGER)
    response = await http.get(URL, params={"month": "2026-11", "format": "xlsx"},
                              headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["content-disposition"] == 'attachment; filename="cnca-2026-11.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "认证证书月报 2026-11"
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == [c.header for c in COLUMNS]
    assert sheet[1][0].font.bold
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    assert set(rows) == {"CCS2025-0002", "CCS2025-0003", "CCS2026-0001"}
    issued = {c.en: cell for c, cell in zip(COLUMNS, rows["CCS2026-0001"], strict=True)}
    assert issued["Issue date"].is_date and issued["Issue date"].value.date() == date(2026, 11, 3)
    assert issued["Valid to"].value.date() == date(2029, 11, 2)
    assert issued["Issue date"].number_format == "yyyy-mm-dd"
    assert issued["Reissue date"].value is None
    assert (issued["Star level"].value, issued["Status"].value, issued["Event of the month"].value) == (
        "三星级", "有效", "新发证")
    formula = {c.en: cell for c, cell in zip(COLUMNS, rows["CCS2025-0003"], strict=True)}["Organization name"]
    assert formula.data_type == "s" and formula.value.startswith("=HYPERLINK")  # shown, never evaluated
    widths = [sheet.column_dimensions[chr(ord("A") + i)].width for i in range(len(COLUMNS))]
    assert all(w and w >= 10 for w in widths)
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width  # Chinese names are wide


async def test_a_reviewer_may_not_and_nobody_without_a_token(http, staff, register):
    _, token = await staff(Role.REVIEWER)
    response = await http.get(URL, params={"month": "2026-11"}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403 and response.headers["content-type"] == PROBLEM
    assert (await http.get(URL, params={"month": "2026-11"})).status_code == 401


@pytest.mark.parametrize("params", [{"month": "2026-13"}, {"month": "2026-1"}, {"month": "November"}, {},
                                    {"month": "2026-11", "format": "pdf"}, {"month": "1999-12"}])
async def test_a_malformed_request_is_a_422_problem(http, staff, register, params):
    _, token = await staff(Role.OPERATOR)
    response = await http.get(URL, params=params, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM, response.text
    if params.get("month") == "2026-13":
        assert "YYYY-MM" in response.json()["detail"]


async def test_a_month_not_begun_is_refused_and_one_running_is_reported_to_today(http, staff, register, app):
    _, token = await staff(Role.OPERATOR)
    headers = {"Authorization": f"Bearer {token}"}
    response = await http.get(URL, params={"month": "2027-01"}, headers=headers)
    assert response.status_code == 422 and "has not begun" in response.json()["detail"]
    app.dependency_overrides[today] = lambda: date(2026, 11, 12)
    response = await http.get(URL, params={"month": "2026-11"}, headers=headers)
    assert response.status_code == 200 and response.headers["x-report-period"] == "2026-11-01/2026-11-12"
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    status = {r["证书编号 (Certificate number)"]: r["证书状态英文 (Status in English)"] for r in table}
    assert status["CCS2025-0002"] == "valid"  # suspended on the 20th, after today
