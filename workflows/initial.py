"""The initial certification, from the application to the certificate (R-9.1.1 – R-9.1.10).

Application review within 3 working days (R-9.1.2) with the audit time from Appendix A (R-9.1.2.7) and,
beyond the table, a manager's confirmation (R-A.table Decision), rejection in writing or a contract
(R-9.1.2.8), the programme (R-9.1.3, R-9.1.4, R-7, R-3.10, R-A.n1a), the audit as an ``AuditWorkflow``
child, the materials accepted, the decision within 10 working days by someone who took no part in the
audit (R-9.1.9, R-9.1.9.n1), and on a grant the number (R-10.3), the certificate with its validity
(R-10.1), publication (R-9.1.9.n3) and the search attributes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Literal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.records import (
        ApplicationIntake,
        ExpiryInput,
        GrantInput,
        GrantResult,
        IntakeResult,
        RecordActivities,
    )
    from rules.audit_time import (
        AdjustedAuditTime,
        Adjustment,
        TableAuditTime,
        adjust_audit_time,
        confirmed_audit_time,
        table_audit_time,
    )
    from rules.lifecycle import shanghai_date
    from rules.programme import check_programme
    from rules.rating import check_level_decided
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
    from schemas.tasking import Actor, TaskFacts
    from workflows.audit import KIND_WORDS, AuditInput, AuditOutcome, AuditWorkflow
    from workflows.contracts import LifeState
    from workflows.incidents import IncidentBound
    from workflows.life_audits import took_part
    from workflows.patching import patched
    from workflows.process_context import ACTIVITY_TIMEOUT, ProcessContext
    from workflows.programme_proposals import propose_programme
    from workflows.search_attributes import CERT_NUMBER, CERT_STATUS, NEXT_DUE, ORGANIZATION, STAR_LEVEL, audit_start
    from workflows.tasks import Completed, start_of, today

REVIEW_WORKING_DAYS = 3
DECISION_WORKING_DAYS = 10
# The steps the scheme does not time take their working days from data.policy.process (Decisions).
TEAM_ROLE_WORDS = {"leader": "审查组长", "auditor": "审查员", "expert": "技术专家"}
NOT_CERTIFIED = {"rejected": "application rejected (R-9.1.2.8)", "refused": "certification refused (R-9.1.9)"}


def programme_notice(programme: Completed[Programme], kind: str, *, version: int) -> dict:
    """The programme notice's parameters (R-9.1.3, R-9.1.4): the team by name, as the register named
    them when the programme was completed, so that the organization can object to a member."""
    p, staff = programme.payload, programme.facts.staff if programme.facts else {}
    team = [{"name": staff[str(m.staff_id)].name if str(m.staff_id) in staff else str(m.staff_id),
             "role": TEAM_ROLE_WORDS[m.role]} for m in p.team]
    return {"kind_words": KIND_WORDS[kind], "version": version, "team": team,
            "stage1_on": p.stage1_on.isoformat() if p.stage1_on else None, "onsite_start": p.onsite_start.isoformat(),
            "onsite_end": p.onsite_end.isoformat(), "person_days": str(p.person_days)}


@dataclass
class InitialState:
    initial_notices: bool = False  # written notices at each step (processes begun before them send none)
    table_days: Decimal = Decimal(0)  # R-A.table value for the application's headcount
    minimum_days: Decimal = Decimal(0)  # the audit time the review set (R-9.1.2.7)
    programme_version: int = 0
    audit_workflow_id: str | None = None
    audit: AuditOutcome | None = None
    grant: GrantResult | None = None


class InitialCertification:
    def __init__(self, ctx: ProcessContext) -> None:
        self.ctx = ctx
        self.state = InitialState()

    async def certify(self) -> Literal["rejected", "refused"] | LifeState:
        """The steps to the certificate: how the application ended when it was not certified, else the
        certificate's first cycle."""
        ctx = self.ctx
        # Written notices at each step of the initial certification (received, accepted, programme);
        # processes that began before them send none.
        self.state.initial_notices = patched("initial-notices")
        workflow.upsert_search_attributes([ORGANIZATION.value_set(ctx.input.submission.organization.name or "")])
        ctx.board.passed("application_submitted")
        intake = await self.record_application()
        if not await self.review_application():
            return "rejected"
        ctx.stage = "contract"  # R-9.1.2.8
        await ctx.board.ask("contract", ContractSigned, title="contract signed", role=Role.REVIEWER,
                            rule_id="R-9.1.2.8", **ctx.due(ctx.input.policy.process.contract_working_days))
        programme = await self.ask_programme()
        audit = await self.run_initial_audit(intake, programme)
        await self.review_materials()
        decision = await self.decide(audit)
        if decision is None:
            return "refused"
        grant = await self.grant(intake, decision)
        return self.first_cycle(intake, grant, audit, decision.payload)

    async def run_to_expiry(self, grant: GrantResult) -> None:
        """Before the certificate's life was built, a certificate simply ran to its end (histories of then)."""
        await workflow.sleep(start_of(grant.valid_to + timedelta(days=1)) - workflow.now(),
                             summary=f"证书有效期至 {grant.valid_to}")
        await self.ctx.board.incidents.execute(
            RecordActivities.expire_certificate,
            ExpiryInput(number=grant.number,
                        event=self.ctx.event_input("certificate.expired", "R-9.6.8", {}).model_copy(
                            update={"subject": grant.number})),
            start_to_close_timeout=ACTIVITY_TIMEOUT, summary="证书到期（R-9.6.8）",
        )
        workflow.upsert_search_attributes([CERT_STATUS.value_set("expired")])

    async def record_application(self) -> IntakeResult:
        """R-9.1.1: the application in the register; then the holiday table and the item catalogue."""
        data = self.ctx.input
        intake = await self.ctx.board.incidents.execute(
            RecordActivities.record_application,
            ApplicationIntake(application_id=data.application_id, workflow_id=workflow.info().workflow_id,
                              submission=data.submission, submitted_at=data.submitted_at,
                              submitted_by=data.submitted_by),
            start_to_close_timeout=ACTIVITY_TIMEOUT, summary="登记申请（R-9.1.1）",
        )
        self.ctx.board.passed("record_application")
        await self.ctx.fetch_reference()
        return intake

    async def review_application(self) -> bool:
        """R-9.1.2 application review, R-9.1.2.7 audit time; False when the application is rejected."""
        data = self.ctx.input
        table_time = table_audit_time(data.submission.total_headcount, data.policy.audit_time)
        self.state.table_days = table_time.days
        await self.ctx.set_application_status(ApplicationStatus.UNDER_REVIEW, "R-9.1.2")
        review_due = self.ctx.due(REVIEW_WORKING_DAYS)
        if self.state.initial_notices:
            await self.ctx.notify("application_received", "R-9.1.1", {
                "submitted_on": shanghai_date(data.submitted_at).isoformat(),
                "review_due_on": review_due["due_on"].isoformat(),
                "review_due_provisional": review_due["due_provisional"]})
        review = await self.ctx.board.ask(
            "application_review", ApplicationReview, title="application review", role=Role.REVIEWER,
            rule_id="R-9.1.2", check=self.check_review, deadline=True, **review_due,
            context={"headcount": data.submission.total_headcount, "table_person_days": str(table_time.days),
                     "band": f"{table_time.lower}–{table_time.upper}",
                     "needs_manager_confirmation": table_time.needs_manager_confirmation},
        )
        self.ctx.board.passed("review_conclusion")
        if review.payload.conclusion == "reject":
            await self.ctx.notify("application_rejected", "R-9.1.2.8", {"reasons": review.payload.reasons})
            self.ctx.board.passed("application_rejected")
            await self.ctx.set_application_status(ApplicationStatus.REJECTED, "R-9.1.2.8")
            return False
        adjusted = adjust_audit_time(table_time.days, self.adjustments(review.payload), data.policy.audit_time)
        self.state.minimum_days = adjusted.adjusted_days
        if self.ctx.checks.scheme_gaps and table_time.needs_manager_confirmation:  # R-A.table Decision
            self.state.minimum_days = await self.confirm_audit_time(table_time, adjusted)
        await self.ctx.set_application_status(ApplicationStatus.ACCEPTED, "R-9.1.2.8", {
            "table_person_days": str(adjusted.table_days), "person_days": str(self.state.minimum_days),
            "reasons": list(adjusted.reasons)})
        if self.state.initial_notices:
            await self.ctx.notify("application_accepted", "R-9.1.2.8", {"person_days": str(self.state.minimum_days),
                                                                     "adjustments": list(adjusted.reasons)})
        return True

    async def ask_programme(self) -> Completed[Programme]:
        """R-9.1.3 programme, R-9.1.4 team; recorded as the programme's first version (R-9.1.10)."""
        data = self.ctx.input
        self.ctx.stage = "programme"
        programme = await self.ctx.board.ask(
            "programme", Programme, title="certification programme", role=Role.PROGRAMME_MANAGER,
            rule_id="R-9.1.3", check=self.check_programme, **self.ctx.due(data.policy.process.programme_working_days),
            context={"sites": [s.name for s in data.submission.sites],
                     "minimum_person_days": str(self.state.minimum_days),
                     **await propose_programme(  # issue 18: a team and dates to accept or change
                         self.ctx.board, "programme", AuditKind.INITIAL, minimum=self.state.minimum_days,
                         stage1=True, visits=True, site_names=[s.name for s in data.submission.sites])},
        )
        self.state.programme_version = 1
        await self.ctx.record_event("programme.version", "R-9.1.10",
                                 {"version": 1, "programme": programme.payload.model_dump(mode="json")})
        if self.state.initial_notices:
            await self.ctx.notify("programme_notice", "R-9.1.3", programme_notice(programme, "initial", version=1))
        return programme

    async def run_initial_audit(self, intake: IntakeResult, programme: Completed[Programme]) -> AuditOutcome:
        """The audit, a child workflow (R-4)."""
        data, wf_id = self.ctx.input, workflow.info().workflow_id
        org, steps = data.submission.organization, data.policy.process
        await self.ctx.set_application_status(ApplicationStatus.IN_AUDIT, "R-9.1.5")
        self.state.audit_workflow_id = f"audit-{wf_id}-initial-1"
        child = await workflow.start_child_workflow(
            AuditWorkflow.run,
            AuditInput(audit_id=self.state.audit_workflow_id, certification_workflow_id=wf_id,
                       organization_id=intake.organization_id, organization_name=org.name or "",
                       contact_email=org.contact.email, kind=AuditKind.INITIAL,
                       site_names=[s.name for s in data.submission.sites], programme=programme.payload,
                       minimum_person_days=self.state.minimum_days, reference=self.ctx.reference_data(),
                       reminder_days_before=steps.reminder_days_before, follow_up_days=steps.follow_up_days,
                       report_working_days=steps.report_working_days, process_pages=data.process_pages,
                       incident_bound=IncidentBound.of(steps)),
            id=self.state.audit_workflow_id,
            **audit_start(AuditKind.INITIAL.value, data.application_id, org.name or "", org.credit_code, None,
                          old_summary=f"initial audit of {org.name}"),
        )
        self.ctx.stage = "audit"  # the child exists from here: its tasks can be completed
        called = self.ctx.board.enter("initial_audit")
        self.state.audit = audit = await child
        self.ctx.board.leave(called)
        self.state.programme_version = audit.programme_version
        return audit

    async def review_materials(self) -> None:
        """R-9.1.9: the materials reviewed and accepted start the 10 working days of the decision."""
        self.ctx.stage = "materials_review"
        await self.ctx.set_application_status(ApplicationStatus.AWAITING_DECISION, "R-9.1.9")
        accepted = False
        while not accepted:  # not accepted: the team completes the materials and they are reviewed again
            review_of_materials = await self.ctx.board.ask(
                "materials_review", MaterialsReview, title="audit materials review", role=Role.PROGRAMME_MANAGER,
                rule_id="R-9.1.9", **self.ctx.due(self.ctx.input.policy.process.materials_working_days),
            )
            accepted = review_of_materials.payload.accepted
            self.ctx.board.passed("materials_accepted")

    async def decide(self, audit: AuditOutcome) -> Completed[CertificationDecision] | None:
        """R-9.1.9 by someone who took no part in the audit (R-9.1.9.n1), with the more-information loop;
        None when the certification is refused."""
        steps = self.ctx.input.policy.process
        excluded = took_part(audit, steps, integrity_checks=self.ctx.checks.integrity)  # .n1
        decision_due = self.ctx.due(DECISION_WORKING_DAYS)
        while True:
            self.ctx.stage = "decision"
            decision = await self.ctx.board.ask(
                "certification_decision", CertificationDecision, title="certification decision",
                role=Role.DECISION_MAKER, rule_id="R-9.1.9", excluded=excluded, check=self.check_decision,
                deadline=True, **decision_due,
                context={"computed_level": audit.computed_level, "rating": audit.rating_summary,
                         "open_major_nonconformities": audit.open_major, "recommendation": audit.recommendation},
            )
            self.ctx.board.passed("decision_outcome")
            if decision.payload.outcome == "more_information":
                self.ctx.stage = "more_information"
                await self.ctx.board.ask("more_information", MoreInformation, title="more information for the decision",
                                     role=Role.PROGRAMME_MANAGER, rule_id="R-9.1.9",
                                     context={"questions": decision.payload.questions},
                                     **self.ctx.due(steps.answer_working_days))
                if steps.decision_clock_after_answer == "restart":  # Decision
                    decision_due = self.ctx.due(DECISION_WORKING_DAYS)
                continue
            if decision.payload.outcome == "refuse":
                await self.ctx.notify("certification_refused", "R-9.1.9", {"reasons": decision.payload.reasons})
                self.ctx.board.passed("certification_refused")
                await self.ctx.set_application_status(ApplicationStatus.REFUSED, "R-9.1.9")
                return None
            return decision

    async def grant(self, intake: IntakeResult, decision: Completed[CertificationDecision]) -> GrantResult:
        """R-9.1.9 a: grant, number (R-10.3), certificate (R-10.1, R-10.2), publication (R-9.1.9.n3)."""
        data = self.ctx.input
        assert decision.payload.star_level is not None  # _check_decision
        level = StarLevel(decision.payload.star_level)
        self.state.grant = grant = await self.ctx.board.incidents.execute(
            RecordActivities.grant_certificate,
            GrantInput(workflow_id=workflow.info().workflow_id, application_id=data.application_id,
                       organization_id=intake.organization_id, star_level=level, scope=data.submission.scope or "",
                       decided_on=today(), site_ids=[intake.site_ids[s.name] for s in data.submission.sites],
                       numbering=data.policy.numbering, lifecycle=data.policy.lifecycle,
                       event=self.ctx.event_input("certificate.granted", "R-9.1.9", {"star_level": level.value,
                                                                                  "by": decision.actor.name})),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            summary="分配证书编号并公布证书（R-10.3、R-9.1.9.n3）",
        )
        self.ctx.board.passed("grant_certificate")
        workflow.upsert_search_attributes([
            CERT_NUMBER.value_set(grant.number), CERT_STATUS.value_set("valid"), STAR_LEVEL.value_set(level.value),
            NEXT_DUE.value_set(start_of(grant.valid_to + timedelta(days=1))),
        ])
        self.ctx.issue_document(grant.number, "grant")
        await self.ctx.notify("certificate_granted", "R-9.1.9", {
            "number": grant.number, "star_level": level.value, "valid_from": grant.valid_from.isoformat(),
            "valid_to": grant.valid_to.isoformat()})
        self.ctx.stage = "granted"
        self.ctx.board.passed("granted")
        self.ctx.board.details(f"certificate {grant.number} valid until {grant.valid_to} (R-10.1)")
        return grant

    def first_cycle(self, intake: IntakeResult, grant: GrantResult, audit: AuditOutcome,
                     decision: CertificationDecision) -> LifeState:
        """The certificate's life as the grant begins it (R-10.1)."""
        submission = self.ctx.input.submission
        assert decision.star_level is not None  # _check_decision
        return LifeState(
            number=grant.number, organization_id=intake.organization_id,
            organization_name=submission.organization.name or "", star_level=StarLevel(decision.star_level).value,
            scope=submission.scope or "", sites={s.name: intake.site_ids[s.name] for s in submission.sites},
            valid_from=grant.valid_from, valid_to=grant.valid_to, decided_on=today(),
            initial_person_days=self.state.minimum_days, audit_counts={AuditKind.INITIAL.value: 1},
            programme_version=self.state.programme_version, findings_by_department=audit.findings_by_department)

    async def confirm_audit_time(self, table_time: TableAuditTime, adjusted: AdjustedAuditTime) -> Decimal:
        """R-A.table Decision: beyond the scheme's rows a manager confirms the audit time or changes it,
        with a reason, before the contract is signed on it (and the acceptance notice states it); the
        time confirmed is the programme's minimum and the base of R-A.n1b/R-A.n1c."""
        def confirmed(p: AuditTimeConfirmation, *_) -> Decimal:
            return confirmed_audit_time(adjusted.adjusted_days, change=p.outcome == "change", person_days=p.person_days,
                                        reason=p.reason, policy=self.ctx.input.policy.audit_time)

        done = await self.ctx.board.ask(
            "audit_time_confirmation", AuditTimeConfirmation, title="confirm the audit time beyond the table",
            role=Role.MANAGER, rule_id="R-A.table", check=confirmed,
            **self.ctx.due(self.ctx.input.policy.process.confirmation_working_days),
            context={"headcount": table_time.headcount, "band": f"{table_time.lower}–{table_time.upper}",
                     "source": table_time.source, "table_person_days": str(table_time.days),
                     "person_days": str(adjusted.adjusted_days), "adjustments": list(adjusted.reasons)})
        days = confirmed(done.payload)
        await self.ctx.record_event("audit_time.confirmed", "R-A.table", {
            "outcome": done.payload.outcome, "proposed": str(adjusted.adjusted_days), "person_days": str(days),
            "reason": done.payload.reason, "by": done.actor.name})
        return days

    @staticmethod
    def adjustments(review: ApplicationReview) -> list[Adjustment]:
        return [Adjustment(kind=a.kind, days=a.days, reason=a.reason) for a in review.audit_time_adjustments]

    def check_review(self, p: ApplicationReview, actor: Actor, facts: TaskFacts) -> None:
        if p.conclusion == "reject":
            if not p.reasons.strip():
                raise RuleViolation("R-9.1.2.8", "a rejection gives its reasons: they go to the applicant in writing")
            return
        unmet = [name for name in ApplicationReview.model_fields
                 if name not in ("conclusion", "reasons", "audit_time_adjustments") and not getattr(p, name).satisfied]
        if unmet:
            raise RuleViolation("R-9.1.2", f"an application is accepted only when every review point is satisfied; "
                                f"not satisfied: {', '.join(unmet)}")
        # R-9.1.2.7 bounds
        adjust_audit_time(self.state.table_days, self.adjustments(p), self.ctx.input.policy.audit_time)

    def check_programme(self, p: Programme, actor: Actor, facts: TaskFacts) -> None:
        check_programme(p, site_names=[s.name for s in self.ctx.input.submission.sites],
                        minimum_person_days=self.state.minimum_days, staff=facts.staff, today=today())

    def check_decision(self, p: CertificationDecision, actor: Actor, facts: TaskFacts) -> None:
        if p.outcome == "refuse" and not p.reasons.strip():
            raise RuleViolation("R-9.1.9", "a refusal gives its reasons in writing")
        if p.outcome == "more_information" and not p.questions.strip():
            raise RuleViolation("R-9.1.9", "say what information is needed")
        if p.outcome != "grant":
            return
        if p.star_level is None:
            raise RuleViolation("R-9.1.9", "a grant names the star level")
        assert self.state.audit is not None  # the decision is asked after the audit
        if self.state.audit.open_major:
            raise RuleViolation("R-9.1.9", f"{self.state.audit.open_major} major nonconformities are still open; "
                                "they must be corrected and verified before a grant")
        check_level_decided(p.star_level, self.state.audit.computed_level, self.ctx.input.policy.rating)  # R-6.result

