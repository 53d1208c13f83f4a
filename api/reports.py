"""Reports for the certification authority: the monthly list of certificates and their status (CNCA),
due by the 10th of the following month."""

from __future__ import annotations

from datetime import date
from typing import Literal

import asyncpg
from fastapi import APIRouter, Depends, Query, Response

from api.auth import db
from api.permissions import Action, permitted
from api.report_formats import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, filename, to_csv, to_xlsx
from api.tasks import today
from schemas.reports import month_end, parse_month
from schemas.tasking import Actor
from store.reports import cnca_rows

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


@router.get(
    "/cnca",
    summary="the regulator's monthly report of certificates and their status, as CSV or XLSX",
    response_class=Response,
    responses={200: {"content": {CSV_MEDIA_TYPE: {}, XLSX_MEDIA_TYPE: {}},
                     "description": "the report; a month still running is reported up to today "
                                    "(see the X-Report-Period header)"}},
)
async def cnca(
    month: str = Query(..., description="the month reported, YYYY-MM (Asia/Shanghai)", examples=["2026-11"],
                       # the years the register keeps (schemas.reports): told in the document; parse_month
                       # refuses anything else with a message that says how a month is written
                       json_schema_extra={"pattern": r"^(2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])$"}),
    fmt: Literal["csv", "xlsx"] = Query("csv", alias="format", description="csv (UTF-8 with BOM) or xlsx"),
    actor: Actor = Depends(permitted(Action.READ_CNCA_REPORT)),
    pool: asyncpg.Pool = Depends(db),
    day: date = Depends(today),
) -> Response:
    """The certification authority's monthly report (CNCA): every certificate and its status for the month,
    as CSV (UTF-8 with BOM) or XLSX; due by the 10th of the following month."""
    first = parse_month(month)  # InvalidInput → 422 problem+json
    rows = await cnca_rows(pool, first, as_of=day)
    content = to_csv(rows) if fmt == "csv" else to_xlsx(rows, first)
    last = min(day, month_end(first))
    return Response(
        content=content,
        media_type=CSV_MEDIA_TYPE if fmt == "csv" else XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename(first, fmt)}"',
                 # The days covered: the whole month, or up to today while it runs (ISO 8601 interval).
                 "X-Report-Period": f"{first.isoformat()}/{last.isoformat()}"},
    )
