"""The bounds every list endpoint shares for its page: one definition, so no list takes a page size
or an offset another refuses (issue 13: bounded query parameters are 422, never a 500 from the
register).

``MAX_PAGE`` keeps one answer to a size a client and the register serve quickly; ``MAX_OFFSET`` is
PostgreSQL's ``bigint``: an offset beyond it cannot be asked of the register at all, and below it an
offset past the end is simply an empty page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

DEFAULT_PAGE = 50
MAX_PAGE = 500
MAX_OFFSET = 2**63 - 1

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"how many rows at most (1–{MAX_PAGE})")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="how many rows to skip")]
