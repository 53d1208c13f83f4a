"""Errors as RFC 9457 ``application/problem+json``, with the rule id when a rule of the scheme refused.

Nothing a client sends may come back as a 500: malformed input is 422, a rule's refusal is 422 (or
the status the raiser chose) with ``rule_id``, and only our own faults are 500.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from temporalio.service import RPCError, RPCStatusCode

from certflow.logging import get_logger
from schemas.errors import CertflowError, Conflict, DataMissing, InvalidInput, NotFound, RuleViolation

log = get_logger(__name__)

PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    """Raise from an endpoint to answer with a problem document."""

    def __init__(self, status: int, detail: str, *, title: str | None = None, rule_id: str | None = None,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or HTTPStatus(status).phrase
        self.rule_id = rule_id
        self.headers = headers
        self.extra = extra


def printable(value: Any) -> Any:
    """``value`` with every string made encodable as UTF-8: a lone surrogate a client sent (JSON lets
    one write ``"\\ud800"``) is shown as the escape it came as, so that a problem document about bad text
    can itself always be sent (it used to be a 500 while rendering the 422)."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {printable(k): printable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [printable(v) for v in value]
    return value


def problem_response(status: int, detail: str, *, title: str | None = None, rule_id: str | None = None,
                     instance: str | None = None, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title or HTTPStatus(status).phrase,
                            "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    if rule_id:
        body["rule_id"] = rule_id
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(printable(body), status_code=status, media_type=PROBLEM_JSON, headers=headers)


# What asyncpg raises when PostgreSQL is not there: refused or lost connections (OSError, class 08),
# a server shutting down or starting up (class 57), a connection dropped under a query.
REGISTER_UNAVAILABLE: tuple[type[Exception], ...] = (
    OSError, asyncpg.PostgresConnectionError, asyncpg.OperatorInterventionError,
    asyncpg.ConnectionDoesNotExistError,
)


def retry_after(request: Request) -> dict[str, str]:
    return {"Retry-After": str(request.app.state.settings.unavailable_retry_after)}


def too_large_for_engine(exc: RPCError) -> bool:
    """gRPC's message limit, or Temporal's own blob size limit: the payload, not the engine, is the problem."""
    text = exc.message.lower()
    return exc.status in (RPCStatusCode.RESOURCE_EXHAUSTED, RPCStatusCode.INVALID_ARGUMENT) and (
        "larger than max" in text or "exceeds limit" in text or "too large" in text)


def install_problem_handlers(app: FastAPI) -> None:
    install_unavailable_handlers(app)
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.detail, title=exc.title, rule_id=exc.rule_id,
                                instance=request.url.path, headers=exc.headers, **exc.extra)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:  # Starlette names the methods of one route; a path may have several
            headers = {**(headers or {}), "Allow": ", ".join(_methods_at(request))}
        return problem_response(exc.status_code, str(exc.detail), instance=request.url.path, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
                  for e in exc.errors()]
        where = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors)
        return problem_response(422, f"The request is not valid: {where}", instance=request.url.path, errors=errors)

    @app.exception_handler(RuleViolation)
    async def _rule(request: Request, exc: RuleViolation) -> JSONResponse:
        return problem_response(422, exc.message, title="Refused by a rule of the scheme", rule_id=exc.rule_id,
                                instance=request.url.path, details=exc.details or None)

    @app.exception_handler(InvalidInput)
    async def _invalid(request: Request, exc: InvalidInput) -> JSONResponse:
        return problem_response(422, exc.message, rule_id=exc.rule_id, instance=request.url.path,
                                details=exc.details or None)

    @app.exception_handler(asyncpg.DataError)
    async def _unstorable(request: Request, exc: asyncpg.DataError) -> JSONResponse:
        # The API only reads the register with what the client sent; a value PostgreSQL cannot take
        # as a query argument (a number beyond 64 bits, text it cannot encode) is the client's, not ours.
        # The checks at the edge (schemas.text, api.text_guard, parameter bounds) should come first;
        # this is the net under them, so that it is never a 500.
        log.warning("api.unstorable_input", path=request.url.path, error=str(exc))
        return problem_response(422, "The request holds a value the register cannot take: "
                                f"{exc.__class__.__name__}: {exc}", instance=request.url.path)

    @app.exception_handler(DataMissing)
    async def _missing(request: Request, exc: DataMissing) -> JSONResponse:
        return problem_response(409, exc.message, instance=request.url.path, details=exc.details or None)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> JSONResponse:
        return problem_response(404, exc.message, instance=request.url.path)

    @app.exception_handler(Conflict)
    async def _conflict(request: Request, exc: Conflict) -> JSONResponse:
        return problem_response(409, exc.message, instance=request.url.path, details=exc.details or None)

    @app.exception_handler(CertflowError)
    async def _other(request: Request, exc: CertflowError) -> JSONResponse:
        return problem_response(400, exc.message, instance=request.url.path)


def install_unavailable_handlers(app: FastAPI) -> None:
    """503 with Retry-After when the register or the process engine is away, whatever endpoint met it:
    the request changed nothing and may be repeated as it was. The cause's text stays in the log (it
    names internal addresses)."""

    async def _register(request: Request, exc: Exception) -> JSONResponse:
        log.warning("api.register_unavailable", path=request.url.path, error=f"{type(exc).__name__}: {exc}")
        return problem_response(503, "The register is not reachable just now; nothing was changed. "
                                "Please try again in a moment.", title="Register unavailable",
                                instance=request.url.path, headers=retry_after(request))

    for kind in REGISTER_UNAVAILABLE:
        app.add_exception_handler(kind, _register)

    @app.exception_handler(RPCError)
    async def _engine(request: Request, exc: RPCError) -> JSONResponse:
        if too_large_for_engine(exc):
            return problem_response(413, "The request is too large for the process engine to take.",
                                    instance=request.url.path)
        log.warning("api.engine_unavailable", path=request.url.path, error=f"{exc.status}: {exc.message}")
        return problem_response(503, "The process engine did not answer; nothing was changed. Please try again "
                                "in a moment.", title="Process engine unavailable", instance=request.url.path,
                                headers=retry_after(request))


def _methods_at(request: Request) -> list[str]:
    """The methods the routes of this request's path answer (the Allow of a 405): of the templates that
    match it, the most specific one's (``/tasks/{id}/complete`` before ``/tasks/{id:path}``), all of
    its methods (a list's GET and its POST are two routes)."""
    by_template: dict[str, set[str]] = {}
    for route in iter_route_contexts(request.app.routes):  # through the included routers
        path_regex, methods = getattr(route, "path_regex", None), getattr(route, "methods", None)
        template = route.path_format
        if template is not None and path_regex is not None and methods and path_regex.match(request.url.path):
            by_template.setdefault(template, set()).update(methods)
    if not by_template:
        return []
    specific = max(by_template, key=lambda template: len(re.sub(r"\{[^}]*\}", "", template)))
    return sorted(by_template[specific])
