"""The OpenAPI document, completed in one place from what each route depends on.

FastAPI documents only the 200 and its own 422 (as ``application/json``, while the API answers every
error as ``application/problem+json``: api/problems.py). Rather than list error codes by hand on each
route, where they would drift, :func:`complete_openapi` reads them from the route itself:

- a token (``current_actor``) → 401; a role from the permission matrix (``permitted``) → 403, and
  the description names the roles allowed (api/permissions.py, so the document cannot disagree);
- an id in the path → 404; a change (any method but GET) → 409, the state that may forbid it;
- a body → 400 (not JSON at all); parameters or a body → 422;
- the register or Temporal read (``db``, ``temporal``) → 503.

Every request body gets its example from api/openapi_examples.py, every JSON answer one built from its
model (api/openapi_answers.py). Swagger UI is served from the
pinned ``swagger-ui-dist`` package (web/package.json) so ``/docs`` works without the internet.
"""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.staticfiles import StaticFiles

from api.auth import current_actor, db, temporal
from api.openapi_answers import answer_example
from api.openapi_examples import example_for
from api.permissions import Action, permission_matrix
from api.problems import PROBLEM_JSON

SWAGGER_UI_DIR = Path(__file__).resolve().parent.parent / "web" / "node_modules" / "swagger-ui-dist"
SWAGGER_UI_URL = "/static/swagger-ui"

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "An error (RFC 9457), with the rule of the scheme that refused when one did.",
    "properties": {
        "type": {"type": "string", "description": "a URI naming the kind of problem", "default": "about:blank"},
        "title": {"type": "string", "description": "a short summary of the kind of problem"},
        "status": {"type": "integer", "description": "the HTTP status code"},
        "detail": {"type": "string", "description": "what went wrong this time, in words to act on"},
        "instance": {"type": "string", "description": "the path of the request"},
        "rule_id": {"type": "string", "description": "the rule of the scheme that refused (scheme/RULES.md)"},
        "errors": {"type": "array", "items": {"type": "object"},
                   "description": "each invalid input: where (loc) and why (msg)"},
    },
    "required": ["type", "title", "status", "detail"],
    "additionalProperties": True,
}

WHY: dict[int, str] = {
    400: "The body could not be read as JSON (not UTF-8 text, say).",
    401: "No token, or a token that is not valid (unknown, replaced, or its holder is no longer active).",
    403: "The token's holder lacks the role this needs (api/permissions.py).",
    404: "Nothing with that id is in the register.",
    409: "The state of the process or the record does not allow this now.",
    422: "The request is not valid, or a rule of the scheme refused it (see rule_id).",
    413: "The body is larger than the API takes (CERTFLOW_MAX_BODY_BYTES) or than the process engine can carry.",
    429: "Too many requests from this address (the public register), or too many refused tokens; repeat after "
         "Retry-After.",
    503: "The register or the process engine did not answer; repeat after Retry-After.",
}

HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"}},
    429: {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds to wait before repeating"}},
    503: {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds to wait before repeating"}},
}
# Every POST takes an Idempotency-Key (api/idempotency.py), declared as an optional header parameter.
# Its meaning (one key, one request) is beyond a schema: tests/api/schemathesis_hooks.py gives each valid
# key schemathesis draws a fresh value, as a real client does.
IDEMPOTENCY_KEY: dict[str, Any] = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "Makes a repeat safe: sent again with the same key by the same caller, the request starts "
                   "nothing new and the first answer is given again (with `Idempotent-Replayed: true`); the "
                   "same key on a different request is 422. 1–200 printable ASCII characters.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]{1,200}$"},
    "example": "intake-2026-0001",
}
REPLAYED_HEADER: dict[str, Any] = {"Idempotent-Replayed": {
    "schema": {"type": "string", "enum": ["true"]},
    "description": "present when this is the first answer given again for a repeated Idempotency-Key"}}


def api_routes(app: FastAPI) -> Iterator[APIRoute]:
    """The app's documented operations' routes, through the routers it includes (FastAPI keeps an
    included router as one entry of ``app.routes``)."""
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.include_in_schema:
            yield context  # type: ignore[misc]  # the route as included: its full path, its dependencies


def _calls(dependant: Dependant) -> Iterator[Any]:
    """Every callable the route depends on, however deep (a permission check depends on the token's)."""
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def action_of(route: APIRoute) -> Action | None:
    """The matrix's action a route checks: ``permitted`` names its check ``permitted_<action>``."""
    for call in _calls(route.dependant):
        name = getattr(call, "__name__", "")
        if name.startswith("permitted_"):
            return Action[name.removeprefix("permitted_").upper()]
    return None


