"""A certificate's life, from the grant to its expiry or withdrawal (R-9.2 – R-9.6, R-10.3.4, R-10.4, R-11).

``CertificationWorkflow`` holds one ``CertificateLife`` per run, made after the grant or from the
``LifeState`` the run continued with; it lives one validity cycle per run. The life is composed of the
parts of the BPMN model's subprocesses, each holding the shared ``LifeContext``:

- ``Surveillance`` (workflows/surveillance.py, R-9.2), with the window's watch (R-9.6.2 Decision);
- ``Suspension`` (workflows/suspension.py, R-9.6.3 – R-9.6.5) and ``CertificateChanges``
  (workflows/changes.py: withdrawal, scope reduction, reissue; R-9.6.6, R-9.6.7, R-10.3.4);
- ``Recertification`` (workflows/recertification.py, R-9.3) and the expiry (R-9.6.8);
- ``StaffActions`` (workflows/staff_actions.py: the ``act`` Update), ``SpecialAudits``
  (workflows/special_audit.py, R-9.4) and ``Notifications`` (workflows/notifications.py, R-11);
- ``LifeAudits`` (workflows/life_audits.py): programme versions, audits and decisions they share.

Everything the next run needs is in ``LifeState``; the cycle continues as new only when nothing is in
flight (no open task, no running audit, no step under way, no handler), so nothing is lost.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate

with workflow.unsafe.imports_passed_through():
    from activities.records import NextDueRecord, RecordActivities
    from rules.lifecycle import recertification_window
    from workflows.changes import CertificateChanges
    from workflows.contracts import DueDate, LifeState, LifeStatus, LifeWait
    from workflows.life_audits import LifeAudits
    from workflows.life_context import ACTIVITY_TIMEOUT, Ending, LifeContext
    from workflows.notifications import Notifications
    from workflows.process_context import ProcessContext
    from workflows.recertification import Recertification
    from workflows.search_attributes import CERT_NUMBER, CERT_STATUS, NEXT_DUE, ORGANIZATION, STAR_LEVEL
    from workflows.special_audit import SpecialAudits
    from workflows.staff_actions import StaffActions
    from workflows.surveillance import Surveillance
    from workflows.suspension import Suspension
    from workflows.tasks import start_of


class CertificateLife:
    """One validity cycle of the certificate, in one run."""

    def __init__(self, process: ProcessContext, state: LifeState) -> None:
        self.ctx = ctx = LifeContext(process, state, publish=self.publish)
        self.audits = LifeAudits(ctx)
        self.changes = CertificateChanges(ctx)
        self.suspension = Suspension(ctx, self.changes)
        self.surveillance = Surveillance(ctx, self.audits, self.suspension, self.changes)
        self.recertification = Recertification(ctx, self.audits)
        self.special_audits = SpecialAudits(ctx, self.audits, self.suspension, self.changes)
        self.notifications = Notifications(ctx, self.special_audits, self.surveillance, self.suspension, self.changes)
        self.actions = StaffActions(ctx, self.suspension, self.changes, self.special_audits, self.notifications)

    @property
    def state(self) -> LifeState:
        return self.ctx.state

    # =========================================================================== the cycle
    async def live_one_cycle(self) -> Ending | LifeState:
        """One validity cycle: how the process ended (withdrawn, expired), or the state the next run
        continues with (a renewal, or Temporal suggested a new run)."""
        ctx, state = self.ctx, self.ctx.state
        ctx.board.opened.update(state.task_counts)
        ctx.board.passed("certificate_life")
        self.publish()
        ctx.run_beside(self.surveillance.each_due_date())
        ctx.run_beside(self.recertification.invite_and_renew())
        if state.suspended_until:
            ctx.run_beside(self.suspension.watch())
        expiry = start_of(state.valid_to + timedelta(days=1))
        while True:
            try:
                await workflow.wait_condition(
                    lambda: ctx.cycle.ending is not None or ctx.failure_beside() is not None
                    or self.due_unregistered() is not None
                    or (ctx.cycle.renewal is not None and self.nothing_in_flight())
                    or (workflow.info().is_continue_as_new_suggested() and self.nothing_in_flight()),
                    timeout=expiry - workflow.now() if ctx.cycle.renewal is None else None,
                    timeout_summary=f"证书 {state.number} 有效期至 {state.valid_to}")
            except TimeoutError:
                await self.recertification.expire()
            failure = ctx.failure_beside()
            if failure is not None:
                raise failure
            if ctx.cycle.ending is not None:
                await ctx.board.incidents.execute(RecordActivities.withdraw_open_tasks, workflow.info().workflow_id,
                                                  start_to_close_timeout=ACTIVITY_TIMEOUT,
                                                  summary="撤回已结束过程的未完成任务")
                return ctx.cycle.ending
            if await self.register_due():
                continue
            if await self.ready_for_next_run():
                break
        if ctx.cycle.renewal is not None:
            ctx.board.passed("renewed")
        following = ctx.cycle.renewal or state
        return following.model_copy(update={"task_counts": dict(ctx.board.opened),
                                            "audit_counts": dict(state.audit_counts)})

    async def register_due(self) -> bool:
        """The register's copy of what is due next follows the process (False when it already has it)."""
        due = self.due_unregistered()
        if due is None:
            return False
        self.ctx.cycle.due_in_register = due
        await self.ctx.board.incidents.execute(
            RecordActivities.record_next_due, NextDueRecord(number=self.state.number, on=due[0], what=due[1]),
            start_to_close_timeout=ACTIVITY_TIMEOUT, summary=f"下一到期事项：{due[1] or '无'} {due[0] or ''}")
        return True

    async def ready_for_next_run(self) -> bool:
        """Nothing in flight, the handlers finished and the mail settled: the cycle may continue as new."""
        if not self.nothing_in_flight():
            return False
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self.ctx.board.mail.settle()
        return self.nothing_in_flight()  # a handler that ran meanwhile may have started something

    def due_unregistered(self) -> tuple[date | None, str | None] | None:
        """What is due next, when the register's copy of it is not that (else None)."""
        due = self.next_due()
        first = (due[0].on, due[0].what) if due else (None, None)
        return None if first == self.ctx.cycle.due_in_register else first

    def nothing_in_flight(self) -> bool:
        return self.ctx.cycle.steps_under_way == 0 and not self.ctx.board.views() and not self.audits.state.running

    # =========================================================================== what the workflow answers
    def audit_started(self, audit_id: str, *, by_the_server: bool) -> bool:
        """``wait_for_audit``: the server has started it (runs begun before record-integrity answered as
        soon as it was being started)."""
        return audit_id in (self.audits.state.started if by_the_server else self.audits.state.running)

    def settled_for(self, wanted: LifeWait) -> bool:
        """``wait_for_life``: the life matches ``wanted`` and the register has caught up with it (status,
        next due date, the certificate document), or this run is about to end."""
        ctx = self.ctx
        return (ctx.cycle.register_writes_pending == 0
                and (self.due_unregistered() is None or ctx.cycle.ending is not None)
                and not ctx.board.mail.documents_pending()
                and (wanted.met_by(self.status()) or ctx.cycle_is_over()))

    def next_due(self) -> list[DueDate]:
        s = self.state
        if self.ctx.cycle.ending:
            return []
        due: list[DueDate] = []
        surveillance = self.surveillance.next_due_date()
        if surveillance is not None and self.ctx.cycle.renewal is None:
            due.append(DueDate(what="surveillance", on=surveillance, rule_id="R-9.2.1"))
        if s.suspended_until:
            due.append(DueDate(what="suspension_end", on=s.suspended_until, rule_id="R-9.6.3"))
        if not s.invited and not s.recertification_declined:
            window = recertification_window(s.valid_to, self.ctx.input.policy.lifecycle)
            due.append(DueDate(what="recertification_invitation", on=window.invitation_date, rule_id="R-9.3"))
        due.append(DueDate(what="expiry", on=s.valid_to, rule_id="R-10.1"))
        return sorted(due, key=lambda d: d.on)

    def status(self) -> LifeStatus:
        s = self.state
        status = self.ctx.cycle.ending or s.status
        return LifeStatus(number=s.number, status=status, star_level=s.star_level, scope=s.scope,
                          valid_from=s.valid_from, valid_to=s.valid_to, cycle=s.cycle,
                          surveillances_done=s.surveillances_done, last_surveillance_on=s.last_surveillance_on,
                          suspended_until=s.suspended_until, suspension_cause=s.suspension_cause, revision=s.revision,
                          next_due=self.next_due(), audits_running=list(self.audits.state.running))

    def publish(self) -> None:
        """Search attributes for the Temporal UI and the operators' lists: status (R-9.6.8), level, the
        next due date; upserted only when they changed."""
        s = self.state
        status = self.ctx.cycle.ending or s.status
        due = self.next_due()
        values = (s.number, status, s.star_level, due[0].on if due else None, s.organization_name)
        if values == self.ctx.cycle.published:
            return
        self.ctx.cycle.published = values
        updates: list[SearchAttributeUpdate[Any]] = [
            CERT_NUMBER.value_set(s.number), CERT_STATUS.value_set(status), STAR_LEVEL.value_set(s.star_level),
            ORGANIZATION.value_set(s.organization_name)]
        updates.append(NEXT_DUE.value_set(start_of(due[0].on)) if due else NEXT_DUE.value_unset())
        workflow.upsert_search_attributes(updates)
        self.ctx.board.details(
            f"certificate {s.number} {status}, valid {s.valid_from} … {s.valid_to}"
            + (f"; next: {due[0].what.replace('_', ' ')} {due[0].on} ({due[0].rule_id})" if due else ""))
