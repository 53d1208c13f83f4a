"""The register's writes as local activities (workflows/local_steps.py, issue 17): their incident bound in
time counted in attempts, and their failures told apart as an ordinary activity's would be. The journeys
(test_incidents.py, the fault tests) run them for real; these pin the arithmetic and the states."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, CancelledError, RetryState, TimeoutError, TimeoutType

from workflows.local_steps import LocalStep, attempts_within


def test_the_bound_in_time_is_the_attempts_the_backoff_starts_within_it():
    # 1 s, 2 s, 4 s, 8 s, then 10 s apart: attempts start at 0, 1, 3, 7, 15, 25, 35, 45, 55 s.
    capped = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=10))
    assert attempts_within(timedelta(seconds=60), capped) == 9
    assert attempts_within(timedelta(seconds=55), capped) == 8  # the one at 55 s would be too late
    # The default policy: 0, 1, 3, 7, 15, 31, 63 s, and the next at 127 s is past two minutes.
    assert attempts_within(timedelta(minutes=2), RetryPolicy()) == 7
    assert attempts_within(timedelta(milliseconds=1), RetryPolicy()) == 1  # the first attempt always runs


def test_a_backoff_that_never_grows_still_ends():
    flat = RetryPolicy(initial_interval=timedelta(seconds=1), backoff_coefficient=1.0)
    assert attempts_within(timedelta(minutes=1), flat) == 60


@pytest.mark.parametrize(("cause", "time_bound", "state"), [
    (ApplicationError("refused", type="MailTemplateError", non_retryable=True), False,
     RetryState.NON_RETRYABLE_FAILURE),
    (ApplicationError("the register is away"), False, RetryState.MAXIMUM_ATTEMPTS_REACHED),
    (ApplicationError("the register is away"), True, RetryState.TIMEOUT),
    (TimeoutError("too slow", type=TimeoutType.START_TO_CLOSE, last_heartbeat_details=[]), False,
     RetryState.TIMEOUT),
])
def test_a_local_failure_reads_as_an_ordinary_activitys(cause, time_bound, state):
    step = LocalStep(RetryPolicy(), time_bound=time_bound)
    failure = step.failure(cause, "close_task")
    assert isinstance(failure, ActivityError) and failure.retry_state is state
    assert failure.cause is cause and failure.activity_type == "close_task"  # the last error, for the operator


def test_a_cancelled_local_step_is_no_incident():
    with pytest.raises(CancelledError):
        LocalStep(RetryPolicy(), time_bound=False).failure(CancelledError("cancelled"), "close_task")
