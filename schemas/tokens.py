"""A staff member's bearer token as the administrator sees it: when it was issued, until when it lets
its holder in, whether it was revoked, and when it last did. The token itself is shown once, when it is
issued (:class:`IssuedToken`); the register keeps only its hash."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from schemas.base import NonBlankLine, Record
from schemas.text import Line

# The shipped lifetime of a token (CERTFLOW_TOKEN_LIFETIME_DAYS); migration 0008 gives the tokens issued
# before it the same lifetime, counted from the migration.
DEFAULT_TOKEN_LIFETIME_DAYS = 90


class TokenStatus(StrEnum):
    """Why a token does or does not let its holder in, in the order it is checked."""

    VALID = "valid"
    NONE = "none"  # no token was ever issued (or the register holds none)
    INACTIVE = "inactive"  # the holder was deactivated: no token of theirs works
    REVOKED = "revoked"
    EXPIRED = "expired"


class TokenState(Record):
    """One staff member's token, without the token: what an administrator needs to decide whether to
    rotate, revoke or deactivate."""

    staff_id: UUID
    name: NonBlankLine
    active: bool
    status: TokenStatus
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class IssuedToken(Record):
    """A new token, shown only in this answer: keep it, the register cannot show it again."""

    staff_id: UUID
    token: Line
    expires_at: datetime
