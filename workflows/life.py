"""A certificate's life, from the grant to its expiry or withdrawal (R-9.2 – R-9.6, R-10.3.4, R-10.4, R-11).

``CertificationWorkflow`` inherits these steps: after the grant (or, in a new run, from the
``LifeState`` it continued with) the certificate lives one validity cycle per run:

- surveillance (R-9.2): each due date from ``rules.lifecycle`` (at most 12 months from the cycle's
  decision, then from the last surveillance), reminders before it, the organization's changes
  (R-9.2.2), the programme with its sampling (R-9.2.3, R-9.2.5, R-A.n1b), the team's review (R-9.2.4),
  the audit, and the decision (R-9.2.8) by someone who was not on the team (R-9.1.9.n1 Decision);
  a window that closes without a decision suspends the certificate (R-9.6.2 Decision);
- suspension (R-9.6.3 – R-9.6.5): at most 6 months, then withdrawal or scope reduction (R-9.6.6);
- special audits (R-9.4), R-11 notifications and their triage, reissue (R-10.3.4);
- recertification (R-9.3): invitation, application, programme (R-A.n1c), audit and decision; a renewal
  continues as new into the next cycle, no decision by the last day lets the certificate expire.

Staff act on the certificate through the ``act`` Update (schemas/actions.py), validated before it
reaches history. Everything the next run needs is in ``LifeState``; the workflow continues as new
only at a quiet moment (no open task, no running audit, no handler), so nothing in flight is lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.inbox import NoticesQueued, StaffNotice
    from activities.records import (
        CertificateStatusChange,
        ExpiryInput,
        NextDueRecord,
        ReissueInput,
        RenewalInput,
        ScopeReduction,
    )
    from rules.audit_time import check_surveillance_programme, recertification_days, surveillance_days
    from rules.lifecycle import (
        next_surveillance_due,
        recertification_window,
        renewed_validity,
        suspension_end,
    )
    from rules.programme import check_programme
    from rules.rating import LEVEL_RANK, Level, check_level_decided
    from rules.sampling import check_sampling, propose_sampling
    from schemas.actions import (
        ACTION_ROLES,
        CAUSE_WORDS,
        ActionReceipt,
        ActionRequest,
        Notification,
        NotificationKind,
        OrderSpecialAudit,
        ReduceScope,
        Reinstate,
        Reissue,
        SpecialAuditPurpose,
        Suspend,
        SuspensionCause,
        Withdraw,
    )
    from schemas.audits import AuditKind
    from schemas.certificates import CertStatus, StarLevel
    from schemas.errors import RuleViolation
    from schemas.payloads import (
        MoreInformation,
        NotificationTriage,
        OverdueSuspension,
        Programme,
        RecertificationApplication,
        RecertificationDecision,
        SampledScope,
        SpecialDecision,
        SurveillanceChanges,
        SurveillanceDecision,
        SurveillanceProgramme,
        SurveillanceReview,
        SuspensionOutcome,
    )
    from schemas.staff import Role
    from schemas.tasking import Actor, Refusal, TaskFacts
    from workflows.audit import AuditInput, AuditOutcome, AuditWorkflow
    from workflows.contracts import DueDate, LifeState, LifeStatus, LifeWait
    from workflows.incidents import IncidentBound
    from workflows.tasks import NOTICE_HOUR, HumanTasks, refuse, start_of, today

ACTIVITY_TIMEOUT = timedelta(seconds=60)
SHORT_NOTICE = {SpecialAuditPurpose.COMPLAINT, SpecialAuditPurpose.CHANGE_REPORTED,
                SpecialAuditPurpose.SUSPENSION_FOLLOW_UP}
TENTH = Decimal("0.1")


def at_least(initial: Decimal, fraction: Decimal, floor: Decimal) -> Decimal:
    """R-A.n1b / R-A.n1c as runs begun before ``scheme-gaps-2026-12`` check them (their histories replay
    so): a share of the initial audit time, rounded up to a tenth, never below ``floor``."""
    return max((initial * fraction).quantize(TENTH, rounding=ROUND_CEILING), floor)


CAUSE_SIDE_WORDS = {"organization": "获证组织", "body": "认证机构"}  # whose side a suspension's cause is


@dataclass
class SuspensionLimit:
    """A suspension's end (R-9.6.3) as its watch sees it: ``withdraw`` once it passed unresolved."""

    until: date
    withdraw: bool = False


