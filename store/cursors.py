"""The cursor of a keyset page (issue 13): the last row's sort key, opaque to the client, so the next
page starts after it whatever was added or removed meanwhile."""

from __future__ import annotations

import base64
import json
from typing import Any

from schemas.errors import InvalidInput


def encode(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def decode(cursor: str, size: int) -> list[Any]:
    """The key ``encode`` gave, of ``size`` parts; anything else is bad input (422)."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError as exc:
        raise InvalidInput("the cursor is not one this list gave (use the Link header's as it came)") from exc
    if not isinstance(key, list) or len(key) != size:
        raise InvalidInput("the cursor is not one this list gave (use the Link header's as it came)")
    return key
