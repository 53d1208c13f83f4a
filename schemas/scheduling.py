"""Audit scheduling (issue 18): who audits when, proposed by an optimizer, and the year's forecast.

The planner (``planning/``) takes a :class:`PlanRequest` — the audits to place, the people who could
do them, the working days — and gives back a :class:`PlanResult`: a :class:`ProposedAudit` for every
audit it could place, shaped as the programme task's payload (R-9.1.3), and an :class:`Unplaced`
explanation, with its rule id, for every one it could not. Pure data: no I/O, no Temporal.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.audits import AuditKind
from schemas.payloads import TeamAssignment, VisitPlan
from schemas.staff import Role
from schemas.tasking import QualificationPeriod
from schemas.text import Line, Text


class SchedulingPolicy(BaseModel):
    """The body's scheduling choices (Decisions: the scheme is silent on all of them); settings
    ``CERTFLOW_SCHEDULING__…``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_audit_days_per_month: int = Field(
        12, ge=1, le=31, description="a person's audit days a month when their own capacity does not say")
    max_onsite_days: int = Field(3, ge=1, le=15, description="the longest on-site audit proposed, in working days")
    max_team_size: int = Field(4, ge=1, le=12, description="the most auditors (leader included) proposed for one audit")
    plan_notice_working_days: int = Field(
        3, ge=3, description="R-9.1.6: the plan reaches the auditee at least this many working days before")
    preparation_working_days: int = Field(
        2, ge=0, description="working days after today the team needs before the plan can be sent")
    stage1_window_working_days: int = Field(
        15, ge=1, description="stage 1 falls at most this many working days before the on-site audit")
    visit_window_working_days: int = Field(
        15, ge=1, description="R-3.10: a visit falls at most this many working days before the on-site audit")
    visits_per_shopper_day: int = Field(2, ge=1, le=4, description="R-3.10: half-day visits one shopper makes a day")
    surveillance_visits: bool = Field(
        False, description="R-3.10 Decision: propose mystery-shopper visits before surveillance audits too")
    window_months_before_due: int = Field(
        3, ge=1, le=11, description="R-9.2.1: a surveillance is proposed at most this many months before its due date")
    decision_margin_working_days: int = Field(
        15, ge=0, description="working days kept between the on-site audit's end and the due date or expiry, "
                              "for the report and the decision (R-9.1.9)")
    travel_weight: int = Field(10, ge=0, description="the cost of one person travelling to another city")
    balance_weight: int = Field(5, ge=0, description="the cost of one half-day between the busiest and least busy")
    decider_weight: int = Field(
        15, ge=0, description="R-9.1.9.n1: the cost of proposing an auditor who may also decide on certifications "
                              "(on the team, they cannot decide that audit's certification)")
    time_limit_seconds: float = Field(10.0, gt=0, le=600, description="the solver's time limit for a proposal")
    horizon_time_limit_seconds: float = Field(
        60.0, gt=0, le=600, description="the solver's time limit for the plan of the coming months")
    horizon_months: int = Field(12, ge=1, le=24, description="how far ahead audits are proposed and forecast")
    horizon_plan_hour: int = Field(2, ge=0, le=23, description="the hour (Asia/Shanghai) of the daily plan of the "
                                                               "coming months")


