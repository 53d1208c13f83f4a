"""No input stalls a process (issue 12): properties over arbitrary text, NUL, lone surrogates and
controls included.

1. Through the API, any text in any free field of an application or a task's payload is answered
   below 500: accepted, or refused with 422 naming the field.
2. Whatever the edge accepts, the register can hold: the activities that used to fail for ever on a
   NUL (``record_application``, ``close_task``) succeed with it, and give it back unchanged.
3. End to end on the real worker: a process given the hardest text the edge accepts moves on.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from temporalio.testing import ActivityEnvironment

from activities.inbox import InboxActivities, TaskClosing
from activities.records import ApplicationIntake, RecordActivities
from schemas.intake import ApplicationSubmission
from schemas.payloads import ApplicationReview
from schemas.staff import Role
from schemas.tasking import TaskView
from store.applications import get_application
from store.events import events_for
from store.organizations import get_organization
from store.tasks import get_task, upsert_open_task

from .test_applications import bearer, complete_application

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
EDGES = "\x00\x01\x08\x0b\x0c\x1b\x1f\x7f\x80\x85\x9f\ud800\udbff\udc00\udfff\t\n\r\u2028\ufeff\uffff"
ANY_TEXT = st.text(st.one_of(st.characters(exclude_categories=()), st.sampled_from(EDGES)), max_size=12)
FIELDS = ["organization.name", "organization.registered_address", "organization.contact.email",
          "organization.contact.name", "scope", "sites.0.name", "sites.0.address", "information_form.processes",
          "materials.9", "licences.0.number"]
# What the edge accepts, drawn directly (filtering ANY_TEXT would discard most examples).
ACCEPTED_TEXT = st.text(st.one_of(st.characters(exclude_categories=("Cs", "Cc")), st.sampled_from("\t\n\r")),
                        max_size=12)
ACCEPTED_LINE = st.text(st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=12)
TEXT_BUDGET = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# The hardest text the edge accepts: tab and line breaks, a byte-order mark, a noncharacter, a line
# separator, right-to-left override, a combining mark, an astral ideograph and an emoji.
HARD = "甲\t乙\n丙\r丁\ufeff\uffff\u2028\u202e\u0301\U00020000\U0001f600"
HARD_LINE = "示例\ufeff\uffff\u202e\u0301\U00020000\U0001f600"  # the same for a name: one line


def application() -> dict:
    """A complete application (tests/api/test_applications.py), with a licence to put text into."""
    return complete_application() | {"licences": [{"name": "增值电信业务经营许可证", "number": "B2-1"}]}


def put(body: dict, path: str, value: str) -> dict:
    """``body`` with ``value`` at a dotted path (a list index appends when the list is that long)."""
    *parents, last = path.split(".")
    node = body
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    if isinstance(node, list):
        node.insert(int(last), value)
    else:
        node[last] = value
    return body


def raw_json(body: dict) -> bytes:
    """As a client may send it: JSON escapes every character, half a surrogate pair included."""
    return json.dumps(body, ensure_ascii=True).encode()


def assert_below_500_and_named(response, field: str) -> None:
    assert response.status_code < 500, response.text
    if response.status_code == 422:  # naming the field, or listing it among what misses
        problem = response.json()
        assert field in problem["detail"] or problem.get("rule_id") == "R-9.1.1", problem


@given(field=st.sampled_from(FIELDS), text=ANY_TEXT)
@TEXT_BUDGET
async def test_no_application_text_gets_a_5xx(http, staff, field, text):
    _, token = await staff(Role.REVIEWER)
    response = await http.post("/api/v1/applications", content=raw_json(put(application(), field, text)),
                               headers={**bearer(token), "Content-Type": "application/json"})
    assert_below_500_and_named(response, field)


@given(field=st.sampled_from(["reasons", "information_complete.note", "audit_time_adjustments.0.reason"]),
       text=ANY_TEXT)
@TEXT_BUDGET
async def test_no_task_payload_text_gets_a_5xx(http, pool, staff, field, text):
    _, token = await staff(Role.REVIEWER)
    workflow_id = f"certification-{uuid.uuid4()}"
    task_id = f"{workflow_id}/application_review/1"
    await upsert_open_task(pool, task_id, workflow_id, "application_review", Role.REVIEWER.value, NOW)
    payload = {**{k: {"satisfied": True} for k in (
        "information_complete", "industry_and_process_understood", "state_requirements_known",
        "differences_resolved", "body_able_to_certify", "scope_and_sites_confirmed", "audit_time_determined")},
        "conclusion": "reject", "audit_time_adjustments": [{"kind": "increase", "days": "1", "reason": "r"}]}
    response = await http.post(f"/api/v1/tasks/{task_id}/complete", content=raw_json({"payload": put(
        payload, field, text)}), headers={**bearer(token), "Content-Type": "application/json"})
    # Accepted text goes on to the process, which this test does not run: 409 "no longer running".
    assert_below_500_and_named(response, field)


@given(name=ACCEPTED_LINE, scope=ACCEPTED_TEXT, note=ACCEPTED_TEXT)
@TEXT_BUDGET
async def test_whatever_the_edge_accepts_the_register_holds(pool, staff, name, scope, note):
    body = put(put(application(), "organization.name", name), "scope", scope)
    submission = ApplicationSubmission.model_validate(body)
    assume(not submission.missing())  # a blank name or scope is refused at the edge
    review = ApplicationReview.model_validate({**{k: {"satisfied": True, "note": note} for k in (
        "information_complete", "industry_and_process_understood", "state_requirements_known",
        "differences_resolved", "body_able_to_certify", "scope_and_sites_confirmed", "audit_time_determined")},
        "conclusion": "accept", "reasons": note})
    actor, _ = await staff(Role.REVIEWER)
    application_id, env = uuid.uuid4(), ActivityEnvironment()
    workflow_id = f"certification-{application_id}"
    await env.run(RecordActivities(pool).record_application, ApplicationIntake(
        application_id=application_id, workflow_id=workflow_id, submission=submission, submitted_at=NOW,
        submitted_by=actor))
    stored = await get_application(pool, application_id)
    assert stored.scope == submission.scope and stored.data["scope"] == submission.scope
    # The application keeps what it said; the register's organization keeps its first record.
    assert stored.data["organization"]["name"] == submission.organization.name
    assert (await get_organization(pool, stored.organization_id)).name

    task_id = f"{workflow_id}/application_review/1"
    await upsert_open_task(pool, task_id, workflow_id, "application_review", Role.REVIEWER.value, NOW)
    await env.run(InboxActivities(pool).close_task, TaskClosing(
        task_id=task_id, workflow_id=workflow_id, subject=str(application_id), kind="application_review",
        rule_id="R-9.1.2", actor=actor, at=NOW, element_id="application_review",
        payload=review.model_dump(mode="json")))
    assert (await get_task(pool, task_id)).status.value == "completed"
    closed = [e for e in await events_for(pool, subject=str(application_id))
              if e.kind == "application_review.completed"]
    assert closed[0].data["payload"]["reasons"] == note


async def test_a_process_given_the_hardest_accepted_text_moves_on(stack, staff):
    http, env = stack["http"], stack["env"]
    _, token = await staff(Role.REVIEWER)
    body = put(put(application(), "organization.name", HARD_LINE), "scope", HARD)
    body = put(body, "information_form.processes", HARD)
    response = await http.post("/api/v1/applications", content=raw_json(body),
                               headers={**bearer(token), "Content-Type": "application/json"})
    assert response.status_code == 201, response.text
    process = env.client.get_workflow_handle(response.json()["workflow_id"])
    review = await process.execute_update("wait_for_task", "application_review", result_type=TaskView)
    payload = {**{k: {"satisfied": True, "note": HARD} for k in (
        "information_complete", "industry_and_process_understood", "state_requirements_known",
        "differences_resolved", "body_able_to_certify", "scope_and_sites_confirmed", "audit_time_determined")},
        "conclusion": "accept", "reasons": HARD}
    response = await http.post(f"/api/v1/tasks/{review.task_id}/complete", content=raw_json({"payload": payload}),
                               headers={**bearer(token), "Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    # The process moved on (the contract task is open) and the register closed the review.
    await process.execute_update("wait_for_task", "contract", result_type=TaskView)
    assert (await get_task(stack["pool"], review.task_id)).status.value == "completed"

