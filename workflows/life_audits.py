"""The steps every audit of a certificate's life shares: its programme recorded as a version (R-9.2.9,
R-9.5.3) and checked (R-9.2.1, R-9.3, R-A.n1b, R-A.n1c), the audit run as an ``AuditWorkflow`` child,
and the decision by someone who took no part in it (R-9.1.9.n1) with its more-information loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, Decimal
from typing import Any, TypeVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from rules.audit_time import recertification_days, surveillance_days
    from rules.policy import ProcessPolicy
    from rules.programme import check_programme
    from schemas.audits import AuditKind
    from schemas.errors import RuleViolation
    from schemas.payloads import MoreInformation, Payload, Programme, SampledScope
    from schemas.staff import Role
    from schemas.tasking import TaskFacts
    from workflows.audit import AuditInput, AuditOutcome, AuditWorkflow
    from workflows.incidents import IncidentBound
    from workflows.life_context import LifeContext
    from workflows.search_attributes import audit_start
    from workflows.tasks import Check, Completed, today

TENTH = Decimal("0.1")
D = TypeVar("D", bound=Payload)


def at_least(initial: Decimal, fraction: Decimal, floor: Decimal) -> Decimal:
    """R-A.n1b / R-A.n1c as runs begun before ``scheme-gaps-2026-12`` check them (their histories replay
    so): a share of the initial audit time, rounded up to a tenth, never below ``floor``."""
    return max((initial * fraction).quantize(TENTH, rounding=ROUND_CEILING), floor)


def took_part(outcome: AuditOutcome, process: ProcessPolicy, *, integrity_checks: bool) -> frozenset:
    """R-9.1.9.n1: who took part in the audit and may not decide: its team, and (a Decision) its
    mystery shoppers."""
    shoppers = outcome.shoppers if integrity_checks and process.shoppers_took_part else []
    return frozenset(outcome.team) | frozenset(shoppers)


@dataclass
class AuditsState:
    """The life's audits in this run."""

    running: list[str] = field(default_factory=list)  # audit workflow ids, while they run
    started: set[str] = field(default_factory=set)  # those the server has started (``wait_for_audit``)


class LifeAudits:
    """The audit steps of surveillance, recertification and special audits."""

    def __init__(self, ctx: LifeContext) -> None:
        self.ctx = ctx
        self.state = AuditsState()
        self.decisions = Decisions(ctx)

    def check_programme(self, p: Programme, facts: TaskFacts, minimum: Decimal, rule: str, *, stage1: bool,
                        visits: bool, by: date | None) -> None:
        check_programme(p, site_names=list(self.ctx.state.sites), minimum_person_days=minimum, staff=facts.staff,
                        today=today(), stage1=stage1, visits_required=visits, minimum_rule=rule)
        if by is not None and p.onsite_end > by:
            raise RuleViolation("R-9.2.1" if rule == "R-A.n1b" else "R-9.3",
                                f"the on-site audit must end by {by}, not {p.onsite_end}")

    def least_days(self, rule: str) -> Decimal:
        """The least person-days of a surveillance year (R-A.n1b) or a recertification (R-A.n1c): from
        rules.audit_time, rounded up to its day_step, for runs begun since record-integrity."""
        initial, policy = self.ctx.state.initial_person_days, self.ctx.input.policy.audit_time
        if not self.ctx.checks.scheme_gaps:
            share, floor = (Decimal(1) / 3, Decimal(1)) if rule == "R-A.n1b" else (Decimal(2) / 3, Decimal(2))
            return at_least(initial, share, floor)
        return surveillance_days(initial, policy) if rule == "R-A.n1b" else recertification_days(initial, policy)

    async def record_programme_version(self, kind: str, programme: dict) -> None:
        """R-9.2.9, R-9.5.3: every audit's programme is a recorded version of the certification programme."""
        s = self.ctx.state
        s.programme_version += 1
        await self.ctx.record_event("programme.version", "R-9.2.9", {"version": s.programme_version, "kind": kind,
                                                               "programme": programme})

    async def run_audit(self, kind: AuditKind, programme: Programme, *, stage1: bool, visits_required: bool,
                        full_assessment: bool, plan_notice: int = 3, minimum: Decimal = Decimal("0.5"),
                        rule: str = "R-9.1.2.7", sampling: SampledScope | None = None) -> AuditOutcome:
        s, steps = self.ctx.state, self.ctx.input.policy.process
        wf_id = workflow.info().workflow_id
        s.audit_counts[kind.value] = s.audit_counts.get(kind.value, 0) + 1
        audit_id = f"audit-{wf_id}-{kind.value}-{s.audit_counts[kind.value]}"
        self.state.running.append(audit_id)
        called = self.ctx.board.enter(f"{kind.value}_audit")
        try:
            audit = await workflow.start_child_workflow(
                AuditWorkflow.run,
                AuditInput(audit_id=audit_id, certification_workflow_id=wf_id, organization_id=s.organization_id,
                           organization_name=s.organization_name,
                           contact_email=self.ctx.input.submission.organization.contact.email, kind=kind,
                           site_names=list(s.sites), programme=programme, minimum_person_days=minimum,
                           reference=self.ctx.process.reference_data(), reminder_days_before=steps.reminder_days_before,
                           follow_up_days=steps.follow_up_days, report_working_days=steps.report_working_days,
                           stage1=stage1, visits_required=visits_required, plan_notice_working_days=plan_notice,
                           full_assessment=full_assessment, minimum_rule=rule,
                           process_pages=self.ctx.input.process_pages, incident_bound=IncidentBound.of(steps),
                           sampling=sampling),
                id=audit_id,
                **audit_start(kind.value, self.ctx.input.application_id, s.organization_name,
                              self.ctx.input.submission.organization.credit_code, s.number,
                              old_summary=f"{kind.value} audit of {s.organization_name} ({s.number})"),
            )
            self.state.started.add(audit_id)  # the server has it: its Updates can be addressed
            return await audit
        finally:
            self.state.running.remove(audit_id)
            self.ctx.board.leave(called)


