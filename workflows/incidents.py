"""Incidents, not silent retry loops: every activity of a workflow runs through ``Incidents``.

Temporal's default retries an activity for ever; a step that can never succeed (a NUL the register
cannot store, a mail address the server refuses, a broken rule) then spins unseen. Here each activity
is retried with backoff up to a bound (attempts or time, the body's Decision in
``ProcessPolicy.incident_after_*``), and a non-retryable error stops it at once. When it fails for good
the workflow raises an *incident*: it keeps it open in its state (query ``incidents``), shows it in the
Temporal UI's current details, has it recorded in the register beside the process (``record_incident``,
retried until the database answers), and waits for an operator's ``retry_incident`` Update. Then the
step runs again; the process carries on from there once it succeeds, and the incident is resolved.

Only the failure path is new: on success the same commands are issued in the same order as a plain
``workflow.execute_activity``, so recorded histories replay unchanged (a retry policy's bound and a
schedule-to-close timeout are not compared on replay).
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.activity import _Definition  # the SDK's own resolver of an activity's registered name
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, CancelledError, FailureError, RetryState

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel, Field

    from activities.incidents import IncidentActivities
    from rules.policy import ProcessPolicy
    from schemas.incidents import Incident, IncidentRetry, IncidentState, IncidentWait
    from schemas.staff import Role
    from schemas.tasking import Refusal, RefusalDetail

from workflows.local_steps import LOCAL_RETRY_THRESHOLD, LocalStep

# The process's own guard on a retry: the same roles as api/permissions.py's RETRY_INCIDENT.
RETRY_ROLES = frozenset({Role.OPERATOR, Role.MANAGER})
# Recording an incident is never itself an incident: it waits for the database as long as it takes.
RECORD_RETRY = RetryPolicy(initial_interval=timedelta(seconds=5), maximum_interval=timedelta(minutes=5),
                           maximum_attempts=0)
RECORD_TIMEOUT = timedelta(seconds=30)
_RULE_ID = re.compile(r"R-[0-9A-Za-z.]+")
_RULE_IN_TEXT = re.compile(r"\((R-[0-9A-Za-z.]+)\)")


class IncidentBound(BaseModel):
    """How long a failing activity is retried before it becomes an incident: whichever bound is reached
    first; 0 leaves that side unbounded (both 0: Temporal's retry for ever, no incident but refusals)."""

    attempts: int = Field(10, ge=0)
    minutes: int = Field(60, ge=0)

    @classmethod
    def of(cls, process: ProcessPolicy) -> IncidentBound:
        return cls(attempts=process.incident_after_attempts, minutes=process.incident_after_minutes)

    def retry_policy(self, base: RetryPolicy | None) -> RetryPolicy:
        """The call's own policy (its backoff), with our bound unless the call set a lower one."""
        base = base or RetryPolicy()
        attempts = base.maximum_attempts
        if self.attempts and (attempts == 0 or attempts > self.attempts):
            attempts = self.attempts
        return dataclasses.replace(base, maximum_attempts=attempts)

    def deadline(self) -> timedelta | None:
        return timedelta(minutes=self.minutes) if self.minutes else None


def refusal(kind: Refusal, message: str) -> ApplicationError:
    return ApplicationError(message, RefusalDetail(message=message).model_dump(mode="json"), type=kind.value,
                            non_retryable=True)


def _rule_id(details: Sequence[Any], message: str) -> str | None:
    """The rule that refused: from the error's details ({"rule_id": ...} or the id itself), else cited in
    its message the way ``RuleViolation`` words it ("... (R-9.2.6)")."""
    for detail in details:
        if isinstance(detail, dict) and detail.get("rule_id"):
            return str(detail["rule_id"])
        if isinstance(detail, str) and _RULE_ID.fullmatch(detail):
            return detail
    found = _RULE_IN_TEXT.search(message)
    return found.group(1) if found else None


R = TypeVar("R")
Activity = Callable[..., Any]  # an ``@activity.defn`` function or method, called by reference


def activity_name(activity: Activity) -> str:
    """The name the activity is registered under (its ``@activity.defn(name=...)``)."""
    name, _ = _Definition.get_name_and_result_type(activity)
    return name


@dataclass(frozen=True)
class _Call:
    """One step: the activity, its argument and options, so that a retry runs exactly the same thing."""

    activity: Activity
    arg: Any
    summary: str
    options: dict
    element_id: str | None  # where the process was when it took the step (a mail: where it was queued)

    local: LocalStep | None = None  # a write to the register run inside the workflow task (workflows/local_steps)

    def start(self) -> workflow.ActivityHandle:
        if self.local:
            return workflow.start_local_activity(self.activity, self.arg, summary=self.summary,
                                                 local_retry_threshold=LOCAL_RETRY_THRESHOLD, **self.options)
        return workflow.start_activity(self.activity, self.arg, summary=self.summary, **self.options)

    def failure(self, error: FailureError) -> ActivityError:
        """What failed, as an ordinary activity's failure (a cancellation goes on up)."""
        if self.local:
            return self.local.failure(error, activity_name(self.activity))
        if isinstance(error, ActivityError) and not isinstance(error.cause, CancelledError):
            return error
        raise error


@dataclass
class Incidents:
    """The incidents of one workflow run. ``where`` names the BPMN element the process is in; ``changed``
    redraws the current details. Lives in the workflow's memory; rebuilt by replay."""

    bound: IncidentBound = field(default_factory=IncidentBound)
    where: Callable[[], str | None] = lambda: None
    changed: Callable[[], None] = lambda: None
    raised: list[Incident] = field(default_factory=list)
    register_ids: dict[str, int] = field(default_factory=dict)  # key -> the register's id, once written
    recorded: dict[str, int] = field(default_factory=dict)  # key -> the highest version written
    recording: list[asyncio.Task] = field(default_factory=list)

    # ------------------------------------------------------------------------------- running steps
    async def execute(self, activity: Callable[..., Awaitable[R]], arg: Any, *, summary: str | None = None,
                      **options: Any) -> R:
        """``workflow.execute_activity`` that ends in an incident, not a failed process or an endless loop."""
        call = self._call(activity, arg, summary, options)
        return await self._through(call.start(), call)

    def start(self, activity: Callable[..., Awaitable[R]], arg: Any, *, summary: str | None = None,
              **options: Any) -> asyncio.Task[R]:
        """The same beside the process (mail, documents): scheduled now, followed by a task to await later."""
        call = self._call(activity, arg, summary, options)
        return asyncio.create_task(self._through(call.start(), call))

    def _call(self, activity: Activity, arg: Any, summary: str | None, options: dict) -> _Call:
        options = dict(options)
        options["retry_policy"] = self.bound.retry_policy(options.get("retry_policy"))
        local = LocalStep.of(options, self.bound.deadline())
        if local is not None:  # its bound in time is counted in attempts (workflows/local_steps.py)
            options["retry_policy"] = local.policy
        elif "schedule_to_close_timeout" not in options and self.bound.deadline() is not None:
            options["schedule_to_close_timeout"] = self.bound.deadline()
        return _Call(activity, arg, summary or activity_name(activity), options, self.where(), local)

    async def _through(self, handle: workflow.ActivityHandle, call: _Call) -> Any:
        try:
            return await handle
        except FailureError as error:
            incident = self._raise(call, call.failure(error))
        while True:
            await workflow.wait_condition(lambda: incident.state is IncidentState.RETRYING)
            try:
                result = await call.start()
            except FailureError as error:
                self._failed_again(incident, call.failure(error))
                continue
            self._update(incident, state=IncidentState.RESOLVED, resolved_at=workflow.now())
            return result

    # ------------------------------------------------------------------------------- the incident's life
    def _raise(self, call: _Call, failure: ActivityError) -> Incident:
        info = workflow.info()
        incident = Incident(
            key=f"{info.workflow_id}/incident/{info.run_id}/{len(self.raised) + 1}", workflow_id=info.workflow_id,
            run_id=info.run_id, activity=activity_name(call.activity), step=call.summary, element_id=call.element_id,
            raised_at=workflow.now(), **self._describe(failure),
        )
        self.raised.append(incident)
        workflow.logger.warning("incident %s: %s failed: %s", incident.key, incident.activity, incident.error)
        self._record(incident)
        return incident

    def _failed_again(self, incident: Incident, failure: ActivityError) -> None:
        self._update(incident, state=IncidentState.OPEN, **self._describe(failure))

    def _update(self, incident: Incident, **changes: Any) -> None:
        for name, value in changes.items():
            setattr(incident, name, value)
        incident.version += 1
        self._record(incident)

    def _record(self, incident: Incident) -> None:
        """The register's copy, written beside the process; the details are redrawn now and once written."""
        snapshot = incident.model_copy()

        async def write() -> None:
            try:
                register_id = await workflow.execute_activity_method(
                    IncidentActivities.record_incident, snapshot, start_to_close_timeout=RECORD_TIMEOUT,
                    retry_policy=RECORD_RETRY, summary=f"record incident: {snapshot.step} ({snapshot.state.value})",
                )
            except ActivityError as failure:  # only a refusal gets here (the retries never give up)
                if isinstance(failure.cause, CancelledError):
                    raise
                # The process still shows the incident; failing the process over its copy would lose more.
                workflow.logger.error("incident %s not recorded: %s", snapshot.key, failure.cause)
                return
            self.register_ids[snapshot.key] = register_id
            self.recorded[snapshot.key] = max(self.recorded.get(snapshot.key, 0), snapshot.version)
            self.changed()

        self.recording.append(asyncio.create_task(write()))
        self.changed()

    def _describe(self, failure: ActivityError) -> dict:
        """The error as operations needs it: type, message, rule id, and why retrying stopped."""
        cause: BaseException | None = failure.cause
        while isinstance(cause, FailureError) and not isinstance(cause, ApplicationError) and cause.cause:
            cause = cause.cause  # a timeout's last failure says more than the timeout
        error_type = cause.type if isinstance(cause, ApplicationError) else type(cause).__name__
        message = cause.message if isinstance(cause, FailureError) else str(cause or failure)
        rule_id = _rule_id(cause.details if isinstance(cause, ApplicationError) else (), message or "")
        reasons = {
            RetryState.NON_RETRYABLE_FAILURE: "refused: retrying cannot help until the cause is fixed",
            RetryState.MAXIMUM_ATTEMPTS_REACHED: f"failed {self.bound.attempts} attempts",
            RetryState.TIMEOUT: f"still failing after {self.bound.minutes} min of retries",
        }
        state = failure.retry_state
        reason = (reasons.get(state) or state.name) if state is not None else "failed"
        return {"error_type": error_type, "error": message or "(no message)", "rule_id": rule_id, "reason": reason}

    # ------------------------------------------------------------------------------- the operator's retry
    def validate(self, request: IncidentRetry) -> None:
        incident = self.find(request.key)
        if incident is None or incident.state is not IncidentState.OPEN:
            state = "unknown to this process" if incident is None else incident.state.value
            raise refusal(Refusal.STATE_CONFLICT, f"Incident {request.key} is not open ({state}): there is "
                          "nothing to retry.")
        if not RETRY_ROLES & set(request.actor.roles):
            raise refusal(Refusal.NOT_ASSIGNED, "Retrying an incident needs the role operator or manager.")

    def retry(self, request: IncidentRetry) -> Incident:
        self.validate(request)  # the state may have moved since the validator ran
        incident = self.find(request.key)
        assert incident is not None  # validate refused an unknown one
        self._update(incident, state=IncidentState.RETRYING, retries=incident.retries + 1,
                     retried_by=request.actor.name)
        return incident.model_copy()

    def find(self, key: str) -> Incident | None:
        return next((i for i in self.raised if i.key == key), None)

    def unresolved(self) -> list[Incident]:
        return [i for i in self.raised if i.state is not IncidentState.RESOLVED]

    def is_recorded(self, incident: Incident) -> bool:
        return self.recorded.get(incident.key, 0) >= incident.version

    async def settle(self) -> None:
        """Wait until the register has every incident's last state (before the run ends)."""
        while self.recording:
            await self.recording.pop(0)

    def banner(self) -> str:
        """The current details' first lines while incidents are open: what failed, where, and what to do."""
        lines = []
        for i in self.unresolved():
            where = f" at {i.element_id}" if i.element_id else ""
            rule = f" ({i.rule_id})" if i.rule_id else ""
            known = self.register_ids.get(i.key)
            action = (f"POST /api/v1/incidents/{known}/retry" if known else "GET /api/v1/incidents")
            state = ("being retried" if i.state is IncidentState.RETRYING
                     else f"{i.reason}; fix the cause, then {action}")
            lines.append(f"INCIDENT: {i.step}{where} — {i.error_type}: {i.error}{rule} — {state}")
        return "\n".join(lines)


class IncidentHandlers:
    """What every workflow with a ``board`` (workflows/tasks.py) answers about its incidents: the query
    for the process view, the operator's retry, and a wait for tests and operations' scripts."""

    board: Any = None
    starting_message = "The process is still starting; try again in a moment."

    @workflow.query(name="incidents")
    def incidents(self) -> list[Incident]:
        """Every incident this run raised, resolved ones too."""
        return [i.model_copy() for i in self.board.incidents.raised] if self.board else []

    @workflow.update(name="retry_incident")
    async def retry_incident(self, request: IncidentRetry) -> Incident:
        """An operator or manager says the cause is fixed: the failed step runs again."""
        return self.board.incidents.retry(request)

    @retry_incident.validator
    def _validate_retry(self, request: IncidentRetry) -> None:
        if self.board is None:
            raise refusal(Refusal.STATE_CONFLICT, self.starting_message)
        self.board.incidents.validate(request)

    @workflow.update(name="wait_for_incident")
    async def wait_for_incident(self, wanted: IncidentWait) -> Incident:
        """Block until an incident of ``wanted.activity`` is in ``wanted.state`` (and, unless told otherwise,
        the register has it in that state), as ``wait_for_task`` does for tasks."""
        def found() -> Incident | None:
            incidents = self.board.incidents.raised if self.board else []
            return next((i for i in incidents if wanted.met_by(i)
                         and (self.board.incidents.is_recorded(i) or not wanted.recorded)), None)

        await workflow.wait_condition(lambda: found() is not None)
        incident = found()
        assert incident is not None  # the condition just held, and nothing ran since
        return incident.model_copy()
