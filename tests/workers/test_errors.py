"""Activities tell bad input and broken rules from transient faults (issue 12, finding 4; DESIGN.md
"Failures"): certflow's own errors fail an activity once, non-retryably, with the rule id; anything
else is retried. A real worker with the worker's interceptor on the time-skipping server, activities
run under Temporal's default retry policy (which never gives up)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, RetryState
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from activities.notify import MailSettings
from activities.records import OnsiteRecord
from schemas.errors import RuleViolation
from schemas.organizations import Organization
from workers.errors import BusinessErrorsAreFinal
from workers.main import activities_for, build_worker

ATTEMPTS: dict[str, list[int]] = {}


@activity.defn(name="refuse_under_a_rule")
async def refuse_under_a_rule(key: str) -> str:
    ATTEMPTS.setdefault(key, []).append(activity.info().attempt)
    raise RuleViolation("R-9.1.6", "the plan reached the applicant fewer than 3 working days ahead")


@activity.defn(name="build_an_organization")
async def build_an_organization(key: str) -> str:
    ATTEMPTS.setdefault(key, []).append(activity.info().attempt)
    return Organization(id=uuid.uuid4(), name=" ", credit_code="91110000MA01ABCD2X").name  # blank: refused


@activity.defn(name="flaky")
async def flaky(key: str) -> str:
    ATTEMPTS.setdefault(key, []).append(activity.info().attempt)
    if len(ATTEMPTS[key]) < 3:
        raise ConnectionResetError("the register went away for a moment")
    return "written"


@workflow.defn(name="ActivityProbe")
class ActivityProbe:
    """Runs one activity and reports how it ended, as the workflow sees it."""

    @workflow.run
    async def run(self, name: str, arg: Any, fast_retries: bool) -> dict:
        policy = RetryPolicy(initial_interval=timedelta(milliseconds=10)) if fast_retries else None
        try:
            result = await workflow.execute_activity(name, arg, start_to_close_timeout=timedelta(seconds=30),
                                                     retry_policy=policy)
        except ActivityError as exc:
            cause = exc.cause
            assert isinstance(cause, ApplicationError)
            return {"type": cause.type, "non_retryable": cause.non_retryable, "details": list(cause.details),
                    "retry_state": exc.retry_state.name if exc.retry_state else None}
        return {"result": result}


async def probe(env, pool, name: str, arg: Any, *, fast_retries: bool = False) -> dict:
    queue = f"errors-{uuid.uuid4().hex[:8]}"
    ours = [refuse_under_a_rule, build_an_organization, flaky]
    async with Worker(env.client, task_queue=queue, workflows=[ActivityProbe],
                      activities=[*activities_for(pool, MailSettings()), *ours],
                      interceptors=[BusinessErrorsAreFinal()], workflow_runner=UnsandboxedWorkflowRunner()):
        return await env.client.execute_workflow("ActivityProbe", args=[name, arg, fast_retries],
                                                 id=f"probe-{uuid.uuid4()}", task_queue=queue)


async def test_unassessed_items_fail_record_onsite_results_once_with_the_rule_id_R_6(temporal_env, pool):
    # rate() refuses results that leave catalogue items unassessed; the default policy would retry it for ever.
    record = OnsiteRecord(audit_id=f"audit-{uuid.uuid4()}", items=[], findings=[])
    ended = await probe(temporal_env, pool, "record_onsite_results", record.model_dump(mode="json"))
    assert ended["type"] == "InvalidInput" and ended["non_retryable"] is True
    assert ended["retry_state"] == RetryState.NON_RETRYABLE_FAILURE.name
    assert ended["details"][0]["rule_id"] == "R-6" and "cannot be rated" in ended["details"][0]["message"]


async def test_a_rule_violation_in_an_activity_is_tried_once_and_names_its_rule_R_9_1_6(temporal_env, pool):
    key = uuid.uuid4().hex
    ended = await probe(temporal_env, pool, "refuse_under_a_rule", key)
    assert ATTEMPTS[key] == [1]
    assert (ended["type"], ended["non_retryable"]) == ("RuleViolation", True)
    assert ended["details"][0]["rule_id"] == "R-9.1.6"


async def test_a_model_refusing_what_an_activity_built_is_final_too(temporal_env, pool):
    key = uuid.uuid4().hex
    ended = await probe(temporal_env, pool, "build_an_organization", key)
    assert ATTEMPTS[key] == [1]
    assert (ended["type"], ended["non_retryable"]) == ("ValidationError", True)
    assert ended["details"][0]["details"]["errors"][0]["loc"] == ["name"]


async def test_a_transient_fault_is_still_retried(temporal_env, pool):
    key = uuid.uuid4().hex
    assert await probe(temporal_env, pool, "flaky", key, fast_retries=True) == {"result": "written"}
    assert ATTEMPTS[key] == [1, 2, 3]


async def test_the_worker_certflow_runs_has_the_interceptor(temporal_env, pool):
    worker = build_worker(temporal_env.client, pool, "unused")
    assert any(isinstance(i, BusinessErrorsAreFinal) for i in worker.config()["interceptors"])