def error_statuses(route: APIRoute) -> list[int]:
    """The error codes ``route`` can answer, read from its dependencies, path and method."""
    calls = set(_calls(route.dependant))
    statuses: set[int] = {400, 413} if route.dependant.body_params else set()
    if current_actor in calls:
        statuses |= {401, 429}  # 429: the refused-token limit (api/rate_limits.py)
    if route.path_format.startswith("/public/"):
        statuses.add(429)  # the public register's rate limit
    if action_of(route) is not None:
        statuses.add(403)
    if route.dependant.path_params:
        statuses.add(404)
    if (route.methods or set()) - {"GET", "HEAD"}:
        statuses.add(409)
    if route.dependant.path_params or route.dependant.query_params or route.dependant.body_params:
        statuses.add(422)
    if calls & {db, temporal}:
        statuses.add(503)
    return sorted(statuses)


def problem_example(status: int, route: APIRoute) -> dict[str, Any]:
    """What an answer with ``status`` looks like on this route (the detail of a real one says more)."""
    return {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status,
            "detail": WHY[status], "instance": route.path_format}


def _who_may_call(app: FastAPI, route: APIRoute) -> str:
    action = action_of(route)
    if action is None:
        return "No token needed." if current_actor not in set(_calls(route.dependant)) else "Any staff token."
    s = app.state.settings
    roles = permission_matrix(s.intake_roles, s.staff_admin_roles, s.staff_readers)[action]
    return f"Who may call (`{action.value}`): {', '.join(sorted(r.value for r in roles))}."


def _complete_operation(app: FastAPI, route: APIRoute, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    for status in error_statuses(route):
        entry: dict[str, Any] = {"description": WHY[status], "content": {PROBLEM_JSON: {
            "schema": {"$ref": "#/components/schemas/Problem"}, "example": problem_example(status, route)}}}
        if status in HEADERS:
            entry["headers"] = HEADERS[status]
        responses[str(status)] = entry
    said = (operation.get("description") or "").strip()
    if "POST" in (route.methods or ()):
        operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
        for status, answer in responses.items():
            if status.startswith("2"):
                answer.setdefault("headers", {}).update(REPLAYED_HEADER)
    operation["description"] = f"{said}\n\n{_who_may_call(app, route)}".strip()
    for status, answer in responses.items():
        shown = answer.get("content", {}).get("application/json")
        if status.startswith("2") and shown is not None and route.response_model is not None:
            shown.setdefault("example", answer_example(route.response_model))
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body is not None and route.body_field is not None:
        example = example_for(route.body_field.field_info.annotation)
        if example is not None:
            body["example"] = example


def complete_openapi(app: FastAPI) -> dict[str, Any]:
    """``app.openapi()`` with the Problem schema, every error code of every operation, who may call it
    and an example of every body; FastAPI's own validation-error schemas are dropped (never answered)."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = FastAPI.openapi(app)
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Problem"] = PROBLEM_SCHEMA
    for route in api_routes(app):
        for method in route.methods or ():
            operation = schema["paths"].get(route.path_format, {}).get(method.lower())
            if operation is not None:
                _complete_operation(app, route, operation)
    app.openapi_schema = schema
    return schema


def install_openapi(app: FastAPI) -> None:
    """The completed document at /openapi.json and Swagger UI at /docs, from our own /static files."""
    app.openapi = lambda: complete_openapi(app)  # type: ignore[method-assign]
    if SWAGGER_UI_DIR.is_dir():  # installed by make install (web/package.json)
        app.mount(SWAGGER_UI_URL, StaticFiles(directory=SWAGGER_UI_DIR), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        page = get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} API",
                                   swagger_js_url=f"{SWAGGER_UI_URL}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{SWAGGER_UI_URL}/swagger-ui.css",
                                   swagger_favicon_url=f"{SWAGGER_UI_URL}/favicon-32x32.png")
        nonce = getattr(request.state, "csp_nonce", None)  # api/security_headers.py: inline blocks need it
        if nonce is None:
            return page
        html = bytes(page.body).decode().replace("<script>", f'<script nonce="{nonce}">')
        return HTMLResponse(html.replace("<style>", f'<style nonce="{nonce}">'))
