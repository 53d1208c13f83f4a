"""Inputs, outputs and queries of the workflows: what the API and the worker agree on.

Kept apart from the workflow code so the API can import them without the workflow's sandbox rules.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from rules.policy import SchemePolicy
from schemas.intake import ApplicationSubmission
from schemas.tasking import Actor, TaskView

CERTIFICATION_WORKFLOW = "CertificationWorkflow"
AUDIT_WORKFLOW = "AuditWorkflow"
STATUS_QUERY = "status"


def certification_workflow_id(application_id: UUID) -> str:
    return f"certification-{application_id}"


class LifeState(BaseModel):
    """Everything the certificate's life needs to go on in a new run (continue-as-new at each validity
    cycle, R-9.3, and whenever Temporal suggests it): dates, status, what the cycle's surveillances
    covered (R-9.2.1, R-9.2.5) and the counters that keep task, event and audit ids unique."""

    number: str
    organization_id: UUID
    organization_name: str
    star_level: str
    scope: str
    sites: dict[str, UUID] = Field(description="site name -> site id, the sites still on the certificate")
    valid_from: date
    valid_to: date
    decided_on: date = Field(description="the decision that began this cycle (R-9.2.1: the first surveillance "
                                         "is counted from it)")
    initial_person_days: Decimal = Field(description="the initial audit time, base of R-A.n1b and R-A.n1c")
    cycle: int = 1
    base_status: Literal["valid", "scope_reduced"] = "valid"
    suspended_on: date | None = None
    suspended_until: date | None = None
    suspension_cause: str | None = None
    surveillances_done: int = 0
    last_surveillance_on: date | None = None
    surveillance_year_days: Decimal = Field(Decimal(0), description="R-A.n1b: person-days of the extra surveillance "
                                            "audits programmed in the surveillance year still open")
    covered_clauses: list[str] = Field(default_factory=list)
    covered_departments: list[str] = Field(default_factory=list)
    findings_by_department: dict[str, int] = Field(default_factory=dict)
    revision: int = 0
    invited: bool = False
    recertification_declined: bool = False
    task_counts: dict[str, int] = Field(default_factory=dict)
    events: int = 0
    audit_counts: dict[str, int] = Field(default_factory=dict)
    programme_version: int = 0

    @property
    def status(self) -> str:
        return "suspended" if self.suspended_until else self.base_status


class CertificationInput(BaseModel):
    application_id: UUID
    submission: ApplicationSubmission
    submitted_at: datetime
    submitted_by: Actor
    policy: SchemePolicy = Field(default_factory=SchemePolicy)
    life: LifeState | None = Field(None, description="set when the certificate's life continues in a new run")
    process_pages: str | None = Field(None, description="where the process pages are served (the API's address): "
                                                        "the Temporal UI's details link to /processes/{workflow id}")


Stage = Literal[
    "application_review", "contract", "programme", "audit", "materials_review", "decision",
    "more_information", "granted", "rejected", "refused", "expired", "withdrawn",
]
# "granted": the certificate is in its life (surveillance, suspension, special audits, recertification);
# ``LifeStatus`` says where. "expired" and "withdrawn" end the process.


class DueDate(BaseModel):
    what: Literal["surveillance", "suspension_end", "recertification_invitation", "expiry"]
    on: date
    rule_id: str


class LifeStatus(BaseModel):
    """The certificate's life as its process holds it (R-9.2 – R-9.6, R-10)."""

    number: str
    status: str  # valid | suspended | withdrawn | scope_reduced | expired
    star_level: str
    scope: str
    valid_from: date
    valid_to: date
    cycle: int = Field(description="1 for the initial certification's validity, 2 after the first recertification ...")
    surveillances_done: int
    last_surveillance_on: date | None = None
    suspended_until: date | None = None
    suspension_cause: str | None = None
    revision: int = 0
    next_due: list[DueDate] = Field(default_factory=list)
    audits_running: list[str] = Field(default_factory=list)


class LifeWait(BaseModel):
    """What a caller of the ``wait_for_life`` Update waits for: every field given must match."""

    status: str | None = None
    cycle: int | None = None
    surveillances_done: int | None = None
    revision: int | None = None

    def met_by(self, life: LifeStatus) -> bool:
        return all(getattr(life, name) == value for name, value in self.model_dump(exclude_none=True).items())


class ProcessStatus(BaseModel):
    """Where one certification stands, for the API and the Temporal UI."""

    workflow_id: str
    application_id: UUID
    organization: str
    stage: Stage
    summary: str
    open_tasks: list[TaskView] = Field(default_factory=list)
    unclosed_tasks: list[str] = Field(default_factory=list)  # done with, not yet closed in the inbox
    audit_workflow_id: str | None = None
    computed_level: str | None = None
    certificate_number: str | None = None
    valid_to: date | None = None
    programme_version: int = 0
    life: LifeStatus | None = None
