"""Recertification (R-9.3): the invitation, the application, the programme (R-A.n1c), the audit and
the decision; a renewal continues as new into the next cycle (``CycleState.renewal``); no decision by
the last day lets the certificate expire (R-9.6.8).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.records import ExpiryInput, RecordActivities, RenewalInput
    from rules.lifecycle import recertification_window, renewed_validity
    from rules.rating import LEVEL_RANK, Level, check_level_decided
    from schemas.audits import AuditKind
    from schemas.certificates import StarLevel
    from schemas.errors import RuleViolation
    from schemas.payloads import Programme, RecertificationApplication, RecertificationDecision
    from schemas.staff import Role
    from workflows.audit import AuditOutcome
    from workflows.contracts import LifeState
    from workflows.life_audits import LifeAudits
    from workflows.life_context import LifeContext
    from workflows.programme_proposals import propose_programme
    from workflows.tasks import NOTICE_HOUR, Completed, start_of, today


class Recertification:
    """Its state is the certificate's (``LifeState.invited``, ``recertification_declined``) and, once
    decided, the next cycle (``CycleState.renewal``)."""

    def __init__(self, ctx: LifeContext, audits: LifeAudits) -> None:
        self.ctx = ctx
        self.audits = audits

    async def invite_and_renew(self) -> None:
        s = self.ctx.state
        if s.recertification_declined:
            return
        window = recertification_window(s.valid_to, self.ctx.input.policy.lifecycle)
        invitation = start_of(window.invitation_date) + timedelta(hours=NOTICE_HOUR.hour)
        if not s.invited and not await self.ctx.cycle_reaches(invitation,
                                                              f"invite to recertify on {window.invitation_date}"):
            return
        self.ctx.board.passed("recertification_invitation")
        with self.ctx.step_under_way():
            if not s.invited:
                s.invited = True
                await self.ctx.notify_org("recertification_invitation", "R-9.3", {
                    "number": s.number, "valid_to": s.valid_to.isoformat(),
                    "decision_deadline": window.decision_deadline.isoformat()})
            self.ctx.publish()
            applied = await self.ask_application()
            if applied is None:
                return
            a, minimum = applied.payload, self.audits.least_days("R-A.n1c")
            programme = await self.ask_programme(a, minimum)
            if programme is None:
                return
            await self.audits.record_programme_version("recertification", programme.payload.model_dump(mode="json"))
            outcome = await self.audits.run_audit(
                AuditKind.RECERTIFICATION, programme.payload, stage1=a.separate_stage1, visits_required=True,
                full_assessment=True, minimum=minimum, rule="R-A.n1c")
            decision = await self.audits.decisions.ask(
                "recertification_decision", RecertificationDecision, "recertification decision", "R-9.3", outcome,
                check=lambda p, actor, facts: self.check_renewal(p, outcome), latest=s.valid_to,
                more="recertification_more_information", gateway="recertification_outcome")
            if decision.payload.outcome == "refuse":
                await self.refused(decision)
                return
            await self.renew(decision, outcome)

    async def ask_application(self) -> Completed[RecertificationApplication] | None:
        """The organization applies, or declines (R-9.3); declining closes recertification for the cycle."""
        s, lp = self.ctx.state, self.ctx.input.policy.life
        applied = await self.ctx.board.ask(
            "recertification_application", RecertificationApplication, title="recertification application",
            role=Role.REVIEWER, rule_id="R-9.3",
            due_on=min(today() + timedelta(days=lp.recertification_application_days), s.valid_to),
            context={"number": s.number, "valid_to": s.valid_to.isoformat()}, cancel_when=self.ctx.cycle_is_over)
        if applied is None:
            return None
        self.ctx.board.passed("recertification_applies")
        if not applied.payload.applies:
            s.recertification_declined = True
            await self.ctx.record_event("recertification.declined", "R-9.3", {"notes": applied.payload.notes})
            self.ctx.board.passed("recertification_closed")
            return None
        return applied

    async def ask_programme(self, a: RecertificationApplication, minimum: Decimal) -> Completed[Programme] | None:
        """The programme, at least the recertification time (R-A.n1c), on site before the validity ends."""
        s = self.ctx.state
        return await self.ctx.board.ask(
            "recertification_programme", Programme, title="recertification programme",
            role=Role.PROGRAMME_MANAGER, rule_id="R-9.3",
            check=lambda p, actor, facts: self.audits.check_programme(
                p, facts, minimum, "R-A.n1c", stage1=a.separate_stage1, visits=True, by=s.valid_to),
            **self.ctx.due(self.ctx.input.policy.process.programme_working_days),
            context={"minimum_person_days": str(minimum), "separate_stage1": a.separate_stage1,
                     "major_change": a.major_change, "valid_to": s.valid_to.isoformat(),
                     **await propose_programme(  # issue 18: a team and dates to accept or change
                         self.ctx.board, "recertification_programme", AuditKind.RECERTIFICATION, minimum=minimum,
                         stage1=a.separate_stage1, visits=True, site_names=list(s.sites), end_by=s.valid_to,
                         window_rule="R-9.3")},
            cancel_when=self.ctx.cycle_is_over)

    async def refused(self, decision: Completed[RecertificationDecision]) -> None:
        s, d = self.ctx.state, decision.payload
        s.recertification_declined = True
        await self.ctx.record_event("recertification.refused", "R-9.3",
                                    {"reasons": d.reasons, "by": decision.actor.name})
        await self.ctx.notify("certification_refused", "R-9.3", {"reasons": d.reasons,
                                                                 "organization": s.organization_name})
        self.ctx.board.passed("recertification_closed")

    async def renew(self, decision: Completed[RecertificationDecision], outcome: AuditOutcome) -> None:
        """R-9.3: the same number, a new validity from the decision; the next cycle begins in a new run."""
        s, d = self.ctx.state, decision.payload
        valid_from, valid_to = renewed_validity(s.valid_to, self.ctx.input.policy.lifecycle, decision_date=today())
        assert d.star_level is not None  # check_renewal
        level = StarLevel(d.star_level)
        await self.ctx.register(
            RecordActivities.renew_certificate,
            RenewalInput(number=s.number, issued_on=today(), valid_from=valid_from, valid_to=valid_to,
                         star_level=level, event=self.ctx.cert_event("certificate.recertified", "R-9.3", {
                             "valid_from": valid_from.isoformat(), "valid_to": valid_to.isoformat(),
                             "star_level": level.value, "cycle": s.cycle + 1, "by": decision.actor.name})),
            "renew the certificate (R-9.3)")
        self.ctx.board.passed("renew_certificate")
        self.ctx.issue_document("recertified")
        await self.ctx.notify_org("certificate_renewed", "R-9.3", {
            "number": s.number, "star_level": level.value, "valid_from": valid_from.isoformat(),
            "valid_to": valid_to.isoformat()})
        self.ctx.cycle.renewal = self.next_cycle(level, valid_from, valid_to, outcome)
        self.ctx.board.details(f"certificate {s.number} renewed: valid {valid_from} … {valid_to} (R-9.3)")

    def next_cycle(self, level: StarLevel, valid_from: date, valid_to: date, outcome: AuditOutcome) -> LifeState:
        s = self.ctx.state
        return LifeState(
            number=s.number, organization_id=s.organization_id, organization_name=s.organization_name,
            star_level=level.value, scope=s.scope, sites=dict(s.sites), valid_from=valid_from, valid_to=valid_to,
            decided_on=today(), initial_person_days=s.initial_person_days, cycle=s.cycle + 1,
            base_status="valid", revision=0, programme_version=s.programme_version,
            findings_by_department=outcome.findings_by_department, audit_counts=s.audit_counts)

    def check_renewal(self, p: RecertificationDecision, outcome: AuditOutcome) -> None:
        if p.outcome == "refuse" and not p.reasons.strip():
            raise RuleViolation("R-9.3", "a refusal gives its reasons in writing")
        if p.outcome == "more_information" and not p.questions.strip():
            raise RuleViolation("R-9.3", "say what information is needed")
        if p.outcome != "renew":
            return
        if self.ctx.state.suspended_until:
            raise RuleViolation("R-9.6.4", "a suspended certificate is not renewed; resolve the suspension first")
        if p.star_level is None:
            raise RuleViolation("R-9.3", "a renewal names the star level")
        if outcome.open_major:
            raise RuleViolation("R-9.3", f"{outcome.open_major} major nonconformities are still open")
        if self.ctx.checks.scheme_gaps:  # R-6.result as at the grant: the body's policy on deciding without a level
            check_level_decided(p.star_level, outcome.computed_level, self.ctx.input.policy.rating)
        elif outcome.computed_level is None or \
                LEVEL_RANK[Level(p.star_level)] > LEVEL_RANK[Level(outcome.computed_level)]:
            raise RuleViolation("R-6.result", f"the level renewed ({p.star_level}) may not be above the level the "
                                f"audit computed ({outcome.computed_level})")
        renewed_validity(self.ctx.state.valid_to, self.ctx.input.policy.lifecycle, decision_date=today())

    async def expire(self) -> None:
        """R-9.3, R-9.6.8: no renewal by the last day: the certificate expires; further certification is a
        new initial one."""
        s = self.ctx.state
        self.ctx.board.passed("expiry")
        await self.ctx.register(
            RecordActivities.expire_certificate,
            ExpiryInput(number=s.number, event=self.ctx.cert_event("certificate.expired", "R-9.6.8",
                                                                    {"valid_to": s.valid_to.isoformat()})),
            "the certificate expires (R-9.6.8)")
        self.ctx.board.passed("expire_certificate")
        await self.ctx.notify_org("certificate_expired", "R-9.6.8",
                                  {"number": s.number, "valid_to": s.valid_to.isoformat()})
        self.ctx.cycle.ending = "expired"  # last: the process ends as soon as this is set, with the notice queued
        self.ctx.publish()
