"""The body's configuration of the scheme: every **Decision** of RULES.md in one model.

The scheme's own numbers (3 working days, 12 months, 6 months, 80 %, ...) stay in the rule modules;
what is ours to choose is here, with RULES.md's reading as the default. The settings expose it as
``CERTFLOW_SCHEME__<PART>__<FIELD>`` (e.g. ``CERTFLOW_SCHEME__LIFECYCLE__SURVEILLANCE_INTERVAL_MONTHS=6``),
and ``certflow config`` prints what is in force. Workflows receive it as input, so a running
certification keeps the configuration it started under until it is handed a new one.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from rules.audit_time import AuditTimePolicy
from rules.lifecycle import LifecyclePolicy
from rules.numbering import NumberingPolicy
from rules.rating import RatingPolicy


class ProcessPolicy(BaseModel):
    """**Decisions** on the steps the scheme does not time, and on reminders (the scheme's own limits,
    3 working days for the review, 10 for the decision, 3 for the plan's notice, are not here)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    reminder_days_before: tuple[int, ...] = Field((1,), description="days before a task's due date to remind")
    contract_working_days: int = Field(10, ge=1)
    programme_working_days: int = Field(5, ge=1)
    materials_working_days: int = Field(5, ge=1, description="to review the audit materials (R-9.1.9)")
    answer_working_days: int = Field(10, ge=1, description="to supply information the decision maker asked for")
    report_working_days: int = Field(5, ge=1, description="for the leader's report after the on-site audit")
    follow_up_days: int = Field(30, ge=1, description="calendar days to correct and verify nonconformities")


class SchemePolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    process: ProcessPolicy = Field(default_factory=ProcessPolicy)
    audit_time: AuditTimePolicy = Field(default_factory=AuditTimePolicy)
    lifecycle: LifecyclePolicy = Field(default_factory=LifecyclePolicy)
    rating: RatingPolicy = Field(default_factory=RatingPolicy)
    numbering: NumberingPolicy = Field(default_factory=NumberingPolicy)
