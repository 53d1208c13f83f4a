"""Activities tell bad input and broken rules from transient faults, once for all of them.

Temporal retries an activity that raises until it succeeds (the default policy has no limit). That is
right for a database that is restarting or a mail server that is busy, and wrong for certflow's own
errors: an ``InvalidInput``, ``RuleViolation``, ``DataMissing``, ``NotFound`` or ``Conflict`` says the
same thing on every attempt, so retrying them stalls the process for ever without a word (issue 12,
finding 4: ``rate()`` refusing unassessed items inside ``record_onsite_results``). The interceptor turns
each into a non-retryable ``ApplicationError`` whose ``type`` is the error's class name and whose details
carry the message, the rule id and the error's details, so the workflow, the Temporal UI and an operator
see at once what was refused and under which rule (DESIGN.md "Failures"). A pydantic ``ValidationError``
raised inside an activity (a model built from what it was given) is the same kind of fault: the same
input fails the same way, so it is final too. Anything else (asyncpg's connection errors, timeouts,
...) is left as it is and retried with backoff.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from temporalio.exceptions import ApplicationError
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)

from schemas.errors import CertflowError


def business_failure(exc: CertflowError) -> ApplicationError:
    """The non-retryable form of one of certflow's own errors, named by its class, with its rule id."""
    detail = {"error": type(exc).__name__, "message": exc.message, "rule_id": exc.rule_id,
              "details": exc.details}
    return ApplicationError(exc.message, detail, type=type(exc).__name__, non_retryable=True)


def invalid_model(exc: ValidationError) -> ApplicationError:
    """The non-retryable form of a model that refused what an activity built it from."""
    errors = [{"loc": [str(p) for p in e["loc"]], "msg": e["msg"]} for e in exc.errors()]
    detail = {"error": "ValidationError", "message": str(exc), "rule_id": None, "details": {"errors": errors}}
    return ApplicationError(f"{exc.title}: {exc.error_count()} invalid value(s)", detail, type="ValidationError",
                            non_retryable=True)


class _RefuseWithoutRetry(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        try:
            return await self.next.execute_activity(input)
        except CertflowError as exc:
            raise business_failure(exc) from exc
        except ValidationError as exc:
            raise invalid_model(exc) from exc


class BusinessErrorsAreFinal(Interceptor):
    """Worker interceptor: certflow's own errors raised by any activity fail it once, not for ever."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _RefuseWithoutRetry(next)
