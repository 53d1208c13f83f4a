"""Organizations (applicants, later certified organizations) and their sites (R-9.1.1 basic data)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, Field

from schemas.base import NonBlankLine, Record
from schemas.text import JsonObject, Line, Text

# 统一社会信用代码 (GB 32100-2015): 18 characters from digits and the upper-case letters without I, O,
# S, V, Z. The same pattern as the register's CHECK on organizations.credit_code, so that a bad code is
# refused at the edge with a readable message instead of as a constraint violation in an activity.
# Like the CHECK, the check digit is not verified.
CREDIT_CODE_PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")


def _credit_code(value: str) -> str:
    if not CREDIT_CODE_PATTERN.fullmatch(value):
        raise ValueError(
            "a unified social credit code is 18 characters: digits and upper-case letters other than I, O, S, V, Z"
        )
    return value


CreditCode = Annotated[Line, AfterValidator(_credit_code),
                       Field(json_schema_extra={"pattern": CREDIT_CODE_PATTERN.pattern})]


class Organization(Record):
    """An organization as the register knows it; its id is chosen by the caller (the application step)
    so that recording it again after a retry finds the same row."""

    id: UUID
    name: NonBlankLine
    credit_code: CreditCode
    registered_address: Text = ""
    postcode: Line = ""
    contact: JsonObject = Field(default_factory=dict)
    # Set by the register; None on a model that has not been stored yet.
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Site(Record):
    """A physical location of the organization; its headcount feeds the audit time (Appendix A)."""

    id: UUID
    organization_id: UUID
    name: NonBlankLine
    address: Text = ""
    postcode: Line = ""
    headcount: int = Field(gt=0)
    created_at: datetime | None = None
