"""Staff act on the certificate through the ``act`` Update (schemas/actions.py): suspend, reinstate,
withdraw, reduce the scope, reissue, order a special audit, or record a notification (R-11). Each is
validated before it reaches history: who may (``ACTION_ROLES``), and what the certificate's state and
the rules allow.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from temporalio.exceptions import ApplicationError

    from rules.lifecycle import suspension_end
    from schemas.actions import (
        ACTION_ROLES,
        ActionReceipt,
        ActionRequest,
        CertificateAction,
        Notification,
        OrderSpecialAudit,
        ReduceScope,
        Reinstate,
        Reissue,
        SpecialAuditPurpose,
        Suspend,
        Withdraw,
    )
    from schemas.errors import RuleViolation
    from schemas.tasking import Refusal
    from workflows.changes import CertificateChanges
    from workflows.life_context import LifeContext
    from workflows.notifications import Notifications
    from workflows.special_audit import SpecialAudits
    from workflows.suspension import Suspension
    from workflows.tasks import refuse, today


class StaffActions:
    """The ``act`` Update's work. What an action may do depends on the certificate's state and on the
    cycle's (``CycleState.ending``, ``ChangesState.withdrawing``, ``CycleState.renewal``)."""

    def __init__(self, ctx: LifeContext, suspension: Suspension, changes: CertificateChanges,
                 special_audits: SpecialAudits, notifications: Notifications) -> None:
        self.ctx = ctx
        self.suspension = suspension
        self.changes = changes
        self.special_audits = special_audits
        self.notifications = notifications

    async def act(self, request: ActionRequest) -> ActionReceipt:
        """Carry out an action ``validate`` accepted (the workflow's Update validates it again first: the
        state may have moved since its validator ran)."""
        a, who = request.action, request.actor.name
        self.ctx.board.passed("act_received")
        self.ctx.board.passed("action")
        with self.ctx.step_under_way():
            await self.carry_out(a, who)
        s = self.ctx.state
        status = "withdrawn" if self.ctx.cycle.ending == "withdrawn" else s.status
        return ActionReceipt(action=a.action, number=s.number, accepted_at=workflow.now(), status=status,
                             message=f"{a.action.replace('_', ' ')} of {s.number} by {who}: done; "
                                     f"the certificate is {status}.")

    async def carry_out(self, a: CertificateAction, who: str) -> None:
        if isinstance(a, Suspend):
            await self.suspension.suspend(a.cause, a.reason, by=who, months=a.months)
        elif isinstance(a, Reinstate):
            await self.suspension.reinstate(a.reason, by=who)
        elif isinstance(a, Withdraw):
            await self.changes.withdraw(a.reason, by=who)
        elif isinstance(a, ReduceScope):
            await self.changes.reduce_scope(a.reason, a.scope, a.remove_sites, by=who)
        elif isinstance(a, Reissue):
            await self.changes.reissue(a.reason, by=who, scope=a.scope, name=a.organization_name,
                                       address=a.registered_address)
        elif isinstance(a, OrderSpecialAudit):
            self.ctx.run_beside(self.special_audits.special_audit(a, by=who))
        elif isinstance(a, Notification):
            self.ctx.run_beside(self.notifications.triage(a, by=who))

    def validate(self, request: ActionRequest) -> None:
        s, a = self.ctx.state, request.action
        ending = self.ctx.cycle.ending
        if ending is not None or self.changes.state.withdrawing or (
                self.ctx.cycle.renewal is not None and a.action in ("reduce_scope", "reissue")):
            state = ending or ("withdrawn" if self.changes.state.withdrawing else "being renewed")
            raise refuse(Refusal.STATE_CONFLICT, f"Certificate {s.number} is {state}; its process takes no more "
                         "actions.", rule_id="R-9.6.7" if state == "withdrawn" else None)
        if not ACTION_ROLES[a.action] & set(request.actor.roles):
            raise refuse(Refusal.NOT_ASSIGNED, f"'{a.action}' needs the role "
                         f"{' or '.join(sorted(r.value for r in ACTION_ROLES[a.action]))}.")
        try:
            self.check(a)
        except RuleViolation as exc:
            raise refuse(Refusal.RULE_VIOLATION, exc.reason, rule_id=exc.rule_id) from None

    def check(self, a: CertificateAction) -> None:
        s = self.ctx.state
        if isinstance(a, Suspend):
            if s.suspended_until:
                raise self.conflict(f"Certificate {s.number} is already suspended until {s.suspended_until}.",
                                    "R-9.6.3")
            suspension_end(today(), self.ctx.input.policy.lifecycle, months=a.months)  # limit
        elif isinstance(a, Reinstate):
            if not s.suspended_until:
                raise self.conflict(f"Certificate {s.number} is not suspended.", "R-9.6.3")
        elif isinstance(a, ReduceScope):
            self.changes.check_reduction(a.scope, a.remove_sites)
        elif isinstance(a, Reissue):
            self.check_reissue(a)
        elif isinstance(a, OrderSpecialAudit):
            if a.purpose is SpecialAuditPurpose.SCOPE_CHANGE and not (a.new_scope or "").strip():
                raise RuleViolation("R-9.4.1", "a scope change names the scope asked for (new_scope)")
            if a.purpose is SpecialAuditPurpose.SUSPENSION_FOLLOW_UP and not s.suspended_until:
                raise self.conflict(f"Certificate {s.number} is not suspended: there is nothing to follow up.",
                                    "R-9.4.2")
        elif isinstance(a, Notification) and a.received_on > today():
            raise RuleViolation("R-11", f"the notification cannot have been received on {a.received_on}, "
                                f"after today ({today()})")

    def check_reissue(self, a: Reissue) -> None:
        if not (a.organization_name or a.registered_address or a.scope):
            raise RuleViolation("R-10.3.4", "a reissue changes the name, the address or the scope: give one")
        if a.scope and self.ctx.checks.integrity and a.scope.strip() != self.ctx.state.scope.strip():
            raise RuleViolation("R-9.4.1", "a change of scope is audited before the certificate shows it: order a "
                                "special audit with purpose scope_change; a narrower scope is a reduction "
                                "(reduce_scope, R-9.6.6)")

    @staticmethod
    def conflict(message: str, rule_id: str) -> ApplicationError:
        return refuse(Refusal.STATE_CONFLICT, message, rule_id=rule_id)
