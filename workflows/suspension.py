"""A suspension (R-9.6.2 – R-9.6.5): recorded and notified, watched until its end (at most 6 months,
R-9.6.3), lifted by reinstatement, or resolved by a manager: withdrawal or scope reduction (R-9.6.5,
R-9.6.6). A suspension never silently outlives its limit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from rules.lifecycle import suspension_end
    from schemas.actions import CAUSE_WORDS, SuspensionCause
    from schemas.certificates import CertStatus
    from schemas.payloads import SuspensionOutcome
    from schemas.staff import Role
    from schemas.tasking import Actor, TaskFacts
    from workflows.changes import CertificateChanges
    from workflows.life_context import LifeContext
    from workflows.patching import patched
    from workflows.tasks import start_of, today


@dataclass
class SuspensionLimit:
    """The state of one suspension's watch: its end (R-9.6.3), and ``withdraw`` once it passed unresolved.
    What the suspension itself is (since, until, cause) is the certificate's ``LifeState``."""

    until: date
    withdraw: bool = False


class Suspension:
    def __init__(self, ctx: LifeContext, changes: CertificateChanges) -> None:
        self.ctx = ctx
        self.changes = changes

    async def suspend(self, cause: SuspensionCause, reason: str, *, by: str, months: int | None = None) -> None:
        s = self.ctx.state
        self.ctx.board.passed("suspended")
        until = suspension_end(today(), self.ctx.input.policy.lifecycle, months=months)
        s.suspended_on, s.suspended_until, s.suspension_cause = today(), until, cause.value
        await self.ctx.set_status(CertStatus.SUSPENDED, "certificate.suspended", "R-9.6.2", until, {
            "cause": cause.value, "reason": reason, "by": by, "suspended_until": until.isoformat()})
        await self.ctx.notify_org("certificate_suspended", "R-9.6.4", {
            "number": s.number, "reason": reason, "cause": CAUSE_WORDS[cause], "suspended_until": until.isoformat()})
        self.ctx.run_beside(self.watch())

    async def reinstate(self, reason: str, *, by: str) -> None:
        s = self.ctx.state
        s.suspended_on = s.suspended_until = s.suspension_cause = None
        await self.ctx.set_status(CertStatus(s.base_status), "certificate.reinstated", "R-9.6.3", None,
                                  {"reason": reason, "by": by, "status": s.base_status})
        await self.ctx.notify_org("certificate_reinstated", "R-9.6.3", {"number": s.number, "reason": reason})
        self.ctx.board.passed("reinstated")
        self.ctx.board.passed("action_done")

    async def watch(self) -> None:
        """R-9.6.3, R-9.6.5: a suspension not lifted in time goes to a manager: withdraw or reduce. The task
        opens before the end (R-9.6.5 Decision) and is due on its last day; still unresolved at the end,
        the certificate is withdrawn then, or the task escalated (``suspension_unresolved``)."""
        s, lp = self.ctx.state, self.ctx.input.policy.life
        until = s.suspended_until
        assert until is not None

        def lifted() -> bool:
            return self.ctx.cycle_is_over() or s.suspended_until != until

        early = self.ctx.checks.integrity
        opens = start_of(until - timedelta(days=lp.suspension_outcome_lead_days) if early else until)
        if opens > workflow.now():
            try:
                await workflow.wait_condition(lifted, timeout=opens - workflow.now(),
                                              timeout_summary=f"暂停期至 {until}")
                return
            except TimeoutError:
                pass
        if lifted():
            return
        self.ctx.board.passed("suspension_end")
        limit = SuspensionLimit(until)
        if early:
            self.ctx.run_beside(self.withdraw_at_limit(limit, lifted))
        due = {"due_on": until - timedelta(days=1), "due_provisional": False} if early else \
            self.ctx.due(lp.suspension_outcome_working_days)
        # Overdue from the limit's very moment, when withdrawing it: an escalation then would only announce
        # a task being withdrawn (runs begun before escalated it, a timer beside the limit's).
        withdrawn_then = early and lp.suspension_unresolved == "withdraw"
        escalate = not (withdrawn_then and patched("outcome-withdrawn-unescalated"))
        with self.ctx.step_under_way():
            outcome = await self.ctx.board.ask(
                "suspension_outcome", SuspensionOutcome, title="suspension not resolved: withdraw or reduce scope",
                role=Role.MANAGER, rule_id="R-9.6.5", check=self.check_outcome, **due,
                context={"suspended_on": s.suspended_on.isoformat() if s.suspended_on else None,
                         "suspended_until": until.isoformat(), "cause": s.suspension_cause, "sites": list(s.sites)},
                cancel_when=lambda: lifted() or limit.withdraw, escalate=escalate)
            if outcome is None:
                if limit.withdraw and not lifted():
                    self.ctx.board.passed("suspension_unresolved")
                    await self.changes.withdraw(f"暂停于 {until} 期满仍未解决（R-9.6.3），依 R-9.6.5 撤销认证",
                                                by="system")
                return
            o = outcome.payload
            self.ctx.board.passed("suspension_resolution")
            if o.outcome == "withdraw":
                await self.changes.withdraw(o.reasons, by=outcome.actor.name)
            else:
                await self.changes.reduce_scope(o.reasons, o.scope or s.scope, o.remove_sites, by=outcome.actor.name)

    async def withdraw_at_limit(self, limit: SuspensionLimit, lifted: Callable[[], bool]) -> None:
        """At the suspension's end (R-9.6.3), without an outcome: withdraw (R-9.6.5), or say so in the record
        while the task, now overdue, is escalated to the managers."""
        try:
            await workflow.wait_condition(lifted, timeout=start_of(limit.until) - workflow.now(),
                                          timeout_summary=f"暂停期限届满：{limit.until}")
            return
        except TimeoutError:
            pass
        if not any(v.kind == "suspension_outcome" for v in self.ctx.board.views()):
            return  # decided in time
        unresolved = self.ctx.input.policy.life.suspension_unresolved
        await self.ctx.record_event("suspension.unresolved", "R-9.6.3", {"suspended_until": limit.until.isoformat(),
                                                                   "then": unresolved})
        limit.withdraw = unresolved == "withdraw"

    def check_outcome(self, p: SuspensionOutcome, actor: Actor, facts: TaskFacts) -> None:
        if p.outcome == "reduce_scope":
            self.changes.check_reduction(p.scope or self.ctx.state.scope, p.remove_sites)
