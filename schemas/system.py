"""Models of the system's own plumbing (health, smoke checks)."""

from __future__ import annotations

from pydantic import BaseModel

from schemas.text import Line


class SmokeInput(BaseModel):
    """What the smoke workflow is asked to prove: that a worker polls and reaches the register."""

    label: Line = "smoke"


class RegisterStatus(BaseModel):
    migrations: list[int]
    organizations: int


class SmokeResult(BaseModel):
    label: Line
    status: RegisterStatus
