"""The changes a decision or a staff action makes to the certificate in the register: withdrawal
(R-9.6.7), scope reduction (R-9.6.6) and reissue (R-10.3.4). Suspension and reinstatement are the
suspension's own (workflows/suspension.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.records import RecordActivities, ReissueInput, ScopeReduction
    from schemas.certificates import CertStatus
    from schemas.errors import RuleViolation
    from workflows.life_context import LifeContext
    from workflows.tasks import today


@dataclass
class ChangesState:
    withdrawing: bool = False  # the withdrawal is being recorded: no other action from now on


class CertificateChanges:
    def __init__(self, ctx: LifeContext) -> None:
        self.ctx = ctx
        self.state = ChangesState()

    async def withdraw(self, reason: str, *, by: str) -> None:
        """R-9.6.7: final; the number is never used again (R-10.3.5); the organization stops every
        reference to the certification and the mark (R-10.4)."""
        s = self.ctx.state
        self.state.withdrawing = True
        s.suspended_on = s.suspended_until = None
        await self.ctx.set_status(CertStatus.WITHDRAWN, "certificate.withdrawn", "R-9.6.7", None,
                                  {"reason": reason, "by": by, "withdrawn_on": today().isoformat()})
        await self.ctx.notify_org("certificate_withdrawn", "R-9.6.7", {
            "number": s.number, "reason": reason, "withdrawn_on": today().isoformat()})
        self.ctx.cycle.ending = "withdrawn"  # last: the process ends as soon as this is set, with the notice queued

    def check_reduction(self, scope: str, remove_sites: list[str]) -> None:
        s = self.ctx.state
        unknown = sorted(set(remove_sites) - set(s.sites))
        if unknown:
            raise RuleViolation("R-9.6.6", f"not sites of this certificate: {', '.join(unknown)}")
        if set(remove_sites) >= set(s.sites):
            raise RuleViolation("R-9.6.6", "a reduction keeps at least one site; taking out all of them is a "
                                "withdrawal (R-9.6.7)")
        if not remove_sites and scope.strip() == s.scope.strip():
            raise RuleViolation("R-9.6.6", "a reduction takes out sites or narrows the scope text")

    async def reduce_scope(self, reason: str, scope: str, remove_sites: list[str], *, by: str) -> None:
        """R-9.6.6: the failing part leaves the scope; the certificate is reissued with what remains
        (R-10.3.4) and its status is ``scope_reduced`` (R-9.6.8)."""
        s = self.ctx.state
        removed = {name: s.sites[name] for name in remove_sites}
        s.sites = {k: v for k, v in s.sites.items() if k not in removed}
        s.scope, s.base_status, s.revision = scope, "scope_reduced", s.revision + 1
        s.suspended_on = s.suspended_until = s.suspension_cause = None
        await self.ctx.register(
            RecordActivities.reduce_certificate_scope,
            ScopeReduction(number=s.number, scope=scope, remove_site_ids=list(removed.values()), removed_on=today(),
                           revision=s.revision, event=self.ctx.cert_event("certificate.scope_reduced", "R-9.6.6", {
                               "reason": reason, "by": by, "scope": scope, "removed_sites": list(removed),
                               "revision": s.revision})),
            "reduce the scope (R-9.6.6)")
        self.ctx.board.passed("reduce_certificate_scope")
        self.ctx.issue_document("scope_reduced")
        self.ctx.publish()
        await self.ctx.notify_org("certificate_scope_reduced", "R-9.6.6", {
            "number": s.number, "reason": reason, "scope": scope, "removed_sites": list(removed)})
        self.ctx.board.passed("action_done")

    async def reissue(self, reason: str, *, by: str, scope: str | None = None, name: str | None = None,
                      address: str | None = None) -> None:
        """R-10.3.4: same number and validity, the reissue date noted, the revision marker bumped."""
        s = self.ctx.state
        s.revision += 1
        changes = "; ".join(f"{k}: {v}" for k, v in (("名称", name), ("注册地址", address), ("认证范围", scope)) if v)
        if scope:
            s.scope = scope
        if name:
            s.organization_name = name
        await self.ctx.register(
            RecordActivities.reissue_certificate,
            ReissueInput(number=s.number, revision=s.revision, reissued_on=today(), scope=scope,
                         organization_id=s.organization_id, organization_name=name, registered_address=address,
                         event=self.ctx.cert_event("certificate.reissued", "R-10.3.4", {
                             "reason": reason, "by": by, "revision": s.revision, "changes": changes})),
            "reissue the certificate (R-10.3.4)")
        self.ctx.board.passed("reissue_certificate")
        self.ctx.issue_document("reissue")
        self.ctx.publish()
        await self.ctx.notify_org("certificate_reissued", "R-10.3.4", {
            "number": s.number, "revision": s.revision, "reissued_on": today().isoformat(), "changes": changes})
        self.ctx.board.passed("action_done")
