"""Errors shared by every layer.

A business refusal always names the scheme rule that refused (``rule_id``, e.g. ``R-9.1.6``), so the
API can put it into a problem+json body and a reviewer can look the clause up. Bad input that no rule
speaks to is an ``InvalidInput``: the caller sent something malformed.
"""

from __future__ import annotations

from typing import Any


class CertflowError(Exception):
    """Base of certflow's own errors; ``message`` is written for the person who will read it, and
    ``rule_id`` names the clause of the scheme the refusal rests on when there is one (an activity's
    error carries it into Temporal, workers/errors.py)."""

    rule_id: str | None = None

    def __init__(self, message: str, *, details: dict[str, Any] | None = None, rule_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if rule_id is not None:
            self.rule_id = rule_id


class InvalidInput(CertflowError, ValueError):
    """The input is malformed (wrong type, out of range, missing fields): HTTP 422, with the rule id when
    the shape is the scheme's (e.g. R-6: every item of the catalogue assessed once)."""


class RuleViolation(CertflowError, ValueError):
    """The input is well formed but a rule of the scheme forbids it: HTTP 422 (or 409) with the rule id."""

    def __init__(self, rule_id: str, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(f"{message} ({rule_id})", details=details)
        self.rule_id = rule_id
        self.reason = message


class DataMissing(CertflowError, LookupError):
    """Reference data the rule needs is not there (e.g. a holiday table year): never guessed silently."""


class NotFound(CertflowError, LookupError):
    """The record asked for is not in the register (no such task, certificate, ...): HTTP 404."""


class Conflict(CertflowError):
    """The request clashes with the register's state (a task already completed by someone else, a key
    already taken by another record): HTTP 409. Retrying the same request will not help."""
