"""Special audits (R-9.4): ordered by staff or after a notification's triage (R-11), on short notice
for a complaint, a reported change or a suspension's follow-up (R-9.4.2), with a programme, the audit
and a decision that may change the scope (R-9.4.1), reinstate, suspend, withdraw or reduce the scope.
"""

from __future__ import annotations

from decimal import Decimal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.actions import OrderSpecialAudit, SpecialAuditPurpose, SuspensionCause
    from schemas.audits import AuditKind
    from schemas.errors import RuleViolation
    from schemas.payloads import Programme, SpecialDecision
    from schemas.staff import Role
    from workflows.changes import CertificateChanges
    from workflows.life_audits import LifeAudits
    from workflows.life_context import LifeContext
    from workflows.programme_proposals import propose_programme
    from workflows.suspension import Suspension
    from workflows.tasks import Completed

SHORT_NOTICE = {SpecialAuditPurpose.COMPLAINT, SpecialAuditPurpose.CHANGE_REPORTED,
                SpecialAuditPurpose.SUSPENSION_FOLLOW_UP}


class SpecialAudits:
    """Each special audit runs beside the cycle; its state is its order and its tasks."""

    def __init__(self, ctx: LifeContext, audits: LifeAudits, suspension: Suspension,
                 changes: CertificateChanges) -> None:
        self.ctx = ctx
        self.audits = audits
        self.suspension = suspension
        self.changes = changes

    async def special_audit(self, order: OrderSpecialAudit, *, by: str) -> None:
        short = order.purpose in SHORT_NOTICE
        with self.ctx.step_under_way():
            programme = await self.announce(order, by=by, short=short)
            if programme is None:
                return
            await self.audits.record_programme_version(f"special:{order.purpose.value}",
                                                       programme.payload.model_dump(mode="json"))
            outcome = await self.audits.run_audit(AuditKind.SPECIAL, programme.payload, stage1=False,
                                                  visits_required=False, full_assessment=False,
                                                  plan_notice=0 if short else 3)
            decision = await self.audits.decisions.ask(
                "special_decision", SpecialDecision, "decision after the special audit", "R-9.4", outcome,
                check=lambda p, actor, facts: self.check_decision(p, order), latest=None,
                more="special_more_information", gateway="special_outcome",
                context={"purpose": order.purpose.value, "new_scope": order.new_scope})
            await self.carry_out(order, decision)

    async def announce(self, order: OrderSpecialAudit, *, by: str, short: bool) -> Completed[Programme] | None:
        """The order recorded, the organization told (R-9.4.1, R-9.4.2), the programme asked for."""
        s = self.ctx.state
        await self.ctx.record_event("special_audit.ordered", "R-9.4", {
            "purpose": order.purpose.value, "reason": order.reason, "by": by, "short_notice": short})
        await self.ctx.notify_org("special_audit_notice", "R-9.4.2" if short else "R-9.4.1", {
            "number": s.number, "purpose": order.purpose.value, "reason": order.reason, "short_notice": short,
            "onsite_hint": ""})
        return await self.ctx.board.ask(
            "special_programme", Programme, title=f"special audit programme ({order.purpose.value})",
            role=Role.PROGRAMME_MANAGER, rule_id="R-9.4",
            check=lambda p, actor, facts: self.audits.check_programme(
                p, facts, Decimal("0.5"), "R-9.4", stage1=False, visits=False, by=None),
            **self.ctx.due(self.ctx.input.policy.process.programme_working_days),
            context={"purpose": order.purpose.value, "reason": order.reason, "short_notice": short,
                     "new_scope": order.new_scope,
                     **await propose_programme(  # issue 18: a team and dates to accept or change
                         self.ctx.board, "special_programme", AuditKind.SPECIAL, minimum=Decimal("0.5"),
                         stage1=False, visits=False, site_names=list(s.sites), window_rule="R-9.4")},
            cancel_when=lambda: self.ctx.cycle.ending is not None)

    async def carry_out(self, order: OrderSpecialAudit, decision: Completed[SpecialDecision]) -> None:
        d, who = decision.payload, decision.actor.name
        await self.ctx.record_event("special_audit.decided", "R-9.4", {
            "purpose": order.purpose.value, "outcome": d.outcome, "reasons": d.reasons, "by": who})
        if d.outcome == "agree_scope_change":
            await self.changes.reissue(d.reasons or order.reason, by=who, scope=d.scope or order.new_scope)
        elif d.outcome == "reinstate":
            await self.suspension.reinstate(d.reasons, by=who)
        elif d.outcome == "suspend":
            await self.suspension.suspend(SuspensionCause.SERIOUS_FAILURE, d.reasons, by=who)
        elif d.outcome == "withdraw":
            await self.changes.withdraw(d.reasons, by=who)
        elif d.outcome == "reduce_scope":
            await self.changes.reduce_scope(d.reasons, d.scope or self.ctx.state.scope, d.remove_sites, by=who)
        else:  # maintain, or the scope change refused
            self.ctx.board.passed("action_done")

    def check_decision(self, p: SpecialDecision, order: OrderSpecialAudit) -> None:
        s = self.ctx.state
        if p.outcome == "more_information" and not p.questions.strip():
            raise RuleViolation("R-9.4", "say what information is needed")
        scope_change = order.purpose is SpecialAuditPurpose.SCOPE_CHANGE
        if p.outcome in ("agree_scope_change", "refuse_scope_change") and not scope_change:
            raise RuleViolation("R-9.4.1", "only a scope-change audit ends in agreeing or refusing the change")
        if p.outcome == "reinstate" and not s.suspended_until:
            raise RuleViolation("R-9.6.3", "the certificate is not suspended")
        if p.outcome == "suspend" and s.suspended_until:
            raise RuleViolation("R-9.6.3", f"the certificate is already suspended until {s.suspended_until}")
        if p.outcome in ("suspend", "withdraw", "reduce_scope", "refuse_scope_change") and not p.reasons.strip():
            raise RuleViolation("R-9.4", "give the reasons: they go to the organization in writing")
        if p.outcome == "reduce_scope":
            self.changes.check_reduction(p.scope or s.scope, p.remove_sites)
