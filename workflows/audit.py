"""One audit, as a child of the certification (R-4): stage 1 (R-9.1.5), a mystery-shopper visit per
site before the on-site audit (R-3.10), the plan communicated at least 3 working days ahead (R-9.1.6),
the on-site audit with item results and findings (R-9.1.7), nonconformity follow-up, and the leader's
report and recommendation (R-9.1.8). Returns its outcome to the certification.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel, Field

    from activities.records import (
        AuditConclusion,
        AuditRecord,
        FollowUpRecord,
        OnsiteRecord,
        OnsiteRecorded,
        RecordActivities,
        ReferenceData,
    )
    from rules.calendar import add_working_days
    from rules.programme import check_programme
    from schemas.audits import AuditKind
    from schemas.errors import RuleViolation
    from schemas.payloads import (
        AuditReport,
        MysteryShopperReport,
        NonconformityFollowUp,
        OnsitePlanSent,
        OnsiteResults,
        Programme,
        ProgrammeRevision,
        SampledScope,
        Stage1Findings,
        VisitPlan,
    )
    from schemas.staff import Role
    from schemas.tasking import Actor, Refusal, TaskFacts, TaskView
    from workflows.incidents import IncidentBound
    from workflows.patching import begin_run, patched
    from workflows.tasks import HumanTasks, TaskBoard, refuse, today

PLAN_NOTICE_WORKING_DAYS = 3  # the plan reaches the applicant at least 3 working days before
ACTIVITY_TIMEOUT = timedelta(seconds=60)
KIND_WORDS = {"initial": "初次认证", "surveillance": "监督", "recertification": "再认证", "special": "特殊"}
FINDING_WORDS = {"major_nonconformity": "严重不符合", "minor_nonconformity": "一般不符合", "observation": "观察项"}


class AuditInput(BaseModel):
    audit_id: str
    certification_workflow_id: str
    organization_id: UUID
    organization_name: str
    contact_email: str | None = None
    kind: AuditKind
    site_names: list[str]
    programme: Programme
    minimum_person_days: Decimal
    reference: ReferenceData
    reminder_days_before: tuple[int, ...] = (1,)
    follow_up_days: int = Field(30, description="Decision: calendar days the auditee has to correct nonconformities")
    report_working_days: int = Field(5, description="Decision: working days for the leader's report")
    # The kinds differ: a separate stage 1 for initial audits and, when the body decides so, for a
    # recertification; visits required for initial and recertification audits (R-3.10 Decision);
    # a short-notice special audit is not announced 3 working days ahead; a surveillance need
    # not assess every item.
    stage1: bool = True
    visits_required: bool = True
    plan_notice_working_days: int = Field(PLAN_NOTICE_WORKING_DAYS, ge=0)
    full_assessment: bool = True
    minimum_rule: str = "R-9.1.2.7"
    process_pages: str | None = None  # the API's address: the Temporal UI's details link to this audit's page
    incident_bound: IncidentBound = Field(default_factory=IncidentBound)  # the certification's (incidents.py)
    # what a surveillance samples (clauses and departments), shown to the team on the on-site task.
    sampling: SampledScope | None = None


class AuditOutcome(BaseModel):
    audit_id: str
    computed_level: str | None
    rating_summary: str
    open_major: int
    open_minor: int
    recommendation: str
    team: list[UUID]
    shoppers: list[UUID] = Field(default_factory=list)  # .n1 Decision: they took part too
    onsite_end: date
    programme_version: int
    findings_by_department: dict[str, int] = Field(default_factory=dict)  # R-9.2.5 (3) next time


class ProgrammeChange(BaseModel):
    actor: Actor
    revision: ProgrammeRevision
    facts: TaskFacts = Field(default_factory=TaskFacts)


class AuditState(BaseModel):
    audit_id: str
    stage: str
    programme_version: int
    programme: Programme
    plan_sent_on: date | None
    visits_reported: dict[str, date]
    open_tasks: list[TaskView]
    unclosed_tasks: list[str] = Field(default_factory=list)  # done with, not yet closed in the inbox


@workflow.defn(name="AuditWorkflow")
class AuditWorkflow(HumanTasks):
    starting_message = "The audit is still starting; try again in a moment."
    board: TaskBoard  # from the start (``__init__``)

    @workflow.init
    def __init__(self, data: AuditInput) -> None:
        self.input = data
        self.programme = data.programme
        self.programme_version = 1
        self.stage = "starting"
        self.onsite_done = False
        self.dates_are_facts = False
        self.board = TaskBoard(data.audit_id, data.organization_name, data.reminder_days_before,
                               bound=data.incident_bound)
        self.board.link_page(data.process_pages)
        self.board.about = self._about

    @workflow.run
    async def run(self, data: AuditInput) -> AuditOutcome:
        begin_run()  # first, in the run's first workflow task (workflows/patching.py)
        # The plan and the report go to the auditee in writing; audits that began
        # before these notices send none.
        self.auditee_notices = patched("auditee-notices")
        # Nothing is recorded before it happens: stage 1, the on-site audit, its follow-up and the report
        # are refused when dated after the process's today. Audits begun before this check recorded
        # whatever they were given (their histories replay as they were).
        self.dates_are_facts = patched("record-integrity")
        self.board.dates_are_facts = self.dates_are_facts
        self.board.passed("audit_started")
        leader = self._leader()
        await self.board.incidents.execute(
            RecordActivities.record_audit,
            AuditRecord(audit_id=data.audit_id, workflow_id=data.certification_workflow_id,
                        organization_id=data.organization_id, kind=data.kind,
                        person_days=self.programme.person_days, onsite_days=self.programme.onsite_days,
                        onsite_start=self.programme.onsite_start, onsite_end=self.programme.onsite_end,
                        team=self.programme.team, shoppers=[v.shopper_id for v in self.programme.visits]),
            start_to_close_timeout=ACTIVITY_TIMEOUT, summary="登记审查及审查组",
        )
        self.board.passed("record_audit")

        # stage 1, repeated until the auditee is ready for the on-site audit.
        self.stage = "stage1"
        self.board.passed("stage1_needed")
        while data.stage1:
            stage1_on = self.programme.stage1_on
            assert stage1_on is not None  # a programme with a stage 1 dates it (rules/programme.py)
            s1 = await self.board.ask(
                "stage1", Stage1Findings, title="stage 1 findings", role=Role.AUDITOR, assignee_id=leader,
                due_on=stage1_on, rule_id="R-9.1.5", check=self._check_stage1,
                available_from=self._available(self.programme.stage1_on),
            )
            self.board.passed("stage1_ready")
            if s1.payload.ready_for_onsite:
                break
            await self._event("stage1.not_ready", "R-9.1.5", {"concerns": s1.payload.concerns})
            await self._notify_auditee("stage1_not_ready", {"concerns": s1.payload.concerns})
            self.board.passed("stage1_not_ready")

        # the visits, and the plan, both before the on-site audit.
        self.stage = "visits_and_plan"
        self.board.passed("visits_and_plan")
        await asyncio.gather(*(self._visit(v) for v in self.programme.visits), self._plan(leader))
        self.board.passed("visits_and_plan_done")

        # on-site audit, R-6 the level it reaches.
        self.stage = "onsite"
        onsite = await self.board.ask(
            "onsite_audit", OnsiteResults, title="on-site audit results", role=Role.AUDITOR, assignee_id=leader,
            due_on=self.programme.onsite_end, rule_id="R-9.1.7", check=self._check_onsite,
            available_from=self._available(self.programme.onsite_end),
            context={"catalogue": "/api/v1/catalogue", "full_assessment": data.full_assessment,
                     **({"sampling": data.sampling.model_dump(mode="json")} if data.sampling else {})},
        )
        self.onsite_done = True
        held = self._onsite_days(onsite.payload)
        recorded: OnsiteRecorded = await self.board.incidents.execute(
            RecordActivities.record_onsite_results,
            OnsiteRecord(audit_id=data.audit_id, items=onsite.payload.items, findings=onsite.payload.findings,
                         sample=not data.full_assessment, onsite_start=held[0], onsite_end=held[1]),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            summary="登记各项结果与发现，计算等级（R-6）",
        )
        self.board.passed("record_onsite_results")
        kinds = {fid: f.kind for fid, f in zip(recorded.finding_ids, onsite.payload.findings, strict=True)}
        open_ncs = {fid for fid, kind in kinds.items() if kind != "observation"}
        self.board.passed("open_nonconformities")

        # Nonconformities corrected and verified; what stays unverified stays open.
        if open_ncs:
            self.stage = "nonconformity_follow_up"
            follow = await self.board.ask(
                "nonconformity_follow_up", NonconformityFollowUp, title="nonconformity follow-up",
                role=Role.AUDITOR, assignee_id=leader,
                due_on=held[1] + timedelta(days=data.follow_up_days), rule_id="R-9.1.7",
                check=lambda p, a, f: self._check_follow_up(p, open_ncs, held[0]),
                context={"nonconformities": sorted(open_ncs)},
            )
            await self.board.incidents.execute(
                RecordActivities.record_follow_up, FollowUpRecord(corrections=follow.payload.corrections),
                start_to_close_timeout=ACTIVITY_TIMEOUT, summary="登记纠正与验证",
            )
            open_ncs -= {c.finding_id for c in follow.payload.corrections if c.verified_on is not None}

        # the leader's report and the team's recommendation.
        self.stage = "report"
        report_due = add_working_days(today(), data.report_working_days, data.reference.holidays)
        report = await self.board.ask(
            "audit_report", AuditReport, title="audit report and recommendation", role=Role.AUDITOR,
            assignee_id=leader, due_on=report_due.date, due_provisional=report_due.provisional, rule_id="R-9.1.8",
            check=lambda p, a, f: self._check_report(p, held[1]),
            context={"computed_level": recorded.rating.level.value if recorded.rating.level else None,
                     "rating": recorded.rating.summary, "open_nonconformities": sorted(open_ncs)},
        )
        await self.board.incidents.execute(
            RecordActivities.conclude_audit,
            AuditConclusion(audit_id=data.audit_id, status="concluded", recommendation=report.payload.recommendation),
            start_to_close_timeout=ACTIVITY_TIMEOUT, summary="审查结论",
        )
        self.board.passed("conclude_audit")
        if self.auditee_notices:
            r = report.payload
            await self._notify_auditee("audit_report", {
                "kind_words": KIND_WORDS[data.kind.value], "summary": r.summary,
                "recommendation_words": ("" if r.recommendation == "recommend" else "不") + (
                    "推荐认证" if data.kind.value in ("initial", "recertification") else "推荐保持认证"),
                "findings": [{"id": fid, "kind_words": FINDING_WORDS[f.kind], "description": f.description,
                              "open": fid in open_ncs}
                             for fid, f in zip(recorded.finding_ids, onsite.payload.findings, strict=True)
                             if f.kind != "observation"]}, rule_id="R-9.1.8")
            self.board.passed("report_to_auditee")
        self.stage = "concluded"
        self.board.passed("concluded")
        await self.board.mail.settle()  # the audit's reminders and notices are out before it reports
        return AuditOutcome(
            audit_id=data.audit_id,
            computed_level=recorded.rating.level.value if recorded.rating.level else None,
            rating_summary=recorded.rating.summary,
            open_major=sum(1 for fid in open_ncs if kinds[fid] == "major_nonconformity"),
            open_minor=sum(1 for fid in open_ncs if kinds[fid] == "minor_nonconformity"),
            recommendation=report.payload.recommendation,
            team=[m.staff_id for m in self.programme.team],
            shoppers=sorted({v.shopper_id for v in self.programme.visits}),
            onsite_end=held[1],  # counted from the day the audit ended, as recorded
            programme_version=self.programme_version,
            findings_by_department=dict(Counter(f.department for f in onsite.payload.findings if f.department)),
        )

    # ------------------------------------------------------------------------------ steps
    @property
    def plan_sent_on(self) -> date | None:
        plans = self.board.completed("onsite_plan")
        return plans[-1].payload.sent_on if plans else None

    @property
    def visits_reported(self) -> dict[str, date]:
        reports = self.board.completed("mystery_shopper_report")
        return {r.context["site"]: r.payload.visited_on for r in reports}

    async def _visit(self, visit: VisitPlan) -> None:
        await self.board.ask(
            "mystery_shopper_report", MysteryShopperReport, title=f"mystery-shopper visit to {visit.site}",
            role=Role.MYSTERY_SHOPPER, assignee_id=visit.shopper_id, due_on=visit.planned_on, rule_id="R-3.10",
            context={"site": visit.site}, check=self._check_visit, available_from=self._available(visit.planned_on),
        )

    async def _plan(self, leader: UUID) -> None:
        latest = self._latest_plan_date()
        rule = "R-9.1.6" if self.input.plan_notice_working_days else "R-9.4.2"
        plan = await self.board.ask(
            "onsite_plan", OnsitePlanSent, title="on-site plan communicated to the applicant", role=Role.AUDITOR,
            assignee_id=leader, due_on=latest.date, due_provisional=latest.provisional, rule_id=rule,
            check=self._check_plan,
        )
        if self.auditee_notices:
            await self._notify_auditee("onsite_plan", {
                "plan": plan.payload.plan, "onsite_start": self.programme.onsite_start.isoformat(),
                "onsite_end": self.programme.onsite_end.isoformat(), "leader": plan.actor.name,
                "short_notice": rule == "R-9.4.2"}, rule_id=rule)
            self.board.passed("plan_to_auditee")

    def _latest_plan_date(self, onsite_start: date | None = None):
        start = onsite_start or self.programme.onsite_start
        return add_working_days(start, -self.input.plan_notice_working_days, self.input.reference.holidays)

    def _available(self, planned: date | None) -> date | None:
        """The day from which a task can record what it is about: the programme's date for it."""
        return planned if self.dates_are_facts else None

    def _onsite_days(self, p: OnsiteResults) -> tuple[date, date]:
        """The days the on-site audit took place: as recorded with its results, else as programmed."""
        return p.started_on or self.programme.onsite_start, p.ended_on or self.programme.onsite_end

    def _about(self) -> dict:
        """What every task of this audit shows: whose audit, which kind, and its programmed days (read
        at each projection, so a revised programme shows its new dates)."""
        p = self.programme
        return {"organization": self.input.organization_name, "audit_kind": self.input.kind.value,
                "onsite_start": p.onsite_start.isoformat(), "onsite_end": p.onsite_end.isoformat(),
                "stage1_on": p.stage1_on.isoformat() if p.stage1_on else None, "sites": list(self.input.site_names)}

    def _leader(self) -> UUID:
        return next(m.staff_id for m in self.programme.team if m.role == "leader")

    async def _notify_auditee(self, template: str, params: dict, *, rule_id: str = "R-9.1.5") -> None:
        """A written notice to the auditee from the body's template, queued in the outbox and delivered
        (workflows/mail.py); without an address, only the event."""
        from activities.records import EventInput, Notice

        if not self.input.contact_email:
            return
        key = f"{self.input.audit_id}/notice/{template}/{workflow.info().get_current_history_length()}"
        event = EventInput(key=key, at=workflow.now(), kind=f"notice.{template}", rule_id=rule_id,
                           workflow_id=self.input.audit_id, subject=self.input.organization_name,
                           element_id=template, data={"template": template})
        queued = await self.board.incidents.execute(
            RecordActivities.send_notice, Notice(key=key, to=self.input.contact_email, template=template,
                                  params={"organization": self.input.organization_name, **params}, event=event),
            start_to_close_timeout=ACTIVITY_TIMEOUT, summary=f"通知：{template}",
        )
        self.board.mail.deliver([queued], template)

    async def _event(self, kind: str, rule_id: str | None, data: dict) -> None:
        from activities.records import EventInput

        await self.board.incidents.execute(
            RecordActivities.record_event,
            EventInput(key=f"{self.input.audit_id}/{kind}/{workflow.info().get_current_history_length()}",
                       at=workflow.now(), kind=kind, rule_id=rule_id, workflow_id=self.input.audit_id,
                       subject=self.input.organization_name, element_id=kind, data=data),
            start_to_close_timeout=ACTIVITY_TIMEOUT, summary=kind,
        )

    # ------------------------------------------------------------------------------ checks
    def _check_stage1(self, p: Stage1Findings, actor: Actor, facts: TaskFacts) -> None:
        if not p.ready_for_onsite and not p.concerns.strip():
            raise RuleViolation("R-9.1.5", "say what keeps the auditee from being ready; the applicant is told")
        held_on = p.held_on or self.programme.stage1_on
        if self.dates_are_facts and held_on is not None and held_on > today():
            raise RuleViolation("R-9.1.5", f"stage 1 is on {held_on}: its findings can be recorded from that day "
                                f"(today is {today()}); if it took place earlier, give held_on")

    def _check_visit(self, p: MysteryShopperReport, actor: Actor, facts: TaskFacts) -> None:
        if p.visited_on >= self.programme.onsite_start:
            raise RuleViolation("R-3.10", f"the visit on {p.visited_on} is not before the on-site audit starting "
                                f"{self.programme.onsite_start}")
        if p.visited_on > today():
            raise RuleViolation("R-3.10", f"the visit on {p.visited_on} has not happened yet (today is {today()})")
        if p.person_days < Decimal("0.5"):
            raise RuleViolation("R-3.10", "a visit takes at least 0.5 person-day per site")

    def _check_plan(self, p: OnsitePlanSent, actor: Actor, facts: TaskFacts) -> None:
        if p.sent_on > today():
            raise RuleViolation("R-9.1.6", f"the plan cannot have been sent on {p.sent_on}, after today ({today()})")
        latest = self._latest_plan_date()
        if p.sent_on > latest.date:
            raise RuleViolation(
                "R-9.1.6",
                f"the plan must reach the applicant at least {self.input.plan_notice_working_days} working days "
                "before the "
                f"on-site audit on {self.programme.onsite_start}: the last day was {latest.date}; move the on-site "
                "audit in the programme first",
            )

    def _check_onsite(self, p: OnsiteResults, actor: Actor, facts: TaskFacts) -> None:
        if self.dates_are_facts:
            self._check_onsite_days(p)
        catalogue = {i.id: i for i in self.input.reference.catalogue.items}
        seen = [i.item_id for i in p.items]
        unknown = sorted(set(seen) - set(catalogue))
        # a surveillance need not cover every aspect of the service.
        missing = sorted(set(catalogue) - set(seen)) if self.input.full_assessment else []
        if unknown or missing or len(seen) != len(set(seen)):
            raise RuleViolation("R-6", "every item of the catalogue is assessed once"
                                + (f"; unknown: {', '.join(unknown)}" if unknown else "")
                                + (f"; not assessed: {', '.join(missing[:10])}{' …' if len(missing) > 10 else ''}"
                                   if missing else ""))
        for i in p.items:
            item = catalogue[i.item_id]
            if i.method_score > item.max_method or i.execution_score > item.max_execution:
                raise RuleViolation("R-6", f"{i.item_id}: scores above the item's maximum "
                                    f"({item.max_method}/{item.max_execution})")
        unacknowledged = [f.description[:40] for f in p.findings if f.acknowledged_on is None]
        if unacknowledged:
            raise RuleViolation("R-9.1.8", "each finding is acknowledged by the auditee: "
                                + "; ".join(unacknowledged))
        start = self._onsite_days(p)[0]
        early = [f.description[:40] for f in p.findings
                 if self.dates_are_facts and not (f.acknowledged_on and start <= f.acknowledged_on <= today())]
        if early:
            raise RuleViolation("R-9.1.8", f"a finding is acknowledged during or after the on-site audit "
                                f"({start} to today, {today()}): " + "; ".join(early))

    def _check_onsite_days(self, p: OnsiteResults) -> None:
        """R-9.1.7: results are recorded once the on-site audit is over; its days are facts (R-3.10 the
        visits before it, R-9.1.6 the plan's notice before it)."""
        start, end = self._onsite_days(p)
        if end < start:
            raise RuleViolation("R-9.1.7", f"the on-site audit cannot end ({end}) before it starts ({start})")
        if end > today():
            raise RuleViolation("R-9.1.7", f"the on-site audit ends on {end}: its results can be recorded from that "
                                f"day (today is {today()}); if it ended earlier, give started_on and ended_on")
        late_visits = sorted(site for site, visited in self.visits_reported.items() if visited >= start)
        if late_visits:
            raise RuleViolation("R-3.10", f"the visits to {', '.join(late_visits)} were not before the on-site "
                                f"audit starting {start}")
        if self.plan_sent_on is not None and self.plan_sent_on > self._latest_plan_date(start).date:
            raise RuleViolation("R-9.1.6", f"the plan sent on {self.plan_sent_on} gave fewer than "
                                f"{self.input.plan_notice_working_days} working days' notice of {start}")

    def _check_follow_up(self, p: NonconformityFollowUp, open_ncs: set[str], onsite_start: date) -> None:
        unknown = {c.finding_id for c in p.corrections} - open_ncs
        if unknown:
            raise RuleViolation("R-9.1.7", f"not nonconformities of this audit: {', '.join(sorted(unknown))}")
        for c in p.corrections:
            if self.dates_are_facts and c.corrected_on and not onsite_start <= c.corrected_on <= today():
                raise RuleViolation("R-9.1.7", f"{c.finding_id}: corrected on {c.corrected_on}, not between the "
                                    f"on-site audit ({onsite_start}) and today ({today()})")
            if c.verified_on and (c.corrected_on is None or c.verified_on < c.corrected_on):
                raise RuleViolation("R-9.1.7", f"{c.finding_id}: verified before it was corrected")
            if c.verified_on and c.verified_on > today():
                raise RuleViolation("R-9.1.7", f"{c.finding_id}: verification dated in the future")

    def _check_report(self, p: AuditReport, onsite_end: date) -> None:
        """R-9.1.8: the report is gone through with the auditee after the on-site audit, not in the future."""
        if not self.dates_are_facts:
            return
        if p.discussed_with_auditee_on > today():
            raise RuleViolation("R-9.1.8", f"the report cannot have been discussed with the auditee on "
                                f"{p.discussed_with_auditee_on}, after today ({today()})")
        if p.discussed_with_auditee_on < onsite_end:
            raise RuleViolation("R-9.1.8", f"the report is discussed with the auditee after the on-site audit "
                                f"(ended {onsite_end}), not on {p.discussed_with_auditee_on}")

    # ------------------------------------------------------------------------------ Updates and queries
    @workflow.update(name="revise_programme")
    async def revise_programme(self, change: ProgrammeChange) -> int:
        """R-9.1.10: every change of the programme is recorded and versioned; moving the on-site audit
        re-checks the plan's notice (R-9.1.6) and the visits already made (R-3.10)."""
        self._validate_revision(change)
        previous = self.programme
        self.programme = change.revision.programme
        self.programme_version += 1
        if self.dates_are_facts:  # the inbox shows the new days the tasks can be done
            new = self.programme
            visits = {v.site: v.planned_on for v in new.visits}
            await self.board.reschedule("stage1", lambda context: new.stage1_on)
            await self.board.reschedule("mystery_shopper_report", lambda context: visits.get(context.get("site", "")))
            await self.board.reschedule("onsite_audit", lambda context: new.onsite_end)
        await self._event("programme.revised", "R-9.1.10", {
            "version": self.programme_version, "by": change.actor.name, "reason": change.revision.reason,
            "previous": previous.model_dump(mode="json"), "programme": self.programme.model_dump(mode="json")})
        return self.programme_version

    @revise_programme.validator
    def _validate_revision(self, change: ProgrammeChange) -> None:
        if Role.PROGRAMME_MANAGER not in change.actor.roles:
            raise refuse(Refusal.NOT_ASSIGNED, "Only a programme manager changes the programme.", rule_id="R-9.1.3")
        if self.onsite_done:
            raise refuse(Refusal.TASK_NOT_OPEN, "The on-site audit has taken place; its programme is closed.")
        new = change.revision.programme
        if [(m.staff_id, m.role) for m in new.team] != [(m.staff_id, m.role) for m in self.programme.team]:
            raise refuse(Refusal.RULE_VIOLATION, "Changing the team is not supported once the audit has started.",
                         rule_id="R-9.1.4")
        try:
            check_programme(new, site_names=self.input.site_names, minimum_person_days=self.input.minimum_person_days,
                            staff=change.facts.staff, today=min(today(), new.stage1_on or new.onsite_start),
                            stage1=self.input.stage1, visits_required=self.input.visits_required)
            if self.plan_sent_on is not None:
                latest = self._latest_plan_date(new.onsite_start)
                if self.plan_sent_on > latest.date:
                    raise RuleViolation("R-9.1.6", f"the plan was sent on {self.plan_sent_on}, fewer than "
                                        f"{self.input.plan_notice_working_days} working days before "
                                        f"{new.onsite_start}")
            for site, visited in self.visits_reported.items():
                if visited >= new.onsite_start:
                    raise RuleViolation("R-3.10", f"the visit to {site} on {visited} would no longer be before the "
                                        f"on-site audit on {new.onsite_start}")
        except RuleViolation as exc:
            raise refuse(Refusal.RULE_VIOLATION, exc.reason, rule_id=exc.rule_id) from None

    @workflow.query(name="status")
    def status(self) -> AuditState:
        return AuditState(audit_id=self.input.audit_id, stage=self.stage,
                          programme_version=self.programme_version, programme=self.programme,
                          plan_sent_on=self.plan_sent_on, visits_reported=self.visits_reported,
                          open_tasks=self.board.views(), unclosed_tasks=self.board.unclosed())