class Decisions:
    """The decision after a life's audit (surveillance, recertification, special)."""

    def __init__(self, ctx: LifeContext) -> None:
        self.ctx = ctx

    def took_part(self, outcome: AuditOutcome) -> frozenset:
        return took_part(outcome, self.ctx.input.policy.process, integrity_checks=self.ctx.checks.integrity)

    async def ask(self, kind: str, model: type[D], title: str, rule: str, outcome: AuditOutcome, *,
                  check: Check, latest: date | None, more: str, gateway: str,
                  context: dict | None = None) -> Completed[D]:
        """Ask for a decision by someone who took no part in the audit (R-9.1.9.n1 Decision), with the
        more-information loop (R-9.2.8 b); after an answer the decision's time starts again, or not
        (``decision_clock_after_answer``, R-9.1.9 Decision). ``more``: the answer's element id; ``gateway``: the
        decision's. The callers name ``kind`` and ``more`` literally: certflow/conformance.py reads them there."""
        due: dict[str, Any] | None = None
        while True:
            if due is None or self.ctx.input.policy.process.decision_clock_after_answer == "restart":
                due = self.ctx.due(self.ctx.input.policy.life.decision_working_days)
            if latest is not None and latest < due["due_on"]:
                due = {"due_on": max(latest, today()), "due_provisional": False}
            decision = await self.ctx.board.ask(
                kind, model, title=title, role=Role.DECISION_MAKER, rule_id=rule, excluded=self.took_part(outcome),
                check=check, **due,
                context={"audit": outcome.audit_id, "recommendation": outcome.recommendation,
                         "computed_level": outcome.computed_level, "rating": outcome.rating_summary,
                         "open_major_nonconformities": outcome.open_major,
                         **(context or {})})
            self.ctx.board.passed(gateway)
            if getattr(decision.payload, "outcome", None) != "more_information":
                return decision
            await self.ctx.board.ask("more_information", MoreInformation, title="more information for the decision",
                                     role=Role.PROGRAMME_MANAGER, rule_id=rule, element_id=more,
                                     context={"questions": getattr(decision.payload, "questions", "")},
                                     **self.ctx.due(self.ctx.input.policy.process.answer_working_days))

