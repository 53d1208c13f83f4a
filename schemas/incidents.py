"""Incidents: a step whose activity failed for good (beyond its bound of attempts or time, or refused
outright) waits for an operator instead of retrying in silence (Camunda's incident is the model).

The workflow holds its open incidents; the register keeps every incident with the state it last
reached (``version`` orders the writes, which run beside the process and may arrive out of order).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from schemas.tasking import Actor
from schemas.text import Line, Scrubbed

RETRY_INCIDENT_UPDATE = "retry_incident"
INCIDENTS_QUERY = "incidents"


class IncidentState(StrEnum):
    OPEN = "open"  # waiting for an operator's retry
    RETRYING = "retrying"  # an operator asked for a retry; the step is running again
    RESOLVED = "resolved"  # the step went through on a retry


class Incident(BaseModel):
    """One failed step of one process, as the workflow and the register hold it."""

    key: Line = Field(description="{workflow id}/incident/{run id}/{n}: unique, derived, never random")
    workflow_id: Line
    run_id: Line
    activity: Line = Field(description="the activity type that failed")
    # Text of our own making or quoting a failure (which may quote the input that caused it): made
    # storable rather than refused, so that recording the incident cannot fail in turn.
    step: Scrubbed = Field(description="what the step does, in plain words (the activity's summary)")
    element_id: Line | None = Field(None, description="the BPMN element the process was in")
    error_type: Scrubbed | None = Field(None, description="the failure's type, e.g. MailRefused, RuleViolation")
    error: Scrubbed
    rule_id: Scrubbed | None = None
    reason: Scrubbed = Field(description="why retrying stopped: attempts or time used up, or a non-retryable error")
    raised_at: datetime
    state: IncidentState = IncidentState.OPEN
    retries: int = Field(0, description="retries operators asked for so far")
    retried_by: Line | None = None
    resolved_at: datetime | None = None
    version: int = 1


class IncidentRecord(Incident):
    """An incident as the register holds it, with the register's id (the API's address of it)."""

    id: int
    updated_at: datetime | None = None


class IncidentWait(BaseModel):
    """What a caller of the ``wait_for_incident`` Update waits for."""

    activity: Line
    state: IncidentState = IncidentState.OPEN
    recorded: bool = Field(True, description="and the register has it in that state")

    def met_by(self, incident: Incident) -> bool:
        return incident.activity == self.activity and incident.state == self.state


class IncidentRetry(BaseModel):
    """The ``retry_incident`` Update: an operator says the cause is fixed."""

    key: Line
    actor: Actor