class DateSpan(BaseModel):
    model_config = ConfigDict(frozen=True)

    starts_on: date
    ends_on: date

    @model_validator(mode="after")
    def _ordered(self) -> DateSpan:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self

    def holds(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


# --- the register's records --------------------------------------------------------------------------

class StaffCapacity(BaseModel):
    """What the planner may ask of one person: where they live (travel), how many audit days a month."""

    staff_id: UUID
    home_city: Line = Field("", description="the city a person travels from, e.g. 上海 (matched without 市)")
    max_audit_days_per_month: int | None = Field(
        None, ge=0, le=31, description="None: the body's default (scheduling policy)")


class Absence(BaseModel):
    """Leave or any other absence: kept, never deleted; a cancelled one keeps its cancellation."""

    id: UUID
    staff_id: UUID
    starts_on: date
    ends_on: date
    reason: Text = ""
    recorded_by: Line = ""
    recorded_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancelled_by: Line | None = None


# --- the planner's input ------------------------------------------------------------------------------

class PlanPerson(BaseModel):
    """One auditor or mystery shopper as the planner sees them."""

    staff_id: UUID
    name: Line
    roles: list[Role]
    qualifications: list[QualificationPeriod] = Field(default_factory=list)  # R-7.auditor
    home_city: Line = ""
    max_audit_days_per_month: int = 12
    unavailable: list[DateSpan] = Field(default_factory=list)  # absences
    booked: list[date] = Field(default_factory=list)  # days already taken by programmes in force
    conflicts: list[Line] = Field(default_factory=list)  # credit codes with a conflict that holds


class SiteDemand(BaseModel):
    name: Line
    city: Line = ""


class AuditDemand(BaseModel):
    """An audit to place: its window for the on-site start, its time, its sites."""

    key: Line  # stable across runs: what a proposal is stored under
    workflow_id: Line = ""
    kind: AuditKind
    organization_name: Line = ""
    credit_code: Line = ""
    city: Line = ""
    sites: list[SiteDemand] = Field(default_factory=list)
    earliest: date  # the first day the on-site audit may start
    latest: date  # the last day it may start (due date, expiry, less the decision margin)
    window_rule: Line = "R-9.1.3"  # the rule the window comes from
    person_days: Decimal = Field(gt=0)  # the minimum audit time (R-9.1.2.7, R-A.n1b, R-A.n1c)
    stage1: bool = False  # a separate stage 1 (R-9.1.5; after a major change)
    visits: bool = True  # mystery-shopper visits to every site
    team_hint: list[UUID] = Field(default_factory=list)  # e.g. the last audit's team: no constraint


class PlanRequest(BaseModel):
    today: date
    working_days: list[date]  # every working day from today to the horizon's end, in order (R-9.1.6 etc.)
    audits: list[AuditDemand]
    people: list[PlanPerson]
    fixed: list[ProposedAudit] = Field(default_factory=list)  # proposals kept as they are: their days are taken
    policy: SchedulingPolicy = Field(default_factory=SchedulingPolicy)
    seed: int = 1


# --- the planner's answer -----------------------------------------------------------------------------

class ProposedAudit(BaseModel):
    """A proposal in the programme's own terms (schemas.payloads.Programme), for one audit."""

    key: Line
    team: list[TeamAssignment]
    stage1_on: date | None = None
    onsite_start: date
    onsite_end: date
    visits: list[VisitPlan] = Field(default_factory=list)
    person_days: Decimal  # what the team spends: on-site days × auditors, plus stage 1
    onsite_days: Decimal
    travel: int = 0  # people (auditors and shoppers) who travel from another city

    def programme_fields(self) -> dict:
        """The programme task's payload fields this proposal fills (the rest are the manager's words)."""
        return self.model_dump(mode="json", include={"team", "stage1_on", "onsite_start", "onsite_end",
                                                     "visits", "person_days", "onsite_days"})


class Unplaced(BaseModel):
    """Why an audit has no proposal: the rule that stops it and the resource that is short."""

    key: Line
    rule_id: Line
    resource: Line  # e.g. "team leader", "mystery shopper for 上海店", "the window 2027-03-01 – 2027-03-20"
    reason: Text


class PersonLoad(BaseModel):
    staff_id: UUID
    half_days: int


class PlanResult(BaseModel):
    status: Literal["optimal", "feasible", "infeasible", "unknown"]
    proposals: list[ProposedAudit] = Field(default_factory=list)
    unplaced: list[Unplaced] = Field(default_factory=list)
    travel: int = 0
    load_spread: int = 0  # half-days between the busiest and the least busy auditor
    loads: list[PersonLoad] = Field(default_factory=list)
    wall_seconds: float = 0.0


PlanRequest.model_rebuild()


# --- the forecast ---------------------------------------------------------------------------------------

class MonthForecast(BaseModel):
    """One month's demand for person-days against what the body's people can give that month."""

    month: Line  # "2027-03"
    audits: int = 0
    auditor_demand: Decimal = Decimal(0)  # person-days of audit time (Appendix A, R-A.n1b, R-A.n1c)
    auditor_capacity: Decimal = Decimal(0)  # Σ min(working days not on leave, monthly cap), qualified auditors
    shopper_demand: Decimal = Decimal(0)  # visits, 0.5 person-day a site
    shopper_capacity: Decimal = Decimal(0)
    by_kind: dict[Line, Decimal] = Field(default_factory=dict)  # auditor demand by audit kind
    over_capacity: bool = False  # either demand above its capacity
    provisional: bool = False  # a year the holiday table does not cover: working days guessed as Mon–Fri


class Forecast(BaseModel):
    today: date
    months: list[MonthForecast]


# --- the register's proposals ----------------------------------------------------------------------------

class StoredProposal(BaseModel):
    """One version of the proposal for an audit (migration 0015): the latest is in force."""

    key: Line
    version: int
    workflow_id: Line = ""
    task_id: Line | None = None
    kind: AuditKind
    demand: AuditDemand
    proposal: ProposedAudit | None = None
    unplaced: Unplaced | None = None
    reason: Text = ""
    planned_on: date
    planned_at: datetime | None = None


class ScheduleView(BaseModel):
    """The proposal in force for a programme task, as the API and the pages show it: the programme's
    fields to accept or change, or why there is none."""

    key: Line
    version: int | None = None
    planned_on: date | None = None
    reason: Text = ""
    programme: dict | None = None  # ProposedAudit.programme_fields()
    travel: int | None = None
    unplaced: Unplaced | None = None
    failed: Text | None = None  # the planner itself failed: plan by hand
