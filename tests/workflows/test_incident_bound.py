"""The bound before an incident (the body's Decision, ProcessPolicy.incident_after_*) and what an incident
says about the failure: its type, message, rule id, and why retrying stopped."""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, RetryState

from certflow.settings import Settings
from rules.policy import ProcessPolicy
from workflows.incidents import IncidentBound, Incidents
from workflows.mail import MAIL_RETRY


def failed(cause: BaseException, state: RetryState) -> ActivityError:
    error = ActivityError("activity failed", scheduled_event_id=5, started_event_id=6, identity="worker",
                          activity_type="grant_certificate", activity_id="3", retry_state=state)
    error.__cause__ = cause
    return error


def test_the_bound_caps_unbounded_policies_and_keeps_each_call_s_backoff():
    bound = IncidentBound(attempts=4, minutes=30)
    assert bound.retry_policy(None).maximum_attempts == 4  # Temporal's default would retry for ever
    mail = bound.retry_policy(MAIL_RETRY)
    assert mail.maximum_attempts == 4 and mail.maximum_interval == timedelta(hours=1)
    assert mail.non_retryable_error_types == ["MailNotQueued"]
    assert bound.retry_policy(RetryPolicy(maximum_attempts=2)).maximum_attempts == 2  # a lower bound of its own
    assert bound.deadline() == timedelta(minutes=30)
    assert IncidentBound(attempts=0, minutes=0).retry_policy(None).maximum_attempts == 0
    assert IncidentBound(attempts=0, minutes=0).deadline() is None


def test_the_bound_is_configured_as_a_decision(monkeypatch):
    monkeypatch.setenv("CERTFLOW_SCHEME__PROCESS__INCIDENT_AFTER_ATTEMPTS", "3")
    monkeypatch.setenv("CERTFLOW_SCHEME__PROCESS__INCIDENT_AFTER_MINUTES", "15")
    process = Settings(_env_file=None).scheme.process
    assert IncidentBound.of(process) == IncidentBound(attempts=3, minutes=15)
    assert IncidentBound.of(ProcessPolicy()) == IncidentBound(attempts=10, minutes=60)


def test_a_refusal_carries_its_type_message_and_rule_id():
    said = Incidents(IncidentBound())._describe(failed(
        ApplicationError("the audit reached no level (R-6.result)", {"rule_id": "R-6.result"}, type="RuleViolation",
                         non_retryable=True), RetryState.NON_RETRYABLE_FAILURE))
    assert said == {"error_type": "RuleViolation", "error": "the audit reached no level (R-6.result)",
                    "rule_id": "R-6.result", "reason": "refused: retrying cannot help until the cause is fixed"}
    # Without details, the rule id the message cites (RuleViolation's own wording).
    said = Incidents(IncidentBound())._describe(failed(
        ApplicationError("unassessed items (R-9.2.6)", type="InvalidInput", non_retryable=True),
        RetryState.NON_RETRYABLE_FAILURE))
    assert said["rule_id"] == "R-9.2.6" and said["error_type"] == "InvalidInput"
    said = Incidents(IncidentBound())._describe(failed(
        ApplicationError("rating refused", "R-6.result", type="RuleViolation", non_retryable=True),
        RetryState.NON_RETRYABLE_FAILURE))
    assert said["rule_id"] == "R-6.result"


def test_a_transient_fault_that_used_its_bound_says_so():
    said = Incidents(IncidentBound(attempts=7))._describe(failed(
        ApplicationError("connection refused", type="ConnectionRefusedError"), RetryState.MAXIMUM_ATTEMPTS_REACHED))
    assert said["reason"] == "failed 7 attempts" and said["rule_id"] is None
    said = Incidents(IncidentBound(minutes=20))._describe(failed(
        ApplicationError("timeout", type="TimeoutError"), RetryState.TIMEOUT))
    assert said["reason"] == "still failing after 20 min of retries"
