"""Surveillance (R-9.2): each due date from ``rules.lifecycle`` (at most 12 months from the cycle's
decision, then from the last surveillance), reminders before it (R-9.2.1), the organization's changes
(R-9.2.2), the programme with its sampling (R-9.2.3, R-9.2.5, R-A.n1b), the team's review (R-9.2.4),
the audit, and the decision (R-9.2.8) by someone who was not on the team (R-9.1.9.n1 Decision); a
window that closes without a decision suspends the certificate (R-9.6.2 Decision).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TypedDict

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.inbox import InboxActivities, NoticesQueued, StaffNotice
    from rules.audit_time import check_surveillance_programme
    from rules.lifecycle import next_surveillance_due
    from rules.rating import LEVEL_RANK, Level
    from rules.sampling import SamplingPolicy, check_sampling, propose_sampling
    from schemas.actions import SuspensionCause
    from schemas.audits import AuditKind
    from schemas.errors import RuleViolation
    from schemas.payloads import (
        OverdueSuspension,
        SurveillanceChanges,
        SurveillanceDecision,
        SurveillanceProgramme,
        SurveillanceReview,
    )
    from schemas.staff import Role
    from schemas.tasking import Actor, TaskFacts
    from workflows.audit import AuditOutcome
    from workflows.changes import CertificateChanges
    from workflows.life_audits import LifeAudits
    from workflows.life_context import ACTIVITY_TIMEOUT, LifeContext
    from workflows.programme_proposals import propose_programme
    from workflows.suspension import Suspension
    from workflows.tasks import NOTICE_HOUR, Completed, start_of

CAUSE_SIDE_WORDS = {"organization": "获证组织", "body": "认证机构"}  # whose side a suspension's cause is


class SamplingFacts(TypedDict):
    """What a surveillance's sample is proposed from and checked against (R-9.2.5, rules/sampling.py)."""

    departments: Sequence[str]
    decisive_departments: Iterable[str]
    covered_clauses: Iterable[str]
    covered_departments: Iterable[str]
    findings_by_department: Mapping[str, int]
    surveillances_left_after_this: int
    policy: SamplingPolicy


@dataclass
class SurveillanceState:
    decided: set[str] = field(default_factory=set)  # surveillances with a decision, by audit slot