class CertificateLife(HumanTasks):
    """The life steps of ``CertificationWorkflow``; it provides ``input``, ``board``, ``reference``,
    ``_notify``, ``_event_input``, ``_issue_document``, ``_publish`` and ``_end``."""

    life: LifeState | None = None

    def _init_life(self) -> None:
        self.background: list[asyncio.Task] = []
        self.working = 0  # steps under way (tasks asked, audits running, actions being carried out)
        self.audits_running: list[str] = []
        self.audits_started: set[str] = set()  # audits of this run the server has started (wait_for_audit)
        self.decided: set[str] = set()  # surveillances with a decision, by audit slot
        self.ending: str | None = None  # "withdrawn" | "expired"
        self.renewal: LifeState | None = None  # the next cycle, once recertification was decided
        self.withdrawing = False  # the withdrawal is being recorded; ``ending`` follows
        self.recording = 0  # status changes on their way to the register
        self.recorded_due: tuple[date | None, str | None] | None = None  # the register's copy of next_due
        self.sampled_level_checked = False  # runs begun before the sample rating did not check it
        self.integrity_checks = False  # set by the run (workflow.patched "record-integrity")
        self.scheme_gaps = False  # runs begun before: tenth-rounded minima, each surveillance alone, no
        # R-6.result policy at renewal (workflow.patched "record-integrity")

    # =========================================================================== the cycle
    async def _live(self, state: LifeState) -> str:
        """One validity cycle; returns how the process ended, or continues as new."""
        self.life = state
        self.board.opened.update(state.task_counts)
        self.events = state.events
        self.stage = "granted"
        self.board.passed("certificate_life")
        self._publish()
        self._spawn(self._surveillances())
        self._spawn(self._recertification())
        if state.suspended_until:
            self._spawn(self._suspension_watch())
        expiry = start_of(state.valid_to + timedelta(days=1))
        while True:
            wait = expiry - workflow.now()
            try:
                await workflow.wait_condition(
                    lambda: self.ending is not None or self._failed() is not None
                    or self._due_to_record() is not None
                    or (self.renewal is not None and self._quiet())
                    or (workflow.info().is_continue_as_new_suggested() and self._quiet()),
                    timeout=wait if self.renewal is None else None,
                    timeout_summary=f"certificate {state.number} valid until {state.valid_to}")
            except TimeoutError:
                await self._expire()
            failed = self._failed()
            if failed is not None:
                raise failed
            if self.ending is not None:
                await self.board.incidents.execute("withdraw_open_tasks", workflow.info().workflow_id,
                                                   start_to_close_timeout=ACTIVITY_TIMEOUT,
                                                   summary="withdraw the open tasks of the ended process")
                return await self._end(self.ending, f"certificate {state.number} {self.ending}")
            due = self._due_to_record()
            if due is not None:
                self.recorded_due = due
                await self.board.incidents.execute(
                    "record_next_due", NextDueRecord(number=state.number, on=due[0], what=due[1]),
                    start_to_close_timeout=ACTIVITY_TIMEOUT, summary=f"next due: {due[1] or 'nothing'} {due[0] or ''}")
                continue
            if not self._quiet():
                continue
            await workflow.wait_condition(workflow.all_handlers_finished)
            await self.board.mail.settle()
            if not self._quiet():
                continue  # a handler that ran meanwhile started something
            if self.renewal is not None:
                self.board.passed("renewed")
            nxt = self.renewal or self.life
            nxt = nxt.model_copy(update={"task_counts": dict(self.board.opened), "events": self.events,
                                         "audit_counts": dict(self.life.audit_counts)})
            workflow.continue_as_new(self.input.model_copy(update={"life": nxt}))

    def _due_to_record(self) -> tuple[date | None, str | None] | None:
        """What is due next, when the register's copy of it is not that (else None)."""
        due = self.next_due()
        first = (due[0].on, due[0].what) if due else (None, None)
        return None if first == self.recorded_due else first

    def _spawn(self, step: Coroutine[Any, Any, Any]) -> None:
        self.background.append(asyncio.create_task(step))

    def _failed(self) -> BaseException | None:
        for t in self.background:
            if t.done() and not t.cancelled() and t.exception() is not None:
                return t.exception()
        return None

    def _quiet(self) -> bool:
        return self.working == 0 and not self.board.views() and not self.audits_running

    @contextmanager
    def _work(self):
        self.working += 1
        try:
            yield
        finally:
            self.working -= 1

    def _over(self) -> bool:
        return self.ending is not None or self.renewal is not None

    async def _until(self, moment: datetime, summary: str) -> bool:
        """Wait for ``moment``; False when the cycle ended first."""
        wait = moment - workflow.now()
        if wait > timedelta(0):
            try:
                await workflow.wait_condition(self._over, timeout=wait, timeout_summary=summary)
            except TimeoutError:
                pass
        return not self._over()

    # =========================================================================== surveillance
    def _next_surveillance_due(self) -> date | None:
        s, policy = self.life, self.input.policy.lifecycle
        if s.surveillances_done >= policy.surveillances_per_cycle:
            return None
        due = next_surveillance_due(s.decided_on, s.last_surveillance_on, policy)
        return due if due < s.valid_to else None

    async def _surveillances(self) -> None:
        lp = self.input.policy.life
        while not self._over():
            due = self._next_surveillance_due()
            if due is None:
                return
            slot = f"{self.life.cycle}/{self.life.surveillances_done + 1}"
            self._spawn(self._surveillance_reminders(due, slot))
            self._spawn(self._overdue_watch(due, slot))
            if not await self._until(start_of(due - timedelta(days=lp.surveillance_lead_days)),
                                     f"surveillance due {due}: preparation opens"):
                return
            self.board.passed("surveillance_preparation")
            await self._surveillance(due, slot)

    async def _surveillance_reminders(self, due: date, slot: str) -> None:
        """Before each due date: the organization and the programme managers are reminded (R-9.2.1)."""
        for days in sorted(self.input.policy.life.surveillance_reminder_days_before, reverse=True):
            moment = start_of(due - timedelta(days=days)) + timedelta(hours=NOTICE_HOUR.hour)
            if moment <= workflow.now():
                continue
            if not await self._until(moment, f"surveillance reminder, {days} days before {due}") or slot in self.decided:
                return
            with self._work():
                params = {"number": self.life.number, "due_on": due.isoformat(), "days_before": days}
                await self._notify_org("surveillance_reminder", "R-9.2.1", params)
                event = self._event_input("notice.surveillance_due_staff", "R-9.2.1", params)
                queued: NoticesQueued = await self.board.incidents.execute(
                    "notify_staff", StaffNotice(key=event.key, role=Role.PROGRAMME_MANAGER,
                                                template="surveillance_due_staff",
                                                params={**params, "organization": self.life.organization_name},
                                                at=workflow.now(), workflow_id=workflow.info().workflow_id,
                                                subject=self.life.number, rule_id="R-9.2.1"),
                    start_to_close_timeout=ACTIVITY_TIMEOUT, result_type=NoticesQueued,
                    summary=f"remind the programme managers: surveillance due {due}")
                self.board.mail.deliver(queued.keys, "surveillance reminder")

    async def _overdue_watch(self, due: date, slot: str) -> None:
        """R-9.6.2 Decision: the window closes at the end of the due date; without a surveillance decision
        the certificate is suspended (or a manager confirms it, when the body configured so)."""
        if not await self._until(start_of(due + timedelta(days=1)), f"surveillance window closes after {due}"):
            return
        self.board.passed("surveillance_window_closes")
        self.board.passed("decided_in_time")
        if slot in self.decided or self.life.suspended_until:
            return
        with self._work():
            await self._event("surveillance.overdue", "R-9.6.2", {"due_on": due.isoformat()})
            if self.input.policy.life.overdue_surveillance == "suspend":
                reason = f"监督审查应于 {due} 前完成，期限届满未作出保持认证的决定"
                if self.integrity_checks:  # Decision: the cause recorded with its side
                    side, step = self._overdue_side()
                    reason += f"（原因方：{CAUSE_SIDE_WORDS[side]}；{step}）"
                await self._suspend(SuspensionCause.OVERDUE_SURVEILLANCE, reason, by="system")
                return
            confirm = await self.board.ask(
                "overdue_suspension", OverdueSuspension, title="confirm suspension: surveillance overdue",
                role=Role.MANAGER, rule_id="R-9.6.2", **self._due(self.input.policy.life.decision_working_days),
                context={"due_on": due.isoformat()},
                cancel_when=lambda: self._over() or slot in self.decided or bool(self.life.suspended_until))
            if confirm is not None and confirm.payload.suspend:
                side = CAUSE_SIDE_WORDS[confirm.payload.cause_side]
                await self._suspend(SuspensionCause.OVERDUE_SURVEILLANCE,
                                    f"{confirm.payload.reasons}（原因方：{side}）", by=confirm.actor.name)

    def _overdue_side(self) -> tuple[str, str]:
        """R-9.6.2 Decision (``overdue_cause_side``): whose side let the window close, and the step it
        stood at: the organization while its changes are awaited (or nothing has started), else the body."""
        open_kinds = [v.kind for v in self.board.views()]
        step = next((k for k in open_kinds if k.startswith("surveillance")), None)
        setting = self.input.policy.life.overdue_cause_side
        if setting != "by_open_step":
            return setting, f"停留于 {step or '未开始'}"
        if step in (None, "surveillance_changes") and not self.audits_running:
            return "organization", f"停留于 {step or '未开始'}"
        return "body", f"停留于 {step or '审核'}"

    async def _surveillance(self, due: date | None, slot: str) -> None:
        """One surveillance: changes (R-9.2.2), programme and sampling (R-9.2.3, R-9.2.5, R-A.n1b), the
        team's review (R-9.2.4), the audit, the decision (R-9.2.8). ``due`` is None for an extra one a
        person ordered (R-9.2.1, R-11): it adds to the planned ones and does not move them."""
        s, lp = self.life, self.input.policy.life
        planned_left = self.input.policy.lifecycle.surveillances_per_cycle - s.surveillances_done
        left_after = planned_left - 1 if due is not None else planned_left
        with self._work():
            changes = await self.board.ask(
                "surveillance_changes", SurveillanceChanges, title="organization's changes before surveillance",
                role=Role.PROGRAMME_MANAGER, rule_id="R-9.2.2", **self._due(self.input.policy.process.programme_working_days),
                context={"number": s.number, "surveillance_due_on": due.isoformat() if due else None},
                cancel_when=self._over)
            if changes is None:
                return
            c = changes.payload
            sampling_inputs = dict(
                departments=c.departments, decisive_departments=c.decisive_departments,
                covered_clauses=s.covered_clauses, covered_departments=s.covered_departments,
                findings_by_department=s.findings_by_department, surveillances_left_after_this=max(left_after, 0),
                policy=self.input.policy.sampling)
            proposal = propose_sampling(**sampling_inputs)
            minimum = self._least_days("R-A.n1b")
            # Since scheme-gaps, R-A.n1b is checked on the year's total below; each audit is at least a step.
            floor = self.input.policy.audit_time.day_step if self.scheme_gaps else minimum

            def check(p: SurveillanceProgramme, actor: Actor, facts: TaskFacts) -> None:
                self._check_life_programme(p.programme, facts, floor, "R-A.n1b", stage1=False,
                                           visits=lp.surveillance_visits_required, by=due)
                if self.scheme_gaps:  # R-A.n1b on the year's total
                    check_surveillance_programme(s.initial_person_days, p.programme.person_days,
                                                 earlier_in_year=s.surveillance_year_days, closes_year=due is not None,
                                                 policy=self.input.policy.audit_time)
                check_sampling(p.sampling.clauses, p.sampling.departments,
                               **{**sampling_inputs, "important_clauses": p.important_clauses})

            programme = await self.board.ask(
                "surveillance_programme", SurveillanceProgramme, title="surveillance programme and sampling",
                role=Role.PROGRAMME_MANAGER, rule_id="R-9.2.5", check=check,
                **self._due(self.input.policy.process.programme_working_days),
                context={"proposal": proposal.model_dump(mode="json"), "minimum_person_days": str(minimum),
                         "surveillance_due_on": due.isoformat() if due else None, "major_change": c.major_change,
                         **({"surveillance_year_person_days": str(s.surveillance_year_days)} if self.scheme_gaps else {})},
                cancel_when=self._over)
            if programme is None:
                return
            p = programme.payload
            if self.scheme_gaps:  # the planned surveillance closes its year; an extra one adds to the open one
                s.surveillance_year_days = Decimal(0) if due is not None \
                    else s.surveillance_year_days + p.programme.person_days
            await self._programme_version("surveillance", p.model_dump(mode="json"))
            leader = next(m.staff_id for m in p.programme.team if m.role == "leader")
            await self.board.ask(
                "surveillance_review", SurveillanceReview, title="team's review of the changes", role=Role.AUDITOR,
                assignee_id=leader, rule_id="R-9.2.4", **self._due(self.input.policy.process.programme_working_days),
                context={"changes": c.model_dump(mode="json"), "sampling": p.sampling.model_dump(mode="json"),
                         "important_clauses": list(p.important_clauses)})
            outcome = await self._audit(AuditKind.SURVEILLANCE, p.programme, stage1=False,
                                        visits_required=lp.surveillance_visits_required, full_assessment=False,
                                        sampling=p.sampling)
            decision = await self._decide(
                "surveillance_decision", SurveillanceDecision, "surveillance decision", "R-9.2.8", outcome,
                check=lambda p, a, f: self._check_surveillance_decision(p, outcome), latest=due,
                more="surveillance_more_information",
                gateway="surveillance_outcome", context={"sampling": p.sampling.model_dump(mode="json")})
            self.decided.add(slot)
            s.covered_clauses = sorted(set(s.covered_clauses) | set(p.sampling.clauses))
            s.covered_departments = sorted(set(s.covered_departments) | set(p.sampling.departments))
            s.findings_by_department = outcome.findings_by_department
            if due is not None:
                s.surveillances_done += 1
                s.last_surveillance_on = outcome.onsite_end
            d = decision.payload
            await self._event("surveillance.decided", "R-9.2.8",
                              {"outcome": d.outcome, "by": decision.actor.name, "reasons": d.reasons,
                               "audit": outcome.audit_id, "extra": due is None})
            if d.outcome == "maintain":
                await self._notify_org("certificate_maintained", "R-9.2.8", {"number": s.number,
                                                                             "star_level": s.star_level})
                self.board.passed("certificate_maintained")
                self.board.passed("overdue_lifted")
                if s.suspension_cause == SuspensionCause.OVERDUE_SURVEILLANCE.value:
                    await self._reinstate("监督审查已完成并决定保持认证", by=decision.actor.name)
            elif d.outcome == "suspend":
                await self._suspend(SuspensionCause.SURVEILLANCE_DECISION, d.reasons, by=decision.actor.name)
            elif d.outcome == "withdraw":
                await self._withdraw(d.reasons, by=decision.actor.name)
            self._publish()

    def _check_surveillance_decision(self, p: SurveillanceDecision, outcome: AuditOutcome) -> None:
        level = self.life.star_level
        if (p.outcome == "maintain" and self.sampled_level_checked
                and self.input.policy.rating.maintain_only_at_sampled_level
                and (outcome.computed_level is None
                     or LEVEL_RANK[Level(outcome.computed_level)] < LEVEL_RANK[Level(level)])):
            raise RuleViolation("R-9.2.8", f"the sample the surveillance assessed reaches "
                                f"{outcome.computed_level or 'no level'}, below the certified {level} (R-9.2.6): "
                                "suspend, or ask for more information")
        if p.outcome in ("suspend", "withdraw") and not p.reasons.strip():
            raise RuleViolation("R-9.2.8", "a decision not to maintain gives its reasons in writing")
        if p.outcome == "more_information" and not p.questions.strip():
            raise RuleViolation("R-9.2.8", "say what information is needed")
        if p.outcome == "suspend" and self.life.suspended_until:
            raise RuleViolation("R-9.6.3", f"the certificate is already suspended until {self.life.suspended_until}")

    # =========================================================================== shared steps
    def _check_life_programme(self, p: Programme, facts: TaskFacts, minimum: Decimal, rule: str, *, stage1: bool,
                              visits: bool, by: date | None) -> None:
        check_programme(p, site_names=list(self.life.sites), minimum_person_days=minimum, staff=facts.staff,
                        today=today(), stage1=stage1, visits_required=visits, minimum_rule=rule)
        if by is not None and p.onsite_end > by:
            raise RuleViolation("R-9.2.1" if rule == "R-A.n1b" else "R-9.3",
                                f"the on-site audit must end by {by}, not {p.onsite_end}")

    def _least_days(self, rule: str) -> Decimal:
        """The least person-days of a surveillance year (R-A.n1b) or a recertification (R-A.n1c): from
        rules.audit_time, rounded up to its day_step, for runs begun since record-integrity."""
        initial, policy = self.life.initial_person_days, self.input.policy.audit_time
        if not self.scheme_gaps:
            share, floor = (Decimal(1) / 3, Decimal(1)) if rule == "R-A.n1b" else (Decimal(2) / 3, Decimal(2))
            return at_least(initial, share, floor)
        return surveillance_days(initial, policy) if rule == "R-A.n1b" else recertification_days(initial, policy)

    async def _programme_version(self, kind: str, programme: dict) -> None:
        """R-9.2.9, R-9.5.3: every audit's programme is a recorded version of the certification programme."""
        self.life.programme_version += 1
        self.programme_version = self.life.programme_version
        await self._event("programme.version", "R-9.2.9", {"version": self.life.programme_version, "kind": kind,
                                                            "programme": programme})

    async def _audit(self, kind: AuditKind, programme: Programme, *, stage1: bool, visits_required: bool,
                     full_assessment: bool, plan_notice: int = 3, minimum: Decimal = Decimal("0.5"),
                     rule: str = "R-9.1.2.7", sampling: SampledScope | None = None) -> AuditOutcome:
        s, steps = self.life, self.input.policy.process
        wf_id = workflow.info().workflow_id
        s.audit_counts[kind.value] = s.audit_counts.get(kind.value, 0) + 1
        audit_id = f"audit-{wf_id}-{kind.value}-{s.audit_counts[kind.value]}"
        sites = list(s.sites)
        self.audits_running.append(audit_id)
        called = self.board.enter(f"{kind.value}_audit")
        try:
            audit = await workflow.start_child_workflow(
                AuditWorkflow.run,
                AuditInput(audit_id=audit_id, certification_workflow_id=wf_id, organization_id=s.organization_id,
                           organization_name=s.organization_name,
                           contact_email=self.input.submission.organization.contact.email, kind=kind,
                           site_names=sites, programme=programme, minimum_person_days=minimum, reference=self.reference,
                           reminder_days_before=steps.reminder_days_before, follow_up_days=steps.follow_up_days,
                           report_working_days=steps.report_working_days, stage1=stage1,
                           visits_required=visits_required, plan_notice_working_days=plan_notice,
                           full_assessment=full_assessment, minimum_rule=rule,
                           process_pages=self.input.process_pages, incident_bound=IncidentBound.of(steps),
                           sampling=sampling),
                id=audit_id, static_summary=f"{kind.value} audit of {s.organization_name} ({s.number})",
            )
            self.audits_started.add(audit_id)  # the server has it: its Updates can be addressed
            return await audit
        finally:
            self.audits_running.remove(audit_id)
            self.board.leave(called)

    async def _decide(self, kind: str, model: type, title: str, rule: str, outcome: AuditOutcome, *,
                      check: Callable, latest: date | None, more: str, gateway: str, context: dict | None = None):
        """A decision by someone who took no part in the audit (R-9.1.9.n1 Decision), with the
        more-information loop (R-9.2.8 b); after an answer the decision's time starts again, or not
        (``decision_clock_after_answer``, R-9.1.9 Decision)."""
        due = None
        while True:
            if due is None or self.input.policy.process.decision_clock_after_answer == "restart":
                due = self._due(self.input.policy.life.decision_working_days)
            if latest is not None and latest < due["due_on"]:
                due = {"due_on": max(latest, today()), "due_provisional": False}
            decision = await self.board.ask(
                kind, model, title=title, role=Role.DECISION_MAKER, rule_id=rule, excluded=self._took_part(outcome),
                check=check, **due,
                context={"audit": outcome.audit_id, "recommendation": outcome.recommendation,
                         "computed_level": outcome.computed_level, "rating": outcome.rating_summary,
                         "open_major_nonconformities": outcome.open_major,
                         **(context or {})})
            self.board.passed(gateway)
            if decision.payload.outcome != "more_information":
                return decision
            await self.board.ask("more_information", MoreInformation, title="more information for the decision",
                                 role=Role.PROGRAMME_MANAGER, rule_id=rule, element_id=more,
                                 context={"questions": decision.payload.questions},
                                 **self._due(self.input.policy.process.answer_working_days))

    # =========================================================================== recertification
    async def _recertification(self) -> None:
        s, lifecycle, lp = self.life, self.input.policy.lifecycle, self.input.policy.life
        if s.recertification_declined:
            return
        window = recertification_window(s.valid_to, lifecycle)
        if not s.invited and not await self._until(start_of(window.invitation_date) + timedelta(hours=NOTICE_HOUR.hour),
                                                   f"invite to recertify on {window.invitation_date}"):
            return
        self.board.passed("recertification_invitation")
        with self._work():
            if not s.invited:
                s.invited = True
                await self._notify_org("recertification_invitation", "R-9.3", {
                    "number": s.number, "valid_to": s.valid_to.isoformat(),
                    "decision_deadline": window.decision_deadline.isoformat()})
            self._publish()
            applied = await self.board.ask(
                "recertification_application", RecertificationApplication, title="recertification application",
                role=Role.REVIEWER, rule_id="R-9.3",
                due_on=min(today() + timedelta(days=lp.recertification_application_days), s.valid_to),
                context={"number": s.number, "valid_to": s.valid_to.isoformat()}, cancel_when=self._over)
            if applied is None:
                return
            a = applied.payload
            self.board.passed("recertification_applies")
            if not a.applies:
                s.recertification_declined = True
                await self._event("recertification.declined", "R-9.3", {"notes": a.notes})
                self.board.passed("recertification_closed")
                return
            minimum = self._least_days("R-A.n1c")
            programme = await self.board.ask(
                "recertification_programme", Programme, title="recertification programme",
                role=Role.PROGRAMME_MANAGER, rule_id="R-9.3",
                check=lambda p, actor, facts: self._check_life_programme(
                    p, facts, minimum, "R-A.n1c", stage1=a.separate_stage1, visits=True, by=s.valid_to),
                **self._due(self.input.policy.process.programme_working_days),
                context={"minimum_person_days": str(minimum), "separate_stage1": a.separate_stage1,
                         "major_change": a.major_change, "valid_to": s.valid_to.isoformat()},
                cancel_when=self._over)
            if programme is None:
                return
            await self._programme_version("recertification", programme.payload.model_dump(mode="json"))
            outcome = await self._audit(AuditKind.RECERTIFICATION, programme.payload, stage1=a.separate_stage1,
                                        visits_required=True, full_assessment=True, minimum=minimum, rule="R-A.n1c")
            decision = await self._decide(
                "recertification_decision", RecertificationDecision, "recertification decision", "R-9.3", outcome,
                check=lambda p, actor, facts: self._check_renewal(p, outcome), latest=s.valid_to,
                more="recertification_more_information", gateway="recertification_outcome")
            d = decision.payload
            if d.outcome == "refuse":
                s.recertification_declined = True
                await self._event("recertification.refused", "R-9.3", {"reasons": d.reasons, "by": decision.actor.name})
                await self._notify("certification_refused", "R-9.3", {"reasons": d.reasons,
                                                                     "organization": s.organization_name})
                self.board.passed("recertification_closed")
                return
            valid_from, valid_to = renewed_validity(s.valid_to, lifecycle, decision_date=today())
            level = StarLevel(d.star_level)
            await self._register(
                "renew_certificate",
                RenewalInput(number=s.number, issued_on=today(), valid_from=valid_from, valid_to=valid_to,
                             star_level=level, event=self._cert_event("certificate.recertified", "R-9.3", {
                                 "valid_from": valid_from.isoformat(), "valid_to": valid_to.isoformat(),
                                 "star_level": level.value, "cycle": s.cycle + 1, "by": decision.actor.name})),
                "renew the certificate (R-9.3)")
            self.board.passed("renew_certificate")
            self._issue_document(s.number, "recertified")
            await self._notify_org("certificate_renewed", "R-9.3", {
                "number": s.number, "star_level": level.value, "valid_from": valid_from.isoformat(),
                "valid_to": valid_to.isoformat()})
            self.renewal = LifeState(
                number=s.number, organization_id=s.organization_id, organization_name=s.organization_name,
                star_level=level.value, scope=s.scope, sites=dict(s.sites), valid_from=valid_from, valid_to=valid_to,
                decided_on=today(), initial_person_days=s.initial_person_days, cycle=s.cycle + 1,
                base_status="valid", revision=0, programme_version=s.programme_version,
                findings_by_department=outcome.findings_by_department, audit_counts=s.audit_counts)
            self.board.details(f"certificate {s.number} renewed: valid {valid_from} … {valid_to} (R-9.3)")

    def _check_renewal(self, p: RecertificationDecision, outcome: AuditOutcome) -> None:
        if p.outcome == "refuse" and not p.reasons.strip():
            raise RuleViolation("R-9.3", "a refusal gives its reasons in writing")
        if p.outcome == "more_information" and not p.questions.strip():
            raise RuleViolation("R-9.3", "say what information is needed")
        if p.outcome != "renew":
            return
        if self.life.suspended_until:
            raise RuleViolation("R-9.6.4", "a suspended certificate is not renewed; resolve the suspension first")
        if p.star_level is None:
            raise RuleViolation("R-9.3", "a renewal names the star level")
        if outcome.open_major:
            raise RuleViolation("R-9.3", f"{outcome.open_major} major nonconformities are still open")
        if self.scheme_gaps:  # R-6.result as at the grant: the body's policy on deciding without a level
            check_level_decided(p.star_level, outcome.computed_level, self.input.policy.rating)
        elif outcome.computed_level is None or \
                LEVEL_RANK[Level(p.star_level)] > LEVEL_RANK[Level(outcome.computed_level)]:
            raise RuleViolation("R-6.result", f"the level renewed ({p.star_level}) may not be above the level the "
                                f"audit computed ({outcome.computed_level})")
        renewed_validity(self.life.valid_to, self.input.policy.lifecycle, decision_date=today())

    async def _expire(self) -> None:
        """R-9.3, R-9.6.8: no renewal by the last day: the certificate expires; further certification is a
        new initial one."""
        s = self.life
        self.board.passed("expiry")
        await self._register(
            "expire_certificate",
            ExpiryInput(number=s.number, event=self._cert_event("certificate.expired", "R-9.6.8",
                                                                 {"valid_to": s.valid_to.isoformat()})),
            "the certificate expires (R-9.6.8)")
        self.board.passed("expire_certificate")
        await self._notify_org("certificate_expired", "R-9.6.8", {"number": s.number, "valid_to": s.valid_to.isoformat()})
        self.ending = "expired"  # last: the process ends as soon as this is set, with the notice queued
        self._publish()

    # =========================================================================== suspension
    async def _suspend(self, cause: SuspensionCause, reason: str, *, by: str, months: int | None = None) -> None:
        s = self.life
        self.board.passed("suspended")
        until = suspension_end(today(), self.input.policy.lifecycle, months=months)
        s.suspended_on, s.suspended_until, s.suspension_cause = today(), until, cause.value
        await self._set_status(CertStatus.SUSPENDED, "certificate.suspended", "R-9.6.2", until, {
            "cause": cause.value, "reason": reason, "by": by, "suspended_until": until.isoformat()})
        await self._notify_org("certificate_suspended", "R-9.6.4", {
            "number": s.number, "reason": reason, "cause": CAUSE_WORDS[cause], "suspended_until": until.isoformat()})
        self._spawn(self._suspension_watch())

    async def _suspension_watch(self) -> None:
        """R-9.6.3, R-9.6.5: a suspension not lifted in time goes to a manager: withdraw or reduce. The task
        opens before the end (R-9.6.5 Decision) and is due on its last day; still unresolved at the end,
        the certificate is withdrawn then, or the task escalated (``suspension_unresolved``): a suspension
        never silently outlives its limit (R-9.6.3)."""
        s, lp = self.life, self.input.policy.life
        until = s.suspended_until
        lifted = lambda: self._over() or s.suspended_until != until  # noqa: E731
        early = self.integrity_checks
        opens = start_of(until - timedelta(days=lp.suspension_outcome_lead_days) if early else until)
        if opens > workflow.now():
            try:
                await workflow.wait_condition(lifted, timeout=opens - workflow.now(),
                                              timeout_summary=f"suspension ends {until}")
                return
            except TimeoutError:
                pass
        if lifted():
            return
        self.board.passed("suspension_end")
        limit = SuspensionLimit(until)
        if early:
            self._spawn(self._suspension_limit(limit, lifted))
        due = {"due_on": until - timedelta(days=1), "due_provisional": False} if early else \
            self._due(lp.suspension_outcome_working_days)
        with self._work():
            outcome = await self.board.ask(
                "suspension_outcome", SuspensionOutcome, title="suspension not resolved: withdraw or reduce scope",
                role=Role.MANAGER, rule_id="R-9.6.5", check=self._check_outcome, **due,
                context={"suspended_on": s.suspended_on.isoformat(), "suspended_until": until.isoformat(),
                         "cause": s.suspension_cause, "sites": list(s.sites)},
                cancel_when=lambda: lifted() or limit.withdraw)
            if outcome is None:
                if limit.withdraw and not lifted():
                    self.board.passed("suspension_unresolved")
                    await self._withdraw(f"暂停于 {until} 期满仍未解决（R-9.6.3），依 R-9.6.5 撤销认证", by="system")
                return
            o = outcome.payload
            self.board.passed("suspension_resolution")
            if o.outcome == "withdraw":
                await self._withdraw(o.reasons, by=outcome.actor.name)
            else:
                await self._reduce_scope(o.reasons, o.scope or s.scope, o.remove_sites, by=outcome.actor.name)

    async def _suspension_limit(self, limit: SuspensionLimit, lifted: Callable[[], bool]) -> None:
        """At the suspension's end (R-9.6.3), without an outcome: withdraw (R-9.6.5), or say so in the record
        while the task, now overdue, is escalated to the managers."""
        try:
            await workflow.wait_condition(lifted, timeout=start_of(limit.until) - workflow.now(),
                                          timeout_summary=f"the suspension's limit, {limit.until}")
            return
        except TimeoutError:
            pass
        if not any(v.kind == "suspension_outcome" for v in self.board.views()):
            return  # decided in time
        await self._event("suspension.unresolved", "R-9.6.3", {"suspended_until": limit.until.isoformat(),
                                                                "then": self.input.policy.life.suspension_unresolved})
        limit.withdraw = self.input.policy.life.suspension_unresolved == "withdraw"

    def _took_part(self, outcome: AuditOutcome) -> frozenset:
        """R-9.1.9.n1: who took part in the audit and may not decide: its team, and (a Decision) its
        mystery shoppers."""
        shoppers = outcome.shoppers if self.integrity_checks and self.input.policy.process.shoppers_took_part else []
        return frozenset(outcome.team) | frozenset(shoppers)

    def _check_outcome(self, p: SuspensionOutcome, actor: Actor, facts: TaskFacts) -> None:
        if p.outcome == "reduce_scope":
            self._check_reduction(p.scope or self.life.scope, p.remove_sites)

    def _check_reduction(self, scope: str, remove_sites: list[str]) -> None:
        unknown = sorted(set(remove_sites) - set(self.life.sites))
        if unknown:
            raise RuleViolation("R-9.6.6", f"not sites of this certificate: {', '.join(unknown)}")
        if set(remove_sites) >= set(self.life.sites):
            raise RuleViolation("R-9.6.6", "a reduction keeps at least one site; taking out all of them is a "
                                "withdrawal (R-9.6.7)")
        if not remove_sites and scope.strip() == self.life.scope.strip():
            raise RuleViolation("R-9.6.6", "a reduction takes out sites or narrows the scope text")

    async def _reinstate(self, reason: str, *, by: str) -> None:
        s = self.life
        s.suspended_on = s.suspended_until = s.suspension_cause = None
        await self._set_status(CertStatus(s.base_status), "certificate.reinstated", "R-9.6.3", None,
                               {"reason": reason, "by": by, "status": s.base_status})
        await self._notify_org("certificate_reinstated", "R-9.6.3", {"number": s.number, "reason": reason})
        self.board.passed("reinstated")
        self.board.passed("action_done")

    async def _withdraw(self, reason: str, *, by: str) -> None:
        """R-9.6.7: final; the number is never used again (R-10.3.5); the organization stops every
        reference to the certification and the mark (R-10.4)."""
        s = self.life
        self.withdrawing = True  # no other action from now on
        s.suspended_on = s.suspended_until = None
        await self._set_status(CertStatus.WITHDRAWN, "certificate.withdrawn", "R-9.6.7", None,
                               {"reason": reason, "by": by, "withdrawn_on": today().isoformat()})
        await self._notify_org("certificate_withdrawn", "R-9.6.7", {
            "number": s.number, "reason": reason, "withdrawn_on": today().isoformat()})
        self.ending = "withdrawn"  # last: the process ends as soon as this is set, with the notice queued

    async def _reduce_scope(self, reason: str, scope: str, remove_sites: list[str], *, by: str) -> None:
        """R-9.6.6: the failing part leaves the scope; the certificate is reissued with what remains
        (R-10.3.4) and its status is ``scope_reduced`` (R-9.6.8)."""
        s = self.life
        removed = {name: s.sites[name] for name in remove_sites}
        s.sites = {k: v for k, v in s.sites.items() if k not in removed}
        s.scope, s.base_status, s.revision = scope, "scope_reduced", s.revision + 1
        s.suspended_on = s.suspended_until = s.suspension_cause = None
        await self._register(
            "reduce_certificate_scope",
            ScopeReduction(number=s.number, scope=scope, remove_site_ids=list(removed.values()), removed_on=today(),
                           revision=s.revision, event=self._cert_event("certificate.scope_reduced", "R-9.6.6", {
                               "reason": reason, "by": by, "scope": scope, "removed_sites": list(removed),
                               "revision": s.revision})),
            "reduce the scope (R-9.6.6)")
        self.board.passed("reduce_certificate_scope")
        self._issue_document(s.number, "scope_reduced")
        self._publish()
        await self._notify_org("certificate_scope_reduced", "R-9.6.6", {
            "number": s.number, "reason": reason, "scope": scope, "removed_sites": list(removed)})
        self.board.passed("action_done")

    async def _reissue(self, reason: str, *, by: str, scope: str | None = None, name: str | None = None,
                       address: str | None = None) -> None:
        """R-10.3.4: same number and validity, the reissue date noted, the revision marker bumped."""
        s = self.life
        s.revision += 1
        changes = "; ".join(f"{k}: {v}" for k, v in (("名称", name), ("注册地址", address), ("认证范围", scope)) if v)
        if scope:
            s.scope = scope
        if name:
            s.organization_name = name
        await self._register(
            "reissue_certificate",
            ReissueInput(number=s.number, revision=s.revision, reissued_on=today(), scope=scope,
                         organization_id=s.organization_id, organization_name=name, registered_address=address,
                         event=self._cert_event("certificate.reissued", "R-10.3.4", {
                             "reason": reason, "by": by, "revision": s.revision, "changes": changes})),
            "reissue the certificate (R-10.3.4)")
        self.board.passed("reissue_certificate")
        self._issue_document(s.number, "reissue")
        self._publish()
        await self._notify_org("certificate_reissued", "R-10.3.4", {
            "number": s.number, "revision": s.revision, "reissued_on": today().isoformat(), "changes": changes})
        self.board.passed("action_done")

    async def _set_status(self, status: CertStatus, kind: str, rule: str, until: date | None, data: dict) -> None:
        """The register follows the process's state, which the caller has already changed: until the
        register has it, ``wait_for_life`` holds its answer (``recording``)."""
        await self._register(
            "set_certificate_status",
            CertificateStatusChange(number=self.life.number, status=status, suspended_until=until,
                                    event=self._cert_event(kind, rule, data)),
            f"certificate {status.value} ({rule})")
        self._publish()

    async def _register(self, activity: str, change: Any, summary: str) -> None:
        """Write a change of the certificate to the register; until it is there, ``wait_for_life``
        holds its answer (``recording``), so that whoever waited reads the register they expect."""
        self.recording += 1
        try:
            await self.board.incidents.execute(activity, change, start_to_close_timeout=ACTIVITY_TIMEOUT,
                                               summary=summary)
        finally:
            self.recording -= 1

    # =========================================================================== special audits, R-11
    async def _special_audit(self, order: OrderSpecialAudit, *, by: str) -> None:
        s = self.life
        short = order.purpose in SHORT_NOTICE
        with self._work():
            await self._event("special_audit.ordered", "R-9.4", {"purpose": order.purpose.value, "reason": order.reason,
                                                                 "by": by, "short_notice": short})
            await self._notify_org("special_audit_notice", "R-9.4.2" if short else "R-9.4.1", {
                "number": s.number, "purpose": order.purpose.value, "reason": order.reason, "short_notice": short,
                "onsite_hint": ""})
            programme = await self.board.ask(
                "special_programme", Programme, title=f"special audit programme ({order.purpose.value})",
                role=Role.PROGRAMME_MANAGER, rule_id="R-9.4",
                check=lambda p, actor, facts: self._check_life_programme(
                    p, facts, Decimal("0.5"), "R-9.4", stage1=False, visits=False, by=None),
                **self._due(self.input.policy.process.programme_working_days),
                context={"purpose": order.purpose.value, "reason": order.reason, "short_notice": short,
                         "new_scope": order.new_scope}, cancel_when=lambda: self.ending is not None)
            if programme is None:
                return
            await self._programme_version(f"special:{order.purpose.value}", programme.payload.model_dump(mode="json"))
            outcome = await self._audit(AuditKind.SPECIAL, programme.payload, stage1=False, visits_required=False,
                                        full_assessment=False, plan_notice=0 if short else 3)
            decision = await self._decide(
                "special_decision", SpecialDecision, "decision after the special audit", "R-9.4", outcome,
                check=lambda p, actor, facts: self._check_special(p, order), latest=None,
                more="special_more_information", gateway="special_outcome",
                context={"purpose": order.purpose.value, "new_scope": order.new_scope})
            d, who = decision.payload, decision.actor.name
            await self._event("special_audit.decided", "R-9.4", {"purpose": order.purpose.value, "outcome": d.outcome,
                                                                 "reasons": d.reasons, "by": who})
            if d.outcome == "agree_scope_change":
                await self._reissue(d.reasons or order.reason, by=who, scope=d.scope or order.new_scope)
            elif d.outcome == "reinstate":
                await self._reinstate(d.reasons, by=who)
            elif d.outcome == "suspend":
                await self._suspend(SuspensionCause.SERIOUS_FAILURE, d.reasons, by=who)
            elif d.outcome == "withdraw":
                await self._withdraw(d.reasons, by=who)
            elif d.outcome == "reduce_scope":
                await self._reduce_scope(d.reasons, d.scope or s.scope, d.remove_sites, by=who)
            else:  # maintain, or the scope change refused
                self.board.passed("action_done")

    def _check_special(self, p: SpecialDecision, order: OrderSpecialAudit) -> None:
        if p.outcome == "more_information" and not p.questions.strip():
            raise RuleViolation("R-9.4", "say what information is needed")
        scope_change = order.purpose is SpecialAuditPurpose.SCOPE_CHANGE
        if p.outcome in ("agree_scope_change", "refuse_scope_change") and not scope_change:
            raise RuleViolation("R-9.4.1", "only a scope-change audit ends in agreeing or refusing the change")
        if p.outcome == "reinstate" and not self.life.suspended_until:
            raise RuleViolation("R-9.6.3", "the certificate is not suspended")
        if p.outcome == "suspend" and self.life.suspended_until:
            raise RuleViolation("R-9.6.3", f"the certificate is already suspended until {self.life.suspended_until}")
        if p.outcome in ("suspend", "withdraw", "reduce_scope", "refuse_scope_change") and not p.reasons.strip():
            raise RuleViolation("R-9.4", "give the reasons: they go to the organization in writing")
        if p.outcome == "reduce_scope":
            self._check_reduction(p.scope or self.life.scope, p.remove_sites)

    async def _triage(self, n: Notification, *, by: str) -> None:
        """R-11: recorded, acknowledged, triaged by a programme manager; a major complaint or serious
        incident at once (the task is due the day it arrives)."""
        s, lp = self.life, self.input.policy.life
        immediate = n.major and n.kind in (NotificationKind.COMPLAINT, NotificationKind.SERIOUS_INCIDENT)
        with self._work():
            await self._event("notification.received", "R-11", {**n.model_dump(mode="json"), "by": by})
            await self._notify_org("notification_received", "R-11", {
                "number": s.number, "kind": n.kind.value, "received_on": n.received_on.isoformat()})
            due = {"due_on": today(), "due_provisional": False} if immediate else self._due(lp.triage_working_days)
            triage = await self.board.ask(
                "notification_triage", NotificationTriage, title=f"triage: {n.kind.value}"
                + (" (major: act at once)" if immediate else ""), role=Role.PROGRAMME_MANAGER, rule_id="R-11",
                context=n.model_dump(mode="json"), cancel_when=lambda: self.ending is not None, **due)
            if triage is None:
                return
            t, who = triage.payload, triage.actor.name
            self.board.passed("triage_outcome")
            await self._event("notification.triaged", "R-11", {"outcome": t.outcome, "analysis": t.analysis, "by": who})
            if t.outcome == "special_audit":
                purpose = SpecialAuditPurpose.COMPLAINT if n.kind is NotificationKind.COMPLAINT \
                    else SpecialAuditPurpose.CHANGE_REPORTED
                self._spawn(self._special_audit(OrderSpecialAudit(purpose=purpose, reason=t.reasons or t.analysis),
                                                by=who))
            elif t.outcome == "extra_surveillance":
                self._spawn(self._surveillance(None, f"extra/{self.board.opened['notification_triage']}"))
            elif t.outcome == "suspend" and not s.suspended_until:
                await self._suspend(SuspensionCause.SERIOUS_FAILURE if n.kind is NotificationKind.SERIOUS_INCIDENT
                                    else SuspensionCause.OTHER, t.reasons or t.analysis, by=who)
            elif t.outcome == "withdraw":
                await self._withdraw(t.reasons or t.analysis, by=who)
            else:  # no action
                self.board.passed("action_done")

    # =========================================================================== the act Update
    @workflow.update(name="act")
    async def act(self, request: ActionRequest) -> ActionReceipt:
        self._validate_act(request)  # the state may have moved since the validator ran
        a, who = request.action, request.actor.name
        self.board.passed("act_received")
        self.board.passed("action")
        with self._work():
            if isinstance(a, Suspend):
                await self._suspend(a.cause, a.reason, by=who, months=a.months)
            elif isinstance(a, Reinstate):
                await self._reinstate(a.reason, by=who)
            elif isinstance(a, Withdraw):
                await self._withdraw(a.reason, by=who)
            elif isinstance(a, ReduceScope):
                await self._reduce_scope(a.reason, a.scope, a.remove_sites, by=who)
            elif isinstance(a, Reissue):
                await self._reissue(a.reason, by=who, scope=a.scope, name=a.organization_name,
                                    address=a.registered_address)
            elif isinstance(a, OrderSpecialAudit):
                self._spawn(self._special_audit(a, by=who))
            elif isinstance(a, Notification):
                self._spawn(self._triage(a, by=who))
        s = self.life
        status = "withdrawn" if self.ending == "withdrawn" else s.status
        return ActionReceipt(action=a.action, number=s.number, accepted_at=workflow.now(), status=status,
                             message=f"{a.action.replace('_', ' ')} of {s.number} by {who}: done; "
                                     f"the certificate is {status}.")

    @workflow.update(name="wait_for_audit")
    async def wait_for_audit(self, audit_id: str) -> str:
        """Block until the audit ``audit_id`` (``audit-{workflow id}-{kind}-{n}``) is running, so that a
        caller can address its Updates (the API's "what next", and tests)."""
        started = self.audits_started if self.integrity_checks else self.audits_running  # older runs answered early
        await workflow.wait_condition(lambda: audit_id in started)
        return audit_id

    @workflow.update(name="wait_for_life")
    async def wait_for_life(self, wanted: LifeWait) -> LifeStatus:
        """Block until the certificate's life matches ``wanted`` and the register has caught up with it
        (status, next due date, the certificate document), or this run is about to end (withdrawal, expiry, renewal: then the
        caller asks again, and the next run answers)."""
        await workflow.wait_condition(lambda: self.life is not None and self.recording == 0 and (
            self._due_to_record() is None or self.ending is not None) and not self.board.mail.documents_pending()
            and (wanted.met_by(self.life_status()) or self._over()))
        return self.life_status()

    @act.validator
    def _validate_act(self, request: ActionRequest) -> None:
        s, a = self.life, request.action
        if s is None:
            raise refuse(Refusal.STATE_CONFLICT, "There is no certificate yet: the certification is still under way.")
        if self.ending is not None or self.withdrawing or (self.renewal is not None and a.action in ("reduce_scope",
                                                                                                    "reissue")):
            state = self.ending or ("withdrawn" if self.withdrawing else "being renewed")
            raise refuse(Refusal.STATE_CONFLICT, f"Certificate {s.number} is {state}; its process takes no more "
                         "actions.", rule_id="R-9.6.7" if state == "withdrawn" else None)
        if not ACTION_ROLES[a.action] & set(request.actor.roles):
            raise refuse(Refusal.NOT_ASSIGNED, f"'{a.action}' needs the role "
                         f"{' or '.join(sorted(r.value for r in ACTION_ROLES[a.action]))}.")
        try:
            self._check_action(a)
        except RuleViolation as exc:
            raise refuse(Refusal.RULE_VIOLATION, exc.reason, rule_id=exc.rule_id) from None

    def _check_action(self, a) -> None:
        s = self.life
        if isinstance(a, Suspend):
            if s.suspended_until:
                raise refuse(Refusal.STATE_CONFLICT, f"Certificate {s.number} is already suspended until "
                             f"{s.suspended_until}.", rule_id="R-9.6.3")
            suspension_end(today(), self.input.policy.lifecycle, months=a.months)  # limit
        elif isinstance(a, Reinstate):
            if not s.suspended_until:
                raise refuse(Refusal.STATE_CONFLICT, f"Certificate {s.number} is not suspended.", rule_id="R-9.6.3")
        elif isinstance(a, ReduceScope):
            self._check_reduction(a.scope, a.remove_sites)
        elif isinstance(a, Reissue):
            if not (a.organization_name or a.registered_address or a.scope):
                raise RuleViolation("R-10.3.4", "a reissue changes the name, the address or the scope: give one")
            if a.scope and self.integrity_checks and a.scope.strip() != s.scope.strip():
                raise RuleViolation("R-9.4.1", "a change of scope is audited before the certificate shows it: order a "
                                    "special audit with purpose scope_change; a narrower scope is a reduction "
                                    "(reduce_scope, R-9.6.6)")
        elif isinstance(a, OrderSpecialAudit):
            if a.purpose is SpecialAuditPurpose.SCOPE_CHANGE and not (a.new_scope or "").strip():
                raise RuleViolation("R-9.4.1", "a scope change names the scope asked for (new_scope)")
            if a.purpose is SpecialAuditPurpose.SUSPENSION_FOLLOW_UP and not s.suspended_until:
                raise refuse(Refusal.STATE_CONFLICT, f"Certificate {s.number} is not suspended: there is nothing "
                             "to follow up.", rule_id="R-9.4.2")
        elif isinstance(a, Notification):
            if a.received_on > today():
                raise RuleViolation("R-11", f"the notification cannot have been received on {a.received_on}, "
                                    f"after today ({today()})")

    # =========================================================================== helpers and views
    def _cert_event(self, kind: str, rule: str, data: dict):
        """An event about the certificate (subject = its number, as the regulator's report reads it)."""
        return self._event_input(kind, rule, data).model_copy(update={"subject": self.life.number})

    async def _event(self, kind: str, rule_id: str | None, data: dict) -> None:
        event = self._cert_event(kind, rule_id, data) if self.life else self._event_input(kind, rule_id, data)
        await self.board.incidents.execute("record_event", event, start_to_close_timeout=ACTIVITY_TIMEOUT,
                                           summary=kind)

    async def _notify_org(self, template: str, rule: str, params: dict) -> None:
        await self._notify(template, rule, {"organization": self.life.organization_name, **params})

    def next_due(self) -> list[DueDate]:
        s = self.life
        if s is None or self.ending:
            return []
        due: list[DueDate] = []
        surveillance = self._next_surveillance_due()
        if surveillance is not None and self.renewal is None:
            due.append(DueDate(what="surveillance", on=surveillance, rule_id="R-9.2.1"))
        if s.suspended_until:
            due.append(DueDate(what="suspension_end", on=s.suspended_until, rule_id="R-9.6.3"))
        if not s.invited and not s.recertification_declined:
            window = recertification_window(s.valid_to, self.input.policy.lifecycle)
            due.append(DueDate(what="recertification_invitation", on=window.invitation_date, rule_id="R-9.3"))
        due.append(DueDate(what="expiry", on=s.valid_to, rule_id="R-10.1"))
        return sorted(due, key=lambda d: d.on)

    def life_status(self) -> LifeStatus | None:
        s = self.life
        if s is None:
            return None
        status = self.ending if self.ending else s.status
        return LifeStatus(number=s.number, status=status, star_level=s.star_level, scope=s.scope,
                          valid_from=s.valid_from, valid_to=s.valid_to, cycle=s.cycle,
                          surveillances_done=s.surveillances_done, last_surveillance_on=s.last_surveillance_on,
                          suspended_until=s.suspended_until, suspension_cause=s.suspension_cause, revision=s.revision,
                          next_due=self.next_due(), audits_running=list(self.audits_running))
