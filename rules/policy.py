"""The body's configuration of the scheme: every **Decision** of RULES.md in one model.

The scheme's own numbers (3 working days, 12 months, 6 months, 80 %, ...) stay in the rule modules;
what is ours to choose is here, with RULES.md's reading as the default. The settings expose it as
``CERTFLOW_SCHEME__<PART>__<FIELD>`` (e.g. ``CERTFLOW_SCHEME__LIFECYCLE__SURVEILLANCE_INTERVAL_MONTHS=6``),
and ``certflow config`` prints what is in force. Workflows receive it as input, so a running
certification keeps the configuration it started under until it is handed a new one.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rules.audit_time import AuditTimePolicy
from rules.lifecycle import LifecyclePolicy
from rules.numbering import NumberingPolicy
from rules.rating import RatingPolicy
from rules.sampling import SamplingPolicy


class ProcessPolicy(BaseModel):
    """**Decisions** on the steps the scheme does not time, and on reminders (the scheme's own limits,
    3 working days for the review, 10 for the decision, 3 for the plan's notice, are not here)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    reminder_days_before: tuple[int, ...] = Field((1,), description="days before a task's due date to remind")
    contract_working_days: int = Field(10, ge=1)
    confirmation_working_days: int = Field(
        3, ge=1, description="R-A.table: for a manager to confirm an audit time beyond the scheme's table")
    programme_working_days: int = Field(5, ge=1)
    materials_working_days: int = Field(5, ge=1, description="to review the audit materials (R-9.1.9)")
    answer_working_days: int = Field(10, ge=1, description="to supply information the decision maker asked for")
    report_working_days: int = Field(5, ge=1, description="for the leader's report after the on-site audit")
    follow_up_days: int = Field(30, ge=1, description="calendar days to correct and verify nonconformities")
    decision_clock_after_answer: Literal["restart", "continue"] = Field(
        "restart", description="R-9.1.9 Decision: after more information is supplied, the decision's 10 working "
                               "days start again from the answer, or keep the first due date")
    shoppers_took_part: bool = Field(
        True, description="R-9.1.9.n1 Decision: the mystery shoppers of an audit took part in it, so they may "
                          "not make or review its decision")
    # Issue 12, incidents: a step's activity is retried with backoff until either bound is reached, then
    # it waits for an operator's retry (GET /api/v1/incidents). 0 leaves that bound off.
    incident_after_attempts: int = Field(10, ge=0, description="attempts of a failing step before it becomes "
                                                                "an incident (0: no bound on attempts)")
    incident_after_minutes: int = Field(60, ge=0, description="minutes a step may keep failing before it "
                                                               "becomes an incident (0: no bound in time)")


class LifePolicy(BaseModel):
    """**Decisions** on the certificate's life (R-9.2 – R-9.6, R-11) that the scheme leaves open."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    surveillance_lead_days: int = Field(
        90, ge=7, description="open a surveillance's preparation this many days before its due date (R-9.2.2)")
    surveillance_reminder_days_before: tuple[int, ...] = Field(
        (60, 30, 7), description="remind the organization and the programme managers before each surveillance due date")
    surveillance_visits_required: bool = Field(
        False, description="R-3.10 Decision: mystery-shopper visits are optional in a surveillance")
    overdue_surveillance: Literal["suspend", "confirm"] = Field(
        "suspend", description="R-9.6.2 Decision: a window that closes without a decision suspends at once, "
                               "or opens a manager's confirmation task")
    triage_working_days: int = Field(5, ge=1, description="R-11: a programme manager triages a notification")
    decision_working_days: int = Field(10, ge=1, description="for surveillance, special and recertification "
                                                              "decisions (as R-9.1.9)")
    suspension_outcome_working_days: int = Field(5, ge=1, description="R-9.6.5: to decide withdrawal or reduction "
                                                                       "(runs before this run began it early)")
    suspension_outcome_lead_days: int = Field(
        14, ge=1, description="R-9.6.5 Decision: the manager's withdraw-or-reduce task opens this many days before "
                              "the suspension's end and is due on its last day, so it never outlives R-9.6.3's limit")
    suspension_unresolved: Literal["withdraw", "escalate"] = Field(
        "withdraw", description="R-9.6.5 Decision: a suspension still unresolved at its end is withdrawn then, or "
                                "stays suspended with the task escalated to the managers")
    overdue_cause_side: Literal["by_open_step", "organization", "body"] = Field(
        "by_open_step", description="R-9.6.2 Decision: whose side an automatic suspension records: "
                                    "the organization while its confirmation of changes is awaited "
                                    "or nothing has started, else the body")
    recertification_application_days: int = Field(
        60, ge=1, description="R-9.3: days the invitation gives the organization to apply")


class SchemePolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    process: ProcessPolicy = Field(default_factory=ProcessPolicy)
    audit_time: AuditTimePolicy = Field(default_factory=AuditTimePolicy)
    lifecycle: LifecyclePolicy = Field(default_factory=LifecyclePolicy)
    rating: RatingPolicy = Field(default_factory=RatingPolicy)
    numbering: NumberingPolicy = Field(default_factory=NumberingPolicy)
    life: LifePolicy = Field(default_factory=LifePolicy)
    sampling: SamplingPolicy = Field(default_factory=SamplingPolicy)
