"""One certification, from the application to the certificate (R-9.1.1 – R-9.1.10), then its life.

Application review within 3 working days (R-9.1.2) with the audit time from Appendix A (R-9.1.2.7),
rejection in writing or a contract (R-9.1.2.8), the programme (R-9.1.3, R-9.1.4, R-7, R-3.10, R-A.n1a),
the audit as an ``AuditWorkflow`` child, the materials accepted, the decision within 10 working days by
someone who took no part in the audit (R-9.1.9, R-9.1.9.n1), and on a grant the number (R-10.3), the
certificate with its validity (R-10.1), publication (R-9.1.9.n3) and the search attributes. Then the
certificate's life (``CertificateLife``, workflows/life.py, composed of its subprocesses' parts):
surveillance, suspension, special audits, notifications, recertification, expiry or withdrawal, one
validity cycle per run; staff act on it through the ``act`` Update.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.documents import DocumentRequest
    from activities.records import (
        ApplicationIntake,
        EventInput,
        ExpiryInput,
        GrantInput,
        GrantResult,
        IntakeResult,
        Notice,
        RecordActivities,
        ReferenceData,
        ReferenceQuery,
        StatusChange,
    )
    from rules.audit_time import (
        AdjustedAuditTime,
        Adjustment,
        TableAuditTime,
        adjust_audit_time,
        confirmed_audit_time,
        table_audit_time,
    )
    from rules.calendar import WorkingDayResult, add_working_days
    from rules.lifecycle import shanghai_date
    from rules.programme import check_programme
    from rules.rating import check_level_decided
    from schemas.actions import ActionReceipt, ActionRequest
    from schemas.applications import ApplicationStatus
    from schemas.audits import AuditKind
    from schemas.certificates import StarLevel
    from schemas.errors import RuleViolation
    from schemas.payloads import (
        ApplicationReview,
        AuditTimeConfirmation,
        CertificationDecision,
        ContractSigned,
        MaterialsReview,
        MoreInformation,
        Programme,
    )
    from schemas.staff import Role
    from schemas.tasking import Actor, Refusal, TaskFacts
    from workflows.audit import KIND_WORDS, AuditInput, AuditOutcome, AuditWorkflow
    from workflows.contracts import CertificationInput, LifeState, LifeStatus, LifeWait, ProcessStatus, Stage
    from workflows.incidents import IncidentBound
    from workflows.life import CertificateLife
    from workflows.life_audits import took_part
    from workflows.life_context import LifeServices, RunChecks
    from workflows.search_attributes import CERT_NUMBER, CERT_STATUS, NEXT_DUE, ORGANIZATION, STAR_LEVEL
    from workflows.tasks import Completed, HumanTasks, TaskBoard, refuse, start_of, today

REVIEW_WORKING_DAYS = 3
DECISION_WORKING_DAYS = 10
# The steps the scheme does not time take their working days from data.policy.process (Decisions).
ACTIVITY_TIMEOUT = timedelta(seconds=60)

TEAM_ROLE_WORDS = {"leader": "审查组长", "auditor": "审查员", "expert": "技术专家"}


def programme_notice(programme: Completed, kind: str, *, version: int) -> dict:
    """The programme notice's parameters (R-9.1.3, R-9.1.4): the team by name, as the register named
    them when the programme was completed, so that the organization can object to a member."""
    p, staff = programme.payload, programme.facts.staff if programme.facts else {}
    team = [{"name": staff[str(m.staff_id)].name if str(m.staff_id) in staff else str(m.staff_id),
             "role": TEAM_ROLE_WORDS[m.role]} for m in p.team]
    return {"kind_words": KIND_WORDS[kind], "version": version, "team": team,
            "stage1_on": p.stage1_on.isoformat() if p.stage1_on else None, "onsite_start": p.onsite_start.isoformat(),
            "onsite_end": p.onsite_end.isoformat(), "person_days": str(p.person_days)}


@workflow.defn(name="CertificationWorkflow")
class CertificationWorkflow(HumanTasks):
    starting_message = "The application is still being recorded; try again in a moment."
    board: TaskBoard  # from the start (``__init__``)

    @workflow.init
    def __init__(self, data: CertificationInput) -> None:
        self.input = data
        steps = data.policy.process
        self.board = TaskBoard(workflow.info().workflow_id, str(data.application_id), steps.reminder_days_before,
                               bound=IncidentBound.of(steps))
        self.board.link_page(data.process_pages)
        self.board.about = self._about
        self.reference: ReferenceData | None = None
        self.stage: Stage = "application_review"
        self.audit: AuditOutcome | None = None
        self.audit_workflow_id: str | None = None
        self.programme_version = 0
        self.grant: GrantResult | None = None
        self.events = 0
        self.table_days = Decimal(0)  # R-A.table value for the application's headcount
        self.minimum_days = Decimal(0)  # the audit time the review set (R-9.1.2.7)
        self.checks = RunChecks()  # set by the run (workflow.patched "record-integrity")
        self.initial_notices = False
        self.life: CertificateLife | None = None  # from the grant, or the run that continues the life

    # =============================================================================== the process
    @workflow.run
    async def run(self, data: CertificationInput) -> str:
        if data.life is not None:
            return await self._continue_life(data.life)
        self._record_integrity()
        # Written notices at each step of the initial certification (received, accepted, programme);
        # processes that began before them send none.
        self.initial_notices = workflow.patched("initial-notices")
        workflow.upsert_search_attributes([ORGANIZATION.value_set(data.submission.organization.name or "")])
        self.board.passed("application_submitted")
        intake = await self._record_application()
        if not await self._review_application():
            return await self._end_process("rejected", "application rejected (R-9.1.2.8)")
        self.stage = "contract"  # R-9.1.2.8
        await self.board.ask("contract", ContractSigned, title="contract signed", role=Role.REVIEWER,
                             rule_id="R-9.1.2.8", **self._due(data.policy.process.contract_working_days))
        programme = await self._ask_programme()
        audit = await self._run_initial_audit(intake, programme)
        await self._review_materials()
        decision = await self._decide(audit)
        if decision is None:
            return await self._end_process("refused", "certification refused (R-9.1.9)")
        grant = await self._grant(intake, decision)
        if workflow.patched("certificate-life"):
            # The certificate's life (workflows/life.py), cycle after cycle.
            return await self._run_certificate_life(self._first_cycle(intake, grant, audit, decision.payload))
        # Before the certificate's life was built, a certificate simply ran to its end (histories of then).
        await workflow.sleep(start_of(grant.valid_to + timedelta(days=1)) - workflow.now(),
                             summary=f"certificate valid until {grant.valid_to}")
        await self.board.incidents.execute(
            RecordActivities.expire_certificate,
            ExpiryInput(number=grant.number,
                        event=self._event_input("certificate.expired", "R-9.6.8", {}).model_copy(
                            update={"subject": grant.number})),
            start_to_close_timeout=ACTIVITY_TIMEOUT, summary="the certificate expires (R-9.6.8)",
        )
        workflow.upsert_search_attributes([CERT_STATUS.value_set("expired")])
        return await self._end_process("expired", f"certificate {grant.number} expired")

    async def _record_application(self) -> IntakeResult:
        """R-9.1.1: the application in the register; then the holiday table and the item catalogue."""
        data = self.input
        intake = await self.board.incidents.execute(
            RecordActivities.record_application,
            ApplicationIntake(application_id=data.application_id, workflow_id=workflow.info().workflow_id,
                              submission=data.submission, submitted_at=data.submitted_at,
                              submitted_by=data.submitted_by),
            start_to_close_timeout=ACTIVITY_TIMEOUT, summary="record the application (R-9.1.1)",
        )
        self.board.passed("record_application")
        year = today().year
        self.reference = await self.board.incidents.execute(
            RecordActivities.reference_data, ReferenceQuery(years=list(range(year - 1, year + 5))),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            summary="holiday table and item catalogue",
        )
        return intake

    async def _review_application(self) -> bool:
        """R-9.1.2 application review, R-9.1.2.7 audit time; False when the application is rejected."""
        data = self.input
        table_time = table_audit_time(data.submission.total_headcount, data.policy.audit_time)
        self.table_days = table_time.days
        await self._set_application_status(ApplicationStatus.UNDER_REVIEW, "R-9.1.2")
        review_due = self._due(REVIEW_WORKING_DAYS)
        if self.initial_notices:
            await self._notify("application_received", "R-9.1.1", {
                "submitted_on": shanghai_date(data.submitted_at).isoformat(),
                "review_due_on": review_due["due_on"].isoformat(),
                "review_due_provisional": review_due["due_provisional"]})
        review = await self.board.ask(
            "application_review", ApplicationReview, title="application review", role=Role.REVIEWER,
            rule_id="R-9.1.2", check=self._check_review, deadline=True, **review_due,
            context={"headcount": data.submission.total_headcount, "table_person_days": str(table_time.days),
                     "band": f"{table_time.lower}–{table_time.upper}",
                     "needs_manager_confirmation": table_time.needs_manager_confirmation},
        )
        self.board.passed("review_conclusion")
        if review.payload.conclusion == "reject":
            await self._notify("application_rejected", "R-9.1.2.8", {"reasons": review.payload.reasons})
            self.board.passed("application_rejected")
            await self._set_application_status(ApplicationStatus.REJECTED, "R-9.1.2.8")
            return False
        adjusted = adjust_audit_time(table_time.days, self._adjustments(review.payload), data.policy.audit_time)
        self.minimum_days = adjusted.adjusted_days
        if self.checks.scheme_gaps and table_time.needs_manager_confirmation:  # R-A.table Decision
            self.minimum_days = await self._confirm_audit_time(table_time, adjusted)
        await self._set_application_status(ApplicationStatus.ACCEPTED, "R-9.1.2.8", {
            "table_person_days": str(adjusted.table_days), "person_days": str(self.minimum_days),
            "reasons": list(adjusted.reasons)})
        if self.initial_notices:
            await self._notify("application_accepted", "R-9.1.2.8", {"person_days": str(self.minimum_days),
                                                                     "adjustments": list(adjusted.reasons)})
        return True

    async def _ask_programme(self) -> Completed[Programme]:
        """R-9.1.3 programme, R-9.1.4 team; recorded as the programme's first version (R-9.1.10)."""
        data = self.input
        self.stage = "programme"
        programme = await self.board.ask(
            "programme", Programme, title="certification programme", role=Role.PROGRAMME_MANAGER,
            rule_id="R-9.1.3", check=self._check_programme, **self._due(data.policy.process.programme_working_days),
            context={"sites": [s.name for s in data.submission.sites], "minimum_person_days": str(self.minimum_days)},
        )
        self.programme_version = 1
        await self._record_event("programme.version", "R-9.1.10",
                                 {"version": 1, "programme": programme.payload.model_dump(mode="json")})
        if self.initial_notices:
            await self._notify("programme_notice", "R-9.1.3", programme_notice(programme, "initial", version=1))
        return programme

    async def _run_initial_audit(self, intake: IntakeResult, programme: Completed[Programme]) -> AuditOutcome:
        """The audit, a child workflow (R-4)."""
        data, wf_id = self.input, workflow.info().workflow_id
        org, steps = data.submission.organization, data.policy.process
        await self._set_application_status(ApplicationStatus.IN_AUDIT, "R-9.1.5")
        self.audit_workflow_id = f"audit-{wf_id}-initial-1"
        child = await workflow.start_child_workflow(
            AuditWorkflow.run,
            AuditInput(audit_id=self.audit_workflow_id, certification_workflow_id=wf_id,
                       organization_id=intake.organization_id, organization_name=org.name or "",
                       contact_email=org.contact.email, kind=AuditKind.INITIAL,
                       site_names=[s.name for s in data.submission.sites], programme=programme.payload,
                       minimum_person_days=self.minimum_days, reference=self._reference(),
                       reminder_days_before=steps.reminder_days_before, follow_up_days=steps.follow_up_days,
                       report_working_days=steps.report_working_days, process_pages=data.process_pages,
                       incident_bound=IncidentBound.of(steps)),
            id=self.audit_workflow_id, static_summary=f"initial audit of {org.name}",
        )
        self.stage = "audit"  # the child exists from here: its tasks can be completed
        called = self.board.enter("initial_audit")
        self.audit = audit = await child
        self.board.leave(called)
        self.programme_version = audit.programme_version
        return audit

    async def _review_materials(self) -> None:
        """R-9.1.9: the materials reviewed and accepted start the 10 working days of the decision."""
        self.stage = "materials_review"
        await self._set_application_status(ApplicationStatus.AWAITING_DECISION, "R-9.1.9")
        accepted = False
        while not accepted:  # not accepted: the team completes the materials and they are reviewed again
            review_of_materials = await self.board.ask(
                "materials_review", MaterialsReview, title="audit materials review", role=Role.PROGRAMME_MANAGER,
                rule_id="R-9.1.9", **self._due(self.input.policy.process.materials_working_days),
            )
            accepted = review_of_materials.payload.accepted
            self.board.passed("materials_accepted")

    async def _decide(self, audit: AuditOutcome) -> Completed[CertificationDecision] | None:
        """R-9.1.9 by someone who took no part in the audit (R-9.1.9.n1), with the more-information loop;
        None when the certification is refused."""
        steps = self.input.policy.process
        excluded = took_part(audit, steps, integrity_checks=self.checks.integrity)  # .n1
        decision_due = self._due(DECISION_WORKING_DAYS)
        while True:
            self.stage = "decision"
            decision = await self.board.ask(
                "certification_decision", CertificationDecision, title="certification decision",
                role=Role.DECISION_MAKER, rule_id="R-9.1.9", excluded=excluded, check=self._check_decision,
                deadline=True, **decision_due,
                context={"computed_level": audit.computed_level, "rating": audit.rating_summary,
                         "open_major_nonconformities": audit.open_major, "recommendation": audit.recommendation},
            )
            self.board.passed("decision_outcome")
            if decision.payload.outcome == "more_information":
                self.stage = "more_information"
                await self.board.ask("more_information", MoreInformation, title="more information for the decision",
                                     role=Role.PROGRAMME_MANAGER, rule_id="R-9.1.9",
                                     context={"questions": decision.payload.questions},
                                     **self._due(steps.answer_working_days))
                if steps.decision_clock_after_answer == "restart":  # Decision
                    decision_due = self._due(DECISION_WORKING_DAYS)
                continue
            if decision.payload.outcome == "refuse":
                await self._notify("certification_refused", "R-9.1.9", {"reasons": decision.payload.reasons})
                self.board.passed("certification_refused")
                await self._set_application_status(ApplicationStatus.REFUSED, "R-9.1.9")
                return None
            return decision

    async def _grant(self, intake: IntakeResult, decision: Completed[CertificationDecision]) -> GrantResult:
        """R-9.1.9 a: grant, number (R-10.3), certificate (R-10.1, R-10.2), publication (R-9.1.9.n3)."""
        data = self.input
        assert decision.payload.star_level is not None  # _check_decision
        level = StarLevel(decision.payload.star_level)
        self.grant = grant = await self.board.incidents.execute(
            RecordActivities.grant_certificate,
            GrantInput(workflow_id=workflow.info().workflow_id, application_id=data.application_id,
                       organization_id=intake.organization_id, star_level=level, scope=data.submission.scope or "",
                       decided_on=today(), site_ids=[intake.site_ids[s.name] for s in data.submission.sites],
                       numbering=data.policy.numbering, lifecycle=data.policy.lifecycle,
                       event=self._event_input("certificate.granted", "R-9.1.9", {"star_level": level.value,
                                                                                  "by": decision.actor.name})),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            summary="allocate the number and publish the certificate (R-10.3, R-9.1.9.n3)",
        )
        self.board.passed("grant_certificate")
        workflow.upsert_search_attributes([
            CERT_NUMBER.value_set(grant.number), CERT_STATUS.value_set("valid"), STAR_LEVEL.value_set(level.value),
            NEXT_DUE.value_set(start_of(grant.valid_to + timedelta(days=1))),
        ])
        self._issue_document(grant.number, "grant")
        await self._notify("certificate_granted", "R-9.1.9", {
            "number": grant.number, "star_level": level.value, "valid_from": grant.valid_from.isoformat(),
            "valid_to": grant.valid_to.isoformat()})
        self.stage = "granted"
        self.board.passed("granted")
        self.board.details(f"certificate {grant.number} valid until {grant.valid_to} (R-10.1)")
        return grant

    def _first_cycle(self, intake: IntakeResult, grant: GrantResult, audit: AuditOutcome,
                     decision: CertificationDecision) -> LifeState:
        """The certificate's life as the grant begins it (R-10.1)."""
        submission = self.input.submission
        assert decision.star_level is not None  # _check_decision
        return LifeState(
            number=grant.number, organization_id=intake.organization_id,
            organization_name=submission.organization.name or "", star_level=StarLevel(decision.star_level).value,
            scope=submission.scope or "", sites={s.name: intake.site_ids[s.name] for s in submission.sites},
            valid_from=grant.valid_from, valid_to=grant.valid_to, decided_on=today(),
            initial_person_days=self.minimum_days, audit_counts={AuditKind.INITIAL.value: 1},
            programme_version=self.programme_version, findings_by_department=audit.findings_by_department)

    def _record_integrity(self) -> None:
        """The checks of issue 12, for runs that begin with them; runs begun before replay without them.
        Dates are facts (records dated after today refused); a surveillance rated on its sample (R-9.2.6,
        R-9.2.8); shoppers kept from the decision, the suspension's outcome within its limit, a reissue that
        cannot change the scope, an automatic suspension's side (``integrity_checks``); the R-A.table
        confirmation, R-A.n1b year totals and step-rounded minima, R-6.result at renewal (``scheme_gaps``)."""
        checked = workflow.patched("record-integrity")
        self.board.dates_are_facts = checked
        self.checks = RunChecks(integrity=checked, scheme_gaps=checked, sampled_level=checked)

    async def _continue_life(self, life: LifeState) -> str:
        """A new run of a certificate's life (continue-as-new): fresh reference data, then the cycle."""
        self._record_integrity()
        self.minimum_days = life.initial_person_days
        self.programme_version = life.programme_version
        year = today().year
        self.reference = await self.board.incidents.execute(
            RecordActivities.reference_data, ReferenceQuery(years=list(range(year - 1, year + 5))),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            summary="holiday table and item catalogue",
        )
        return await self._run_certificate_life(life)

    async def _run_certificate_life(self, state: LifeState) -> str:
        """The certificate's life for one validity cycle, then the process's end or a new run."""
        self.events = state.events
        self.stage = "granted"
        self.life = CertificateLife(self.input, self.board, state, self.checks, LifeServices(
            reference=self._reference, due=self._due, event_input=self._event_input, notify=self._notify,
            issue_document=self._issue_document))
        outcome = await self.life.live_one_cycle()
        if isinstance(outcome, LifeState):
            workflow.continue_as_new(self.input.model_copy(update={
                "life": outcome.model_copy(update={"events": self.events})}))
        return await self._end_process(outcome, f"certificate {state.number} {outcome}")

    # =============================================================================== helpers
    def _about(self) -> dict:
        """What every task of this certification shows: the organization and, once granted, the
        certificate number (the life's name for them, which a reissue may have changed)."""
        about = {"application_id": str(self.input.application_id)}
        if self.life is not None:
            s = self.life.state
            return {**about, "organization": s.organization_name, "certificate_number": s.number}
        return {**about, "organization": self.input.submission.organization.name or ""}

    def _reference(self) -> ReferenceData:
        assert self.reference is not None, "fetched before the first task is asked"
        return self.reference

    def _due(self, working_days: int, start: date | None = None) -> dict:
        result: WorkingDayResult = add_working_days(start or today(), working_days, self._reference().holidays)
        return {"due_on": result.date, "due_provisional": result.provisional}

    @staticmethod
    def _adjustments(review: ApplicationReview) -> list[Adjustment]:
        return [Adjustment(kind=a.kind, days=a.days, reason=a.reason) for a in review.audit_time_adjustments]

    def _event_input(self, kind: str, rule_id: str | None, data: dict) -> EventInput:
        self.events += 1
        wf_id = workflow.info().workflow_id
        return EventInput(key=f"{wf_id}/{kind}/{self.events}", at=workflow.now(), kind=kind, rule_id=rule_id,
                          workflow_id=wf_id, subject=str(self.input.application_id), element_id=kind, data=data)

    async def _record_event(self, kind: str, rule_id: str | None, data: dict) -> None:
        if self.life is not None:  # about the certificate (its number the subject)
            await self.life.ctx.record_event(kind, rule_id, data)
            return
        await self.board.incidents.execute(RecordActivities.record_event, self._event_input(kind, rule_id, data),
                                           start_to_close_timeout=ACTIVITY_TIMEOUT, summary=kind)

    async def _set_application_status(self, status: ApplicationStatus, rule_id: str, data: dict | None = None) -> None:
        await self.board.incidents.execute(
            RecordActivities.set_application_status,
            StatusChange(application_id=self.input.application_id, status=status,
                         event=self._event_input(f"application.{status.value}", rule_id, data or {})),
            start_to_close_timeout=ACTIVITY_TIMEOUT, summary=f"application {status.value}",
        )

    async def _notify(self, template: str, rule_id: str, params: dict) -> None:
        """A written notice to the applicant, from the body's template (activities/mail_templates/):
        queued in the outbox, then delivered (workflows/mail.py)."""
        contact = self.input.submission.organization.contact
        event = self._event_input(f"notice.{template}", rule_id, {"template": template})
        if not contact.email:
            await self._record_event(f"notice.{template}.no_email", rule_id, {"template": template})
            return
        params = {"organization": self.input.submission.organization.name or "",
                  "application_id": str(self.input.application_id), **params}
        key = await self.board.incidents.execute(
            RecordActivities.send_notice,
            Notice(key=event.key, to=contact.email, template=template, params=params, event=event),
            start_to_close_timeout=ACTIVITY_TIMEOUT, summary=f"notice: {template}",
        )
        self.board.mail.deliver([key], template)

    def _issue_document(self, number: str, reason: str) -> None:
        """R-10.2: the certificate document as the register now has it (on grant, reissue, scope
        reduction and recertification); processes that began before documents existed make none."""
        if not workflow.patched("certificate-document"):
            return
        key = self._event_input("certificate.document", "R-10.2", {}).key
        self.board.mail.issue_document(DocumentRequest(key=key, number=number, reason=reason))

    async def _end_process(self, stage: Stage, summary: str) -> str:
        self.stage = stage
        self.board.passed(stage)  # the end event (rejected, refused, withdrawn, expired)
        self.board.details(summary)
        await self.board.mail.settle()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return stage

    async def _confirm_audit_time(self, table_time: TableAuditTime, adjusted: AdjustedAuditTime) -> Decimal:
        """R-A.table Decision: beyond the scheme's rows a manager confirms the audit time or changes it,
        with a reason, before the contract is signed on it (and the acceptance notice states it); the
        time confirmed is the programme's minimum and the base of R-A.n1b/R-A.n1c."""
        def confirmed(p: AuditTimeConfirmation, *_) -> Decimal:
            return confirmed_audit_time(adjusted.adjusted_days, change=p.outcome == "change", person_days=p.person_days,
                                        reason=p.reason, policy=self.input.policy.audit_time)

        done = await self.board.ask(
            "audit_time_confirmation", AuditTimeConfirmation, title="confirm the audit time beyond the table",
            role=Role.MANAGER, rule_id="R-A.table", check=confirmed,
            **self._due(self.input.policy.process.confirmation_working_days),
            context={"headcount": table_time.headcount, "band": f"{table_time.lower}–{table_time.upper}",
                     "source": table_time.source, "table_person_days": str(table_time.days),
                     "person_days": str(adjusted.adjusted_days), "adjustments": list(adjusted.reasons)})
        days = confirmed(done.payload)
        await self._record_event("audit_time.confirmed", "R-A.table", {
            "outcome": done.payload.outcome, "proposed": str(adjusted.adjusted_days), "person_days": str(days),
            "reason": done.payload.reason, "by": done.actor.name})
        return days

    # =============================================================================== checks
    def _check_review(self, p: ApplicationReview, actor: Actor, facts: TaskFacts) -> None:
        if p.conclusion == "reject":
            if not p.reasons.strip():
                raise RuleViolation("R-9.1.2.8", "a rejection gives its reasons: they go to the applicant in writing")
            return
        unmet = [name for name in ApplicationReview.model_fields
                 if name not in ("conclusion", "reasons", "audit_time_adjustments") and not getattr(p, name).satisfied]
        if unmet:
            raise RuleViolation("R-9.1.2", f"an application is accepted only when every review point is satisfied; "
                                f"not satisfied: {', '.join(unmet)}")
        adjust_audit_time(self.table_days, self._adjustments(p), self.input.policy.audit_time)  # R-9.1.2.7 bounds

    def _check_programme(self, p: Programme, actor: Actor, facts: TaskFacts) -> None:
        check_programme(p, site_names=[s.name for s in self.input.submission.sites],
                        minimum_person_days=self.minimum_days, staff=facts.staff, today=today())

    def _check_decision(self, p: CertificationDecision, actor: Actor, facts: TaskFacts) -> None:
        if p.outcome == "refuse" and not p.reasons.strip():
            raise RuleViolation("R-9.1.9", "a refusal gives its reasons in writing")
        if p.outcome == "more_information" and not p.questions.strip():
            raise RuleViolation("R-9.1.9", "say what information is needed")
        if p.outcome != "grant":
            return
        if p.star_level is None:
            raise RuleViolation("R-9.1.9", "a grant names the star level")
        assert self.audit is not None  # the decision is asked after the audit
        if self.audit.open_major:
            raise RuleViolation("R-9.1.9", f"{self.audit.open_major} major nonconformities are still open; "
                                "they must be corrected and verified before a grant")
        check_level_decided(p.star_level, self.audit.computed_level, self.input.policy.rating)  # R-6.result

    # =============================================================================== Updates and queries
    def _accepting_tasks(self) -> bool:
        return self.reference is not None

    @workflow.update(name="wait_for_stage")
    async def wait_for_stage(self, stage: str) -> ProcessStatus:
        await workflow.wait_condition(lambda: self.stage == stage)
        return self.status()

    @workflow.query(name="status")
    def status(self) -> ProcessStatus:
        data = self.input
        return ProcessStatus(
            workflow_id=workflow.info().workflow_id,
            application_id=data.application_id,
            organization=data.submission.organization.name or "",
            stage=self.stage,
            summary=workflow.get_current_details() or self.board.describe(),
            open_tasks=self.board.views(),
            audit_workflow_id=self.audit_workflow_id,
            computed_level=self.audit.computed_level if self.audit else None,
            certificate_number=self.grant.number if self.grant else None,
            valid_to=self.grant.valid_to if self.grant else None,
            programme_version=self.life.state.programme_version if self.life else self.programme_version,
            life=self.life.status() if self.life else None,
        )

    # The certificate's life (workflows/life.py): the staff's actions and the waits of the API and tests.
    @workflow.update(name="act")
    async def act(self, request: ActionRequest) -> ActionReceipt:
        self._validate_act(request)  # the state may have moved since the validator ran
        assert self.life is not None
        return await self.life.actions.act(request)

    @act.validator
    def _validate_act(self, request: ActionRequest) -> None:
        if self.life is None:
            raise refuse(Refusal.STATE_CONFLICT, "There is no certificate yet: the certification is still under way.")
        self.life.actions.validate(request)

    @workflow.update(name="wait_for_audit")
    async def wait_for_audit(self, audit_id: str) -> str:
        """Block until the audit ``audit_id`` (``audit-{workflow id}-{kind}-{n}``) is running, so that a
        caller can address its Updates (the API's "what next", and tests)."""
        by_the_server = self.checks.integrity  # older runs answered as soon as it was being started
        await workflow.wait_condition(
            lambda: self.life is not None and self.life.audit_started(audit_id, by_the_server=by_the_server))
        return audit_id

    @workflow.update(name="wait_for_life")
    async def wait_for_life(self, wanted: LifeWait) -> LifeStatus:
        """Block until the certificate's life matches ``wanted`` and the register has caught up with it
        (status, next due date, the certificate document), or this run is about to end (withdrawal,
        expiry, renewal: then the caller asks again, and the next run answers)."""
        await workflow.wait_condition(lambda: self.life is not None and self.life.settled_for(wanted))
        assert self.life is not None
        return self.life.status()
