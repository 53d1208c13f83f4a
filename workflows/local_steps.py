"""Issue 17: the register's writes run as *local* activities, in the workflow task that asks for them.

A step that writes the register (closing a task, opening the next, recording an event, queueing a
notice) used to be an ordinary activity: three events, and a workflow task of three more to wake the
process when it was done. Most steps follow one another (close, record, open the next), so a validity
cycle spent about half its history on those hand-offs. A local activity leaves one marker with its
result. The price: an Update's answer goes out when its workflow task completes, after the local steps
that follow the closing in that task (bench/RESULTS.md: a completion's round trip 32 → 83 ms at p50).

What stays an ordinary activity: a step with a task queue of its own (mail, the certificate's document
and the planner, on the I/O worker) or a heartbeat. Runs begun before keep scheduling every step as an
ordinary activity (patch ``local-register-writes``, docs/upgrades.md).

Retries keep their meaning. A failing step is retried with its policy's backoff: the first wait in the
worker, longer ones as timers in history (``LOCAL_RETRY_THRESHOLD``), so a restarted worker carries on
where the last one stopped. The incident bound in time (``ProcessPolicy.incident_after_minutes``) is
counted in attempts, those the backoff starts within it (``attempts_within``): a local activity's own
time limit would be measured on the worker's clock, not the process's, and its failure would carry no
last error for the operator.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, CancelledError, FailureError, RetryState
from temporalio.exceptions import TimeoutError as StepTimeout

from workflows.patching import patched

LOCAL_RETRY_THRESHOLD = timedelta(seconds=1)
_MOST_ATTEMPTS = 10_000  # attempts_within stops counting here (a backoff that never grows)


def attempts_within(deadline: timedelta, policy: RetryPolicy) -> int:
    """How many attempts ``policy``'s backoff starts within ``deadline`` (the attempts' own time aside)."""
    interval = policy.initial_interval.total_seconds()
    cap = (policy.maximum_interval or policy.initial_interval * 100).total_seconds()
    elapsed, attempts = 0.0, 1
    while attempts < _MOST_ATTEMPTS:
        elapsed += min(interval, cap)
        if elapsed >= deadline.total_seconds():
            break
        attempts += 1
        interval *= policy.backoff_coefficient
    return attempts


@dataclass(frozen=True)
class LocalStep:
    """How one step runs locally: its retry policy, with the bound in time counted in attempts."""

    policy: RetryPolicy
    time_bound: bool  # the bound in time, not the attempts, ends its retries

    @classmethod
    def of(cls, options: dict[str, Any], deadline: timedelta | None) -> LocalStep | None:
        """The step's local way, or None for an ordinary activity (see the module)."""
        if "task_queue" in options or "heartbeat_timeout" in options:
            return None
        if not patched("local-register-writes"):
            return None
        policy: RetryPolicy = options["retry_policy"]
        if deadline is None or "schedule_to_close_timeout" in options:
            return cls(policy, time_bound=False)
        in_time = attempts_within(deadline, policy)
        if policy.maximum_attempts and policy.maximum_attempts <= in_time:
            return cls(policy, time_bound=False)
        return cls(dataclasses.replace(policy, maximum_attempts=in_time), time_bound=True)

    def failure(self, error: FailureError, activity_type: str) -> ActivityError:
        """The failure as an ordinary activity's. A local activity's comes as its bare cause (a refusal,
        the last error) or wrapped with a state of its own, so its state is read from the cause:
        refused, out of time, or out of attempts. A cancellation is not an incident: it goes on up."""
        cause = error.cause if isinstance(error, ActivityError) else error
        if isinstance(cause, CancelledError) or isinstance(error, CancelledError):
            raise error
        if isinstance(cause, ApplicationError) and cause.non_retryable:
            state = RetryState.NON_RETRYABLE_FAILURE
        elif isinstance(cause, StepTimeout) or self.time_bound:
            state = RetryState.TIMEOUT
        else:
            state = RetryState.MAXIMUM_ATTEMPTS_REACHED
        wrapped = ActivityError("local activity failed", scheduled_event_id=0, started_event_id=0, identity="",
                                activity_type=activity_type, activity_id="", retry_state=state)
        wrapped.__cause__ = cause
        return wrapped
