"""Notifications (R-11): a complaint, an appeal, a reported change or an incident is recorded,
acknowledged to the organization and triaged by a programme manager; a major complaint or serious
incident at once (the task is due the day it arrives). The triage may order a special audit, an extra
surveillance, a suspension or a withdrawal.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.actions import Notification, NotificationKind, OrderSpecialAudit, SpecialAuditPurpose, SuspensionCause
    from schemas.payloads import NotificationTriage
    from schemas.staff import Role
    from workflows.changes import CertificateChanges
    from workflows.life_context import LifeContext
    from workflows.special_audit import SpecialAudits
    from workflows.surveillance import Surveillance
    from workflows.suspension import Suspension
    from workflows.tasks import Completed, today


class Notifications:
    """Each notification's triage runs beside the cycle; its state is the notification and its task."""

    def __init__(self, ctx: LifeContext, special_audits: SpecialAudits, surveillance: Surveillance,
                 suspension: Suspension, changes: CertificateChanges) -> None:
        self.ctx = ctx
        self.special_audits = special_audits
        self.surveillance = surveillance
        self.suspension = suspension
        self.changes = changes

    async def triage(self, n: Notification, *, by: str) -> None:
        """R-11: recorded, acknowledged, triaged by a programme manager."""
        s, lp = self.ctx.state, self.ctx.input.policy.life
        immediate = n.major and n.kind in (NotificationKind.COMPLAINT, NotificationKind.SERIOUS_INCIDENT)
        with self.ctx.step_under_way():
            await self.ctx.record_event("notification.received", "R-11", {**n.model_dump(mode="json"), "by": by})
            await self.ctx.notify_org("notification_received", "R-11", {
                "number": s.number, "kind": n.kind.value, "received_on": n.received_on.isoformat()})
            due = {"due_on": today(), "due_provisional": False} if immediate else self.ctx.due(lp.triage_working_days)
            triage = await self.ctx.board.ask(
                "notification_triage", NotificationTriage, title=f"triage: {n.kind.value}"
                + (" (major: act at once)" if immediate else ""), role=Role.PROGRAMME_MANAGER, rule_id="R-11",
                context=n.model_dump(mode="json"), cancel_when=lambda: self.ctx.cycle.ending is not None, **due)
            if triage is None:
                return
            await self.carry_out(n, triage)

    async def carry_out(self, n: Notification, triage: Completed[NotificationTriage]) -> None:
        t, who = triage.payload, triage.actor.name
        self.ctx.board.passed("triage_outcome")
        await self.ctx.record_event("notification.triaged", "R-11",
                                    {"outcome": t.outcome, "analysis": t.analysis, "by": who})
        if t.outcome == "special_audit":
            purpose = SpecialAuditPurpose.COMPLAINT if n.kind is NotificationKind.COMPLAINT \
                else SpecialAuditPurpose.CHANGE_REPORTED
            self.ctx.run_beside(self.special_audits.special_audit(
                OrderSpecialAudit(purpose=purpose, reason=t.reasons or t.analysis), by=who))
        elif t.outcome == "extra_surveillance":
            self.ctx.run_beside(self.surveillance.surveil(
                None, f"extra/{self.ctx.board.opened['notification_triage']}"))
        elif t.outcome == "suspend" and not self.ctx.state.suspended_until:
            await self.suspension.suspend(SuspensionCause.SERIOUS_FAILURE if n.kind is NotificationKind.SERIOUS_INCIDENT
                                          else SuspensionCause.OTHER, t.reasons or t.analysis, by=who)
        elif t.outcome == "withdraw":
            await self.changes.withdraw(t.reasons or t.analysis, by=who)
        else:  # no action
            self.ctx.board.passed("action_done")
