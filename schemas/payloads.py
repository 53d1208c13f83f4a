"""What each human task asks of the person completing it (the ``payload`` of a TaskCompletion).

Shape only: the rules (R-7, R-3.10, R-9.1.6, R-9.1.9.n1, R-A.n1a, ...) are checked by the workflow's
validators, which know the process state. ``TASK_PAYLOADS`` maps a task kind to its model, so the
API can publish the JSON schema a task expects.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.base import Day
from schemas.text import Line, Text

HAPPENED = "happened"  # marks a date on which something took place: never after the process's today
Happened = Annotated[date, HAPPENED]
MaybeHappened = Annotated[date | None, HAPPENED]


def happened_dates(model: BaseModel, path: str = "") -> list[tuple[str, date]]:
    """Every ``Happened`` date of a payload, nested models and lists included, with its field path: the
    days on which what it records took place (checked against the process's today, DESIGN "dates are
    facts")."""
    found: list[tuple[str, date]] = []
    for name, info in type(model).model_fields.items():
        value, where = getattr(model, name), f"{path}{name}"
        if HAPPENED in info.metadata and value is not None:
            found.append((where, value))
        for n, item in _models_in(value):
            found += happened_dates(item, f"{where}{n}.")
    return found


def _models_in(value: Any) -> list[tuple[str, BaseModel]]:
    if isinstance(value, BaseModel):
        return [("", value)]
    if isinstance(value, list):
        return [(f"[{i}]", v) for i, v in enumerate(value) if isinstance(v, BaseModel)]
    return []


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def staff_ids(self) -> set[UUID]:
        """People this payload names, whose roles and qualifications the API attaches as facts."""
        return set()


# --- application review ------------------------------------------------------------------

class AuditTimeAdjustment(BaseModel):
    """R-9.1.2.7: a departure from the Appendix A table value, with its reason."""

    kind: Literal["reduction", "increase"]
    days: Decimal = Field(gt=0)
    reason: Text = Field(min_length=1)


class ReviewPoint(BaseModel):
    satisfied: bool
    note: Text = ""


class ApplicationReview(Payload):
    """R-9.1.2 points 1–7, the conclusion, and the audit time (R-9.1.2.7)."""

    information_complete: ReviewPoint
    industry_and_process_understood: ReviewPoint
    state_requirements_known: ReviewPoint
    differences_resolved: ReviewPoint
    body_able_to_certify: ReviewPoint
    scope_and_sites_confirmed: ReviewPoint
    audit_time_determined: ReviewPoint
    conclusion: Literal["accept", "reject"]
    reasons: Text = Field("", description="required when rejecting: they go to the applicant in writing (R-9.1.2.8)")
    audit_time_adjustments: list[AuditTimeAdjustment] = Field(default_factory=list)


class AuditTimeConfirmation(Payload):
    """R-A.table Decision: above the scheme's own rows (1,175 people) the table is the body's continuation,
    so a manager confirms the audit time the review set, or changes it with the reason (R-9.1.2.7)."""

    outcome: Literal["confirm", "change"]
    person_days: Decimal | None = Field(None, gt=0, description="the audit time set instead (with change)")
    reason: Text = Field("", description="why the time changes: required with change, recorded with the time")


class ContractSigned(Payload):
    """R-9.1.2.8: accepted → a contract is signed."""

    signed_on: Happened
    contract_reference: Line = Field(min_length=1)


# --- programme ---------------------------------------------------------------------------

class TeamAssignment(BaseModel):
    staff_id: UUID
    role: Literal["leader", "auditor", "expert"]


class VisitPlan(BaseModel):
    """R-3.10: a mystery-shopper visit to one site, before the on-site audit."""

    site: Line = Field(description="the site's name as in the application")
    shopper_id: UUID
    planned_on: Day
    person_days: Decimal = Field(Decimal("0.5"), gt=0)


class Programme(Payload):
    """R-9.1.3 the certification programme for the initial audit; R-9.1.4 the team (rules of R-7)."""

    objectives: Text = Field(min_length=1)
    criteria: Line = "YD/T 2823-2015"
    methods: Text = ""
    person_days: Decimal = Field(gt=0, description="audit time, not below the reviewed audit time (R-9.1.2.7)")
    onsite_days: Decimal = Field(gt=0, description="on-site part, at least 80 % of person_days (R-A.n1a)")
    stage1_on: Day | None = Field(None, description="required where the audit has a separate stage 1 (R-9.1.5, R-9.3)")
    onsite_start: Day
    onsite_end: Day
    team: list[TeamAssignment] = Field(min_length=1)
    visits: list[VisitPlan] = Field(default_factory=list)
    confidentiality_and_logistics: Text = ""

    @model_validator(mode="after")
    def _dates_in_order(self) -> Programme:
        if self.onsite_end < self.onsite_start:
            raise ValueError("onsite_end is before onsite_start")
        return self

    def staff_ids(self) -> set[UUID]:
        return {m.staff_id for m in self.team} | {v.shopper_id for v in self.visits}


class ProgrammeRevision(Payload):
    """R-9.1.10: a change of the programme, with its reason; every version is kept."""

    programme: Programme
    reason: Text = Field(min_length=1)

    def staff_ids(self) -> set[UUID]:
        return self.programme.staff_ids()


# --- the audit (R-9.1.5 –) ----------------------------------------------------------------

class Stage1Findings(Payload):
    """R-9.1.5 points 1–7 and whether the auditee is ready for the on-site audit."""

    planning: Text
    documents: Text
    monitoring: Text
    improvement: Text
    legal_compliance: Text
    resources: Text
    sites_processes_equipment: Text
    ready_for_onsite: bool
    concerns: Text = Field("", description="required when not ready: they are told to the applicant")
    held_on: MaybeHappened = Field(None, description="the day stage 1 took place; omitted: the programme's day. "
                                                   "Not after today (dates are facts)")


class MysteryShopperReport(Payload):
    """R-3.10: service quality and environment seen unannounced, before the on-site audit."""

    visited_on: Happened
    person_days: Decimal = Field(gt=0)
    service_quality: Text = Field(min_length=1)
    service_environment: Text = Field(min_length=1)


class OnsitePlanSent(Payload):
    """R-9.1.6: the plan and the day the leader communicated it to the applicant."""

    sent_on: Happened
    plan: Text = Field(min_length=1)


class ItemAssessment(BaseModel):
    item_id: Line
    method_compliant: bool
    executed: bool
    method_score: Decimal = Field(ge=0)
    execution_score: Decimal = Field(ge=0)


class FindingInput(BaseModel):
    kind: Literal["major_nonconformity", "minor_nonconformity", "observation"]
    clause: Line = ""
    department: Line = ""
    description: Text = Field(min_length=1)
    acknowledged_on: MaybeHappened = Field(None, description="R-9.1.8: the auditee's acknowledgement")


class OnsiteResults(Payload):
    """R-9.1.7 item results against the catalogue and findings acknowledged by the auditee (R-9.1.8), and
    the days the on-site audit took place: what is counted from the audit (R-9.2.1) counts from these."""

    items: list[ItemAssessment]
    findings: list[FindingInput] = Field(default_factory=list)
    started_on: MaybeHappened = Field(None, description="first on-site day; omitted: the programme's onsite_start")
    ended_on: MaybeHappened = Field(None, description="last on-site day; omitted: the programme's onsite_end. "
                                                    "Not after today: results are recorded once the audit is over")


class Correction(BaseModel):
    finding_id: Line
    corrected_on: MaybeHappened = None
    verified_on: MaybeHappened = None
    note: Text = ""


class NonconformityFollowUp(Payload):
    """R-9.1.7: corrections of nonconformities and their verification; unverified ones stay open."""

    corrections: list[Correction]


class AuditReport(Payload):
    """R-9.1.8: the leader's report, gone through with the auditee, and the team's recommendation."""

    summary: Text = Field(min_length=1)
    discussed_with_auditee_on: Happened
    recommendation: Literal["recommend", "do_not_recommend"]


# --- the decision (R-9.1.9) -----------------------------------------------------------------------

class MaterialsReview(Payload):
    """R-9.1.9: the audit materials reviewed and accepted as complete; acceptance starts the 10 days."""

    accepted: bool
    notes: Text = ""


class CertificationDecision(Payload):
    outcome: Literal["grant", "more_information", "refuse"]
    star_level: Literal["compliant", "three_star", "four_star", "five_star"] | None = Field(
        None, description="when granting: not above the level the audit computed (R-6.result)")
    reasons: Text = Field("", description="required when refusing: sent in writing (R-9.1.9 c)")
    questions: Text = Field("", description="required when asking for more information (R-9.1.9 b)")


class MoreInformation(Payload):
    """R-9.1.9 b: the information the decision maker asked for."""

    answer: Text = Field(min_length=1)


# --- the certificate's life (R-9.2, R-9.3, R-9.4, R-9.6, R-11) -------------------------------------

class SurveillanceChanges(Payload):
    """R-9.2.2: the organization confirms its basic, organization and key-document changes before the
    surveillance; its current departments are the population the sampling draws from (R-9.2.5)."""

    confirmed_on: Happened
    basic_changes: Text = Field("", description="name, address, legal status, scale ... ('' = none)")
    organization_changes: Text = ""
    key_document_changes: Text = ""
    departments: list[Line] = Field(min_length=1, description="the organization's current departments")
    decisive_departments: list[Line] = Field(default_factory=list,
                                            description="sampled in every surveillance (R-9.2.5 (2))")
    major_change: bool = False


class SampledScope(BaseModel):
    clauses: list[Line] = Field(min_length=1)
    departments: list[Line] = Field(min_length=1)


class SurveillanceProgramme(Payload):
    """R-9.2.3 the team, R-A.n1b the time, R-9.2.5 the sampling (the proposal shown may be changed)."""

    programme: Programme
    sampling: SampledScope
    important_clauses: list[Line] = Field(default_factory=list, description="R-9.2.5 (4)")

    def staff_ids(self) -> set[UUID]:
        return self.programme.staff_ids()


class SurveillanceReview(Payload):
    """R-9.2.4: the team reviews the changes and whether the programme must change."""

    changes_reviewed: Text = Field(min_length=1)
    programme_must_change: bool = False
    notes: Text = ""


class SurveillanceDecision(Payload):
    """R-9.2.8: (a) maintain, (b) more information then decide, (c) do not maintain: suspend or withdraw."""

    outcome: Literal["maintain", "more_information", "suspend", "withdraw"]
    reasons: Text = Field("", description="required when not maintaining: sent in writing")
    questions: Text = Field("", description="required when asking for more information")


class RecertificationApplication(Payload):
    """R-9.3: the organization applies to recertify; a major change may call for a separate stage 1."""

    applied_on: Happened
    applies: bool = Field(True, description="false: the organization declines; the certificate will expire")
    major_change: bool = Field(False, description="of the organization or its environment (e.g. the law)")
    separate_stage1: bool = Field(False, description="the body's choice: stage 1 apart from the on-site audit")
    notes: Text = ""


class RecertificationDecision(Payload):
    outcome: Literal["renew", "more_information", "refuse"]
    star_level: Literal["compliant", "three_star", "four_star", "five_star"] | None = Field(
        None, description="when renewing: not above the level the audit computed (R-6.result)")
    reasons: Text = ""
    questions: Text = ""


class SpecialDecision(Payload):
    """R-9.4: the decision that follows a special audit's conclusion."""

    outcome: Literal["maintain", "agree_scope_change", "refuse_scope_change", "reinstate", "suspend", "withdraw",
                     "reduce_scope", "more_information"]
    reasons: Text = ""
    questions: Text = Field("", description="what the decision maker needs to know first (more_information)")
    scope: Text | None = Field(None, description="the scope agreed (scope change) or kept (reduction)")
    remove_sites: list[Line] = Field(default_factory=list)


class SuspensionOutcome(Payload):
    """R-9.6.5: a suspension not resolved in time ends in withdrawal or a reduced scope (R-9.6.6)."""

    outcome: Literal["withdraw", "reduce_scope"]
    reasons: Text = Field(min_length=1)
    scope: Text | None = None
    remove_sites: list[Line] = Field(default_factory=list)


class NotificationTriage(Payload):
    """R-11: the programme manager's analysis of what the organization reported, and the action."""

    analysis: Text = Field(min_length=1)
    outcome: Literal["no_action", "special_audit", "extra_surveillance", "suspend", "withdraw"]
    reasons: Text = ""


class OverdueSuspension(Payload):
    """R-9.6.2 Decision (when configured): a manager confirms the suspension of an overdue surveillance."""

    suspend: bool
    cause_side: Literal["organization", "body"] = Field(
        description="who let the window close: the organization refused or delayed, or the body did")
    reasons: Text = Field(min_length=1)


TASK_PAYLOADS: dict[str, type[Payload]] = {
    "application_review": ApplicationReview,
    "audit_time_confirmation": AuditTimeConfirmation,
    "contract": ContractSigned,
    "programme": Programme,
    "stage1": Stage1Findings,
    "mystery_shopper_report": MysteryShopperReport,
    "onsite_plan": OnsitePlanSent,
    "onsite_audit": OnsiteResults,
    "nonconformity_follow_up": NonconformityFollowUp,
    "audit_report": AuditReport,
    "materials_review": MaterialsReview,
    "certification_decision": CertificationDecision,
    "more_information": MoreInformation,
    "surveillance_changes": SurveillanceChanges,
    "surveillance_programme": SurveillanceProgramme,
    "surveillance_review": SurveillanceReview,
    "surveillance_decision": SurveillanceDecision,
    "recertification_application": RecertificationApplication,
    "recertification_programme": Programme,
    "recertification_decision": RecertificationDecision,
    "special_programme": Programme,
    "special_decision": SpecialDecision,
    "suspension_outcome": SuspensionOutcome,
    "notification_triage": NotificationTriage,
    "overdue_suspension": OverdueSuspension,
}


class RegulatorReportSent(Payload):
    """The month's report sent to the certification authority (CNCA), due by the 10th."""

    sent_on: Happened
    reference: Line = Field("", description="e.g. the submission number the authority's system gave")


TASK_PAYLOADS["regulator_report"] = RegulatorReportSent