class Surveillance:
    def __init__(self, ctx: LifeContext, audits: LifeAudits, suspension: Suspension,
                 changes: CertificateChanges) -> None:
        self.ctx = ctx
        self.audits = audits
        self.suspension = suspension
        self.changes = changes
        self.state = SurveillanceState()

    def next_due_date(self) -> date | None:
        s, policy = self.ctx.state, self.ctx.input.policy.lifecycle
        if s.surveillances_done >= policy.surveillances_per_cycle:
            return None
        due = next_surveillance_due(s.decided_on, s.last_surveillance_on, policy)
        return due if due < s.valid_to else None

    async def each_due_date(self) -> None:
        """The planned surveillances of the cycle, one after the other, each with its reminders and the
        watch on its window."""
        lp = self.ctx.input.policy.life
        while not self.ctx.cycle_is_over():
            due = self.next_due_date()
            if due is None:
                return
            slot = f"{self.ctx.state.cycle}/{self.ctx.state.surveillances_done + 1}"
            self.ctx.run_beside(self.remind(due, slot))
            self.ctx.run_beside(self.watch_window(due, slot))
            if not await self.ctx.cycle_reaches(start_of(due - timedelta(days=lp.surveillance_lead_days)),
                                                f"surveillance due {due}: preparation opens"):
                return
            self.ctx.board.passed("surveillance_preparation")
            await self.surveil(due, slot)

    async def remind(self, due: date, slot: str) -> None:
        """Before each due date: the organization and the programme managers are reminded (R-9.2.1)."""
        for days in sorted(self.ctx.input.policy.life.surveillance_reminder_days_before, reverse=True):
            moment = start_of(due - timedelta(days=days)) + timedelta(hours=NOTICE_HOUR.hour)
            if moment <= workflow.now():
                continue
            if not await self.ctx.cycle_reaches(moment, f"surveillance reminder, {days} days before {due}") \
                    or slot in self.state.decided:
                return
            with self.ctx.step_under_way():
                await self.send_reminders(due, days)

    async def send_reminders(self, due: date, days: int) -> None:
        s = self.ctx.state
        params = {"number": s.number, "due_on": due.isoformat(), "days_before": days}
        await self.ctx.notify_org("surveillance_reminder", "R-9.2.1", params)
        event = self.ctx.process.event_input("notice.surveillance_due_staff", "R-9.2.1", params)
        queued: NoticesQueued = await self.ctx.board.incidents.execute(
            InboxActivities.notify_staff, StaffNotice(key=event.key, role=Role.PROGRAMME_MANAGER,
                                                      template="surveillance_due_staff",
                                                      params={**params, "organization": s.organization_name},
                                                      at=workflow.now(), workflow_id=workflow.info().workflow_id,
                                                      subject=s.number, rule_id="R-9.2.1"),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            summary=f"提醒方案管理人员：监督审查最迟 {due}")
        self.ctx.board.mail.deliver(queued.keys, "surveillance reminder")

    async def watch_window(self, due: date, slot: str) -> None:
        """R-9.6.2 Decision: the window closes at the end of the due date; without a surveillance decision
        the certificate is suspended (or a manager confirms it, when the body configured so)."""
        s = self.ctx.state
        closes = start_of(due + timedelta(days=1))
        if not await self.ctx.cycle_reaches(closes, f"surveillance window closes after {due}"):
            return
        self.ctx.board.passed("surveillance_window_closes")
        self.ctx.board.passed("decided_in_time")
        if slot in self.state.decided or s.suspended_until:
            return
        with self.ctx.step_under_way():
            await self.ctx.record_event("surveillance.overdue", "R-9.6.2", {"due_on": due.isoformat()})
            if self.ctx.input.policy.life.overdue_surveillance == "suspend":
                reason = f"监督审查应于 {due} 前完成，期限届满未作出保持认证的决定"
                if self.ctx.checks.integrity:  # Decision: the cause recorded with its side
                    side, step = self.overdue_side()
                    reason += f"（原因方：{CAUSE_SIDE_WORDS[side]}；{step}）"
                await self.suspension.suspend(SuspensionCause.OVERDUE_SURVEILLANCE, reason, by="system")
                return
            confirm = await self.ctx.board.ask(
                "overdue_suspension", OverdueSuspension, title="confirm suspension: surveillance overdue",
                role=Role.MANAGER, rule_id="R-9.6.2", **self.ctx.due(self.ctx.input.policy.life.decision_working_days),
                context={"due_on": due.isoformat()},
                cancel_when=lambda: self.ctx.cycle_is_over() or slot in self.state.decided or bool(s.suspended_until))
            if confirm is not None and confirm.payload.suspend:
                side = CAUSE_SIDE_WORDS[confirm.payload.cause_side]
                await self.suspension.suspend(SuspensionCause.OVERDUE_SURVEILLANCE,
                                              f"{confirm.payload.reasons}（原因方：{side}）", by=confirm.actor.name)

    def overdue_side(self) -> tuple[str, str]:
        """R-9.6.2 Decision (``overdue_cause_side``): whose side let the window close, and the step it
        stood at: the organization while its changes are awaited (or nothing has started), else the body."""
        open_kinds = [v.kind for v in self.ctx.board.views()]
        step = next((k for k in open_kinds if k.startswith("surveillance")), None)
        setting = self.ctx.input.policy.life.overdue_cause_side
        if setting != "by_open_step":
            return setting, f"停留于 {step or '未开始'}"
        if step in (None, "surveillance_changes") and not self.audits.state.running:
            return "organization", f"停留于 {step or '未开始'}"
        return "body", f"停留于 {step or '审核'}"

    async def surveil(self, due: date | None, slot: str) -> None:
        """One surveillance: changes (R-9.2.2), programme and sampling (R-9.2.3, R-9.2.5, R-A.n1b), the
        team's review (R-9.2.4), the audit, the decision (R-9.2.8). ``due`` is None for an extra one a
        person ordered (R-9.2.1, R-11): it adds to the planned ones and does not move them."""
        s, process = self.ctx.state, self.ctx.input.policy.process
        planned_left = self.ctx.input.policy.lifecycle.surveillances_per_cycle - s.surveillances_done
        left_after = planned_left - 1 if due is not None else planned_left
        with self.ctx.step_under_way():
            changes = await self.ctx.board.ask(
                "surveillance_changes", SurveillanceChanges, title="organization's changes before surveillance",
                role=Role.PROGRAMME_MANAGER, rule_id="R-9.2.2", **self.ctx.due(process.programme_working_days),
                context={"number": s.number, "surveillance_due_on": due.isoformat() if due else None},
                cancel_when=self.ctx.cycle_is_over)
            if changes is None:
                return
            programme = await self.ask_programme(due, changes.payload, max(left_after, 0))
            if programme is None:
                return
            p = programme.payload
            if self.ctx.checks.scheme_gaps:  # the planned surveillance closes its year; an extra one adds to it
                s.surveillance_year_days = Decimal(0) if due is not None \
                    else s.surveillance_year_days + p.programme.person_days
            await self.audits.record_programme_version("surveillance", p.model_dump(mode="json"))
            leader = next(m.staff_id for m in p.programme.team if m.role == "leader")
            await self.ctx.board.ask(
                "surveillance_review", SurveillanceReview, title="team's review of the changes", role=Role.AUDITOR,
                assignee_id=leader, rule_id="R-9.2.4", **self.ctx.due(process.programme_working_days),
                context={"changes": changes.payload.model_dump(mode="json"),
                         "sampling": p.sampling.model_dump(mode="json"),
                         "important_clauses": list(p.important_clauses)})
            outcome = await self.audits.run_audit(
                AuditKind.SURVEILLANCE, p.programme, stage1=False,
                visits_required=self.ctx.input.policy.life.surveillance_visits_required, full_assessment=False,
                sampling=p.sampling)
            decision = await self.audits.decisions.ask(
                "surveillance_decision", SurveillanceDecision, "surveillance decision", "R-9.2.8", outcome,
                check=lambda d, a, f: self.check_decision(d, outcome), latest=due,
                more="surveillance_more_information",
                gateway="surveillance_outcome", context={"sampling": p.sampling.model_dump(mode="json")})
            self.state.decided.add(slot)
            self.record_coverage(p, outcome, due)
            await self.carry_out(decision, outcome, due)
            self.ctx.publish()

    async def ask_programme(self, due: date | None, c: SurveillanceChanges,
                            left_after: int) -> Completed[SurveillanceProgramme] | None:
        """The programme and its sample (R-9.2.3, R-9.2.5), at least the surveillance time (R-A.n1b);
        ``left_after``: the planned surveillances of the cycle after this one."""
        s, policy = self.ctx.state, self.ctx.input.policy
        scheme_gaps = self.ctx.checks.scheme_gaps
        facts = SamplingFacts(
            departments=c.departments, decisive_departments=c.decisive_departments,
            covered_clauses=s.covered_clauses, covered_departments=s.covered_departments,
            findings_by_department=s.findings_by_department, surveillances_left_after_this=left_after,
            policy=policy.sampling)
        proposal = propose_sampling(**facts)
        minimum = self.audits.least_days("R-A.n1b")
        # Since scheme-gaps, R-A.n1b is checked on the year's total below; each audit is at least a step.
        floor = policy.audit_time.day_step if scheme_gaps else minimum

        def check(p: SurveillanceProgramme, actor: Actor, staff: TaskFacts) -> None:
            self.audits.check_programme(p.programme, staff, floor, "R-A.n1b", stage1=False,
                                        visits=policy.life.surveillance_visits_required, by=due)
            if scheme_gaps:  # R-A.n1b on the year's total
                check_surveillance_programme(s.initial_person_days, p.programme.person_days,
                                             earlier_in_year=s.surveillance_year_days, closes_year=due is not None,
                                             policy=policy.audit_time)
            check_sampling(p.sampling.clauses, p.sampling.departments,
                           important_clauses=p.important_clauses, **facts)

        return await self.ctx.board.ask(
            "surveillance_programme", SurveillanceProgramme, title="surveillance programme and sampling",
            role=Role.PROGRAMME_MANAGER, rule_id="R-9.2.5", check=check,
            **self.ctx.due(policy.process.programme_working_days),
            context={**await propose_programme(  # issue 18: a team and dates to accept or change
                         self.ctx.board, "surveillance_programme", AuditKind.SURVEILLANCE, minimum=minimum,
                         stage1=False, visits=policy.life.surveillance_visits_required,
                         site_names=list(self.ctx.state.sites), end_by=due, window_rule="R-9.2.1"),
                     "proposal": proposal.model_dump(mode="json"), "minimum_person_days": str(minimum),
                     "surveillance_due_on": due.isoformat() if due else None, "major_change": c.major_change,
                     **({"surveillance_year_person_days": str(s.surveillance_year_days)} if scheme_gaps else {})},
            cancel_when=self.ctx.cycle_is_over)

    def record_coverage(self, p: SurveillanceProgramme, outcome: AuditOutcome, due: date | None) -> None:
        """What the cycle's surveillances covered (R-9.2.5) and, for a planned one, that it is done (R-9.2.1)."""
        s = self.ctx.state
        s.covered_clauses = sorted(set(s.covered_clauses) | set(p.sampling.clauses))
        s.covered_departments = sorted(set(s.covered_departments) | set(p.sampling.departments))
        s.findings_by_department = outcome.findings_by_department
        if due is not None:
            s.surveillances_done += 1
            s.last_surveillance_on = outcome.onsite_end

    async def carry_out(self, decision: Completed[SurveillanceDecision], outcome: AuditOutcome,
                        due: date | None) -> None:
        """R-9.2.8: maintain (lifting a suspension for lateness), suspend or withdraw."""
        s, d, who = self.ctx.state, decision.payload, decision.actor.name
        await self.ctx.record_event("surveillance.decided", "R-9.2.8",
                             {"outcome": d.outcome, "by": who, "reasons": d.reasons,
                              "audit": outcome.audit_id, "extra": due is None})
        if d.outcome == "maintain":
            await self.ctx.notify_org("certificate_maintained", "R-9.2.8", {"number": s.number,
                                                                            "star_level": s.star_level})
            self.ctx.board.passed("certificate_maintained")
            self.ctx.board.passed("overdue_lifted")
            if s.suspension_cause == SuspensionCause.OVERDUE_SURVEILLANCE.value:
                await self.suspension.reinstate("监督审查已完成并决定保持认证", by=who)
        elif d.outcome == "suspend":
            await self.suspension.suspend(SuspensionCause.SURVEILLANCE_DECISION, d.reasons, by=who)
        elif d.outcome == "withdraw":
            await self.changes.withdraw(d.reasons, by=who)

    def check_decision(self, p: SurveillanceDecision, outcome: AuditOutcome) -> None:
        s, level = self.ctx.state, self.ctx.state.star_level
        if (p.outcome == "maintain" and self.ctx.checks.sampled_level
                and self.ctx.input.policy.rating.maintain_only_at_sampled_level
                and (outcome.computed_level is None
                     or LEVEL_RANK[Level(outcome.computed_level)] < LEVEL_RANK[Level(level)])):
            raise RuleViolation("R-9.2.8", f"the sample the surveillance assessed reaches "
                                f"{outcome.computed_level or 'no level'}, below the certified {level} (R-9.2.6): "
                                "suspend, or ask for more information")
        if p.outcome in ("suspend", "withdraw") and not p.reasons.strip():
            raise RuleViolation("R-9.2.8", "a decision not to maintain gives its reasons in writing")
        if p.outcome == "more_information" and not p.questions.strip():
            raise RuleViolation("R-9.2.8", "say what information is needed")
        if p.outcome == "suspend" and s.suspended_until:
            raise RuleViolation("R-9.6.3", f"the certificate is already suspended until {s.suspended_until}")
