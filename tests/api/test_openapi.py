"""The OpenAPI document says what the API answers, and /docs works without the internet."""

from __future__ import annotations

import re

import pytest
from pydantic import TypeAdapter

from api.openapi import api_routes, error_statuses
from api.openapi_examples import EXAMPLES
from api.problems import PROBLEM_JSON
from schemas.staff import Role

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def operations(document: dict):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


@pytest.fixture
def document(app) -> dict:
    return app.openapi()


def test_every_error_is_documented_as_a_problem_document(document):
    assert set(document["components"]["schemas"]["Problem"]["properties"]) >= {
        "type", "title", "status", "detail", "instance", "rule_id", "errors"}
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for name, operation in operations(document):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                content = response["content"][PROBLEM_JSON]
                assert list(response["content"]) == [PROBLEM_JSON] and content["schema"] == PROBLEM_REF, name
                assert content["example"]["status"] == int(status), (name, status)


def test_the_codes_follow_what_each_route_depends_on(document):
    ops = dict(operations(document))
    staff_read = ops["GET /api/v1/tasks/{task_id}"]["responses"]
    assert {"401", "403", "404", "422", "503"} <= set(staff_read) and "409" not in staff_read
    assert "WWW-Authenticate" in staff_read["401"]["headers"] and "Retry-After" in staff_read["503"]["headers"]
    action = ops["POST /api/v1/certificates/{number}/suspend"]["responses"]
    assert {"400", "401", "403", "404", "409", "422", "503"} <= set(action)
    public = ops["GET /public/certificates/{number}"]["responses"]
    assert {"404", "422", "503"} <= set(public) and not {"401", "403"} & set(public)
    assert set(ops["GET /healthz"]["responses"]) == {"200"}


async def test_a_code_the_api_answers_is_one_the_document_lists(app, http, document, staff):
    """The real answers of a route without a token, with the wrong role and for a missing id."""
    _, auditor = await staff(Role.AUDITOR)
    declared = document["paths"]["/api/v1/incidents/{incident_id}"]["get"]["responses"]
    no_token = await http.get("/api/v1/incidents/1")
    wrong_role = await http.get("/api/v1/incidents/1", headers={"Authorization": f"Bearer {auditor}"})
    assert (no_token.status_code, wrong_role.status_code) == (401, 403)
    for answer in (no_token, wrong_role):
        assert answer.headers["content-type"] == PROBLEM_JSON and str(answer.status_code) in declared
    routes = {r.path_format: r for r in api_routes(app)}
    # 429: the refused-token limit; 413: a body over the size limit; the public register's rate limit.
    assert error_statuses(routes["/api/v1/incidents/{incident_id}"]) == [401, 403, 404, 422, 429, 503]
    submit = next(r for r in api_routes(app) if r.path_format == "/api/v1/applications" and "POST" in r.methods)
    assert {413, 429} <= set(error_statuses(submit))
    assert 429 in error_statuses(routes["/public/certificates/{number}"])


def test_every_operation_has_a_description_naming_who_may_call_it(document):
    for name, operation in operations(document):
        description = operation.get("description", "")
        said, _, who = description.rpartition("\n\n")
        assert said.strip(), f"{name}: no description (the route's docstring)"
        assert who.startswith(("Who may call", "No token needed", "Any staff token")), name
    suspend = document["paths"]["/api/v1/certificates/{number}/suspend"]["post"]["description"]
    assert suspend.endswith("(`certificate.suspend`): decision_maker, manager.")


def test_every_request_body_has_an_example_its_model_accepts(document):
    for name, operation in operations(document):
        if "requestBody" in operation:
            assert "example" in operation["requestBody"]["content"]["application/json"], name
    for model, example in EXAMPLES.items():
        model.model_validate(example)


async def test_docs_load_swagger_ui_from_the_api_itself(http):
    page = await http.get("/docs")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href|url)\s*[:=]\s*['"]([^'"]+)['"]""", page.text)
    assert urls and all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    assert "/openapi.json" in urls and "http://" not in page.text and "https://" not in page.text
    for url in urls:
        served = await http.get(url)
        assert served.status_code == 200, url
    script = await http.get("/static/swagger-ui/swagger-ui-bundle.js")
    assert "javascript" in script.headers["content-type"] and len(script.content) > 100_000
    # Its inline script runs under the Content-Security-Policy: it bears this response's nonce.
    nonce = page.headers["content-security-policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in page.text and "<script>" not in page.text


async def test_what_schemathesis_found_stays_fixed(http, staff):
    """A number is not a day; an id beyond the register's bigint is refused, not a 500; a body that is
    not text is the documented 400, as a problem document."""
    _, manager = await staff(Role.MANAGER)
    auth = {"Authorization": f"Bearer {manager}"}
    not_a_day = await http.get("/api/v1/certificates", params={"due_before": "0"}, headers=auth)
    too_big = await http.post(f"/api/v1/incidents/{2**64}/retry", headers=auth)
    unreadable = await http.post("/api/v1/certificates/X/notification", content=b"\xff\xfe\x00",
                                 headers={**auth, "Content-Type": "application/json"})
    assert [not_a_day.status_code, too_big.status_code, unreadable.status_code] == [422, 422, 400]
    assert all(r.headers["content-type"] == PROBLEM_JSON for r in (not_a_day, too_big, unreadable))


def test_every_post_declares_the_idempotency_key_and_the_replay_header(document):
    posts = [(name, op) for name, op in operations(document) if name.startswith("POST ")]
    assert len(posts) >= 15
    for name, operation in posts:
        keys = [p for p in operation.get("parameters", []) if p["name"] == "Idempotency-Key"]
        assert len(keys) == 1 and keys[0]["in"] == "header" and keys[0]["required"] is False, name
        assert re.fullmatch(keys[0]["schema"]["pattern"], keys[0]["example"]), name
        success = [answer for status, answer in operation["responses"].items() if status.startswith("2")]
        assert success and all("Idempotent-Replayed" in a.get("headers", {}) for a in success), name
    gets = [op for name, op in operations(document) if name.startswith("GET ")]
    assert not any(p["name"] == "Idempotency-Key" for op in gets for p in op.get("parameters", []))


def test_every_json_answer_has_an_example_its_model_accepts(app, document):
    routes = {(method, r.path_format): r for r in api_routes(app) for method in r.methods}
    shown = 0
    for name, operation in operations(document):
        method, path = name.split(" ", 1)
        for status, answer in operation["responses"].items():
            content = answer.get("content", {}).get("application/json")
            if not status.startswith("2") or content is None:
                continue
            route = routes[(method, path)]
            if route.response_model is None:  # free-form answers (/healthz, /readyz)
                continue
            assert "example" in content, name
            TypeAdapter(route.response_model).validate_python(content["example"])
            shown += 1
    assert shown >= 30
    task = document["paths"]["/api/v1/tasks"]["get"]["responses"]["200"]["content"]["application/json"]["example"]
    assert task[0]["rule_id"] == "R-9.1.2" and task[0]["status"] == "open"  # realistic values, not type names
