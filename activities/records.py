"""The register's writes for a certification: application, audits, findings, the certificate.

Every activity here is idempotent: the keys are derived from the workflow id and the step (never
random), so a retried activity writes nothing twice and a number once given is never given again
(R-10.3.5).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
from jinja2 import UndefinedError
from pydantic import BaseModel
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.calendar import current_table
from activities.templates import MailTemplates, TemplateMissing
from rules.calendar import HolidayTable
from rules.lifecycle import LifecyclePolicy, certificate_validity, shanghai_date
from rules.numbering import NumberingPolicy, certificate_number, site_certificate_number
from rules.rating import Catalogue, ItemResult, RatingResult, default_catalogue, rate
from schemas.applications import ApplicationRecord, ApplicationStatus
from schemas.audits import Audit, AuditKind, Finding, ItemScore
from schemas.certificates import Certificate, CertStatus, StarLevel
from schemas.intake import ApplicationSubmission
from schemas.organizations import Organization, Site
from schemas.payloads import Correction, FindingInput, ItemAssessment, TeamAssignment
from schemas.tasking import Actor
from store import applications, audits, certificate_search, certificates, events, organizations, outbox, tasks

# Organization and site ids are derived from what identifies them, so that a retry (or a second
# application of the same organization) finds the same rows.
_ORG_NAMESPACE = uuid.UUID("6f1c2a7e-3d4b-4c1a-9a8e-5b6d7c8e9f01")


def organization_id_for(credit_code: str) -> UUID:
    return uuid.uuid5(_ORG_NAMESPACE, credit_code)


def site_id_for(organization_id: UUID, site_name: str) -> UUID:
    return uuid.uuid5(organization_id, site_name)


class EventInput(BaseModel):
    key: str
    at: datetime
    actor: str = "system"
    kind: str
    rule_id: str | None = None
    workflow_id: str | None = None
    subject: str | None = None
    element_id: str | None = None
    data: dict[str, Any] = {}


class ApplicationIntake(BaseModel):
    application_id: UUID
    workflow_id: str
    submission: ApplicationSubmission
    submitted_at: datetime
    submitted_by: Actor


class IntakeResult(BaseModel):
    organization_id: UUID
    site_ids: dict[str, UUID]


class StatusChange(BaseModel):
    application_id: UUID
    status: ApplicationStatus
    event: EventInput


class Notice(BaseModel):
    """A written notice to the applicant (R-9.1.2.8, R-9.1.9 c ...), rendered from the body's template
    (activities/templates.py) and queued in the outbox."""

    key: str
    to: str
    template: str
    params: dict[str, Any] = {}
    event: EventInput


class ReferenceQuery(BaseModel):
    years: list[int]


class ReferenceData(BaseModel):
    """What validators need and may not read themselves: the holiday table for the years in play and
    the item catalogue (R-6)."""

    holidays: HolidayTable
    catalogue: Catalogue


class AuditRecord(BaseModel):
    audit_id: str
    workflow_id: str
    organization_id: UUID
    kind: AuditKind
    person_days: Decimal
    onsite_days: Decimal
    onsite_start: date
    onsite_end: date
    team: list[TeamAssignment]
    shoppers: list[UUID] = []


class OnsiteRecord(BaseModel):
    audit_id: str
    items: list[ItemAssessment]
    findings: list[FindingInput]
    sample: bool = False  # a surveillance rates the items it sampled
    onsite_start: date | None = None  # the days the on-site audit took place, as recorded
    onsite_end: date | None = None


class OnsiteRecorded(BaseModel):
    rating: RatingResult
    finding_ids: list[str]


class FollowUpRecord(BaseModel):
    corrections: list[Correction]


class AuditConclusion(BaseModel):
    audit_id: str
    status: str
    recommendation: str | None = None


class GrantInput(BaseModel):
    workflow_id: str
    application_id: UUID
    organization_id: UUID
    star_level: StarLevel
    scope: str
    decided_on: date
    site_ids: list[UUID]
    numbering: NumberingPolicy
    lifecycle: LifecyclePolicy
    event: EventInput


class GrantResult(BaseModel):
    number: str
    valid_from: date
    valid_to: date
    sub_numbers: dict[str, str]


class ExpiryInput(BaseModel):
    number: str
    event: EventInput


class CertificateStatusChange(BaseModel):
    """R-9.6.8: suspended (with the day it must be resolved by, R-9.6.3), reinstated, withdrawn."""

    number: str
    status: CertStatus
    suspended_until: date | None = None
    event: EventInput


class NextDueRecord(BaseModel):
    """What is due next on the certificate (workflows/life.py ``next_due``); None when nothing is."""

    number: str
    on: date | None = None
    what: str | None = None


class ScopeReduction(BaseModel):
    """R-9.6.6: sites and scope taken out; the certificate is reissued (R-10.3.4) with what remains."""

    number: str
    scope: str
    remove_site_ids: list[UUID] = []
    removed_on: date
    revision: int
    event: EventInput


class ReissueInput(BaseModel):
    """R-10.3.4: same number and validity, the reissue date noted, the revision counted."""

    number: str
    revision: int
    reissued_on: date
    scope: str | None = None
    organization_id: UUID
    organization_name: str | None = None
    registered_address: str | None = None
    event: EventInput


class RenewalInput(BaseModel):
    """R-9.3: the same number, a new validity, the decision date as the issue date."""

    number: str
    issued_on: date
    valid_from: date
    valid_to: date
    star_level: StarLevel
    scope: str | None = None
    event: EventInput


async def _event(db, e: EventInput) -> None:
    await events.append_event(db, e.key, e.at, e.actor, e.kind, rule_id=e.rule_id, workflow_id=e.workflow_id,
                              subject=e.subject, element_id=e.element_id, data=e.data)


class RecordActivities:
    def __init__(self, pool: asyncpg.Pool, templates: MailTemplates | None = None) -> None:
        self.pool = pool
        self.templates = templates or MailTemplates()

    @activity.defn(name="record_event")
    async def record_event(self, event: EventInput) -> None:
        await _event(self.pool, event)

    @activity.defn(name="record_application")
    async def record_application(self, intake: ApplicationIntake) -> IntakeResult:
        """R-9.1.1: the application as submitted, and the organization and sites when the register does
        not know them yet. A known organization's record is not rewritten by an application: its new
        name or address stays this application's data and reaches a certificate only by a reissue
        (R-10.3.4, R-9.4.1, R-11)."""
        s = intake.submission
        org = s.organization
        assert org.credit_code and org.name
        async with self.pool.acquire() as conn, conn.transaction():
            registered = await organizations.register_organization(conn, Organization(
                id=organization_id_for(org.credit_code), name=org.name, credit_code=org.credit_code,
                registered_address=org.registered_address or "", postcode=org.postcode or "",
                contact=org.contact.model_dump(),
            ))
            org_id = registered.id
            site_ids: dict[str, UUID] = {}
            for site in s.sites:
                registered_site = await organizations.register_site(conn, Site(
                    id=site_id_for(org_id, site.name), organization_id=org_id, name=site.name, address=site.address,
                    postcode=site.postcode, headcount=site.headcount,
                ))
                site_ids[site.name] = registered_site.id
            await applications.record_application(conn, ApplicationRecord(
                id=intake.application_id, organization_id=org_id, workflow_id=intake.workflow_id,
                scope=s.scope or "", data=s.model_dump(mode="json"), submitted_at=intake.submitted_at,
            ))
            await events.append_event(
                conn, f"{intake.workflow_id}/application.received", intake.submitted_at,
                str(intake.submitted_by.staff_id), "application.received", rule_id="R-9.1.1",
                workflow_id=intake.workflow_id, subject=str(intake.application_id), element_id="application_received",
                data={"organization": org.name, "sites": len(s.sites), "headcount": s.total_headcount},
            )
        return IntakeResult(organization_id=org_id, site_ids=site_ids)

    @activity.defn(name="set_application_status")
    async def set_application_status(self, change: StatusChange) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await applications.set_status(conn, change.application_id, change.status)
            await _event(conn, change.event)

    @activity.defn(name="send_notice")
    async def send_notice(self, notice: Notice) -> str:
        """Queue the notice in the outbox and record it; returns the outbox key, which the workflow then
        delivers (``deliver_mail``)."""
        try:
            subject, body = self.templates.render(notice.template, notice.params)
        except (TemplateMissing, UndefinedError) as exc:
            # A template the body edited into something the process cannot fill: retrying will not help.
            raise ApplicationError(f"mail template {notice.template}: {exc}", type="MailTemplateError",
                                   non_retryable=True) from None
        async with self.pool.acquire() as conn, conn.transaction():
            await outbox.enqueue(conn, notice.key, notice.to, subject, body, template=notice.template)
            await _event(conn, notice.event.model_copy(update={"data": {**notice.event.data, "subject": subject}}))
        return notice.key

    @activity.defn(name="reference_data")
    async def reference_data(self, query: ReferenceQuery) -> ReferenceData:
        table = await current_table(self.pool)
        years = set(query.years)
        # Only the years in play travel into the workflow's history: a few dozen days, not twenty years.
        holidays = HolidayTable(
            years=frozenset(y for y in table.years if y in years),
            off_days={d: n for d, n in table.off_days.items() if d.year in years},
            working_days={d: n for d, n in table.working_days.items() if d.year in years},
        )
        return ReferenceData(holidays=holidays, catalogue=default_catalogue())

    @activity.defn(name="record_audit")
    async def record_audit(self, record: AuditRecord) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await audits.record_audit(conn, Audit(
                id=record.audit_id, workflow_id=record.workflow_id, organization_id=record.organization_id,
                kind=record.kind, person_days=record.person_days, onsite_days=record.onsite_days,
                onsite_start=record.onsite_start, onsite_end=record.onsite_end,
            ))
            for member in record.team:
                await audits.add_team_member(conn, record.audit_id, member.staff_id, member.role)
            for shopper in record.shoppers:
                await audits.add_team_member(conn, record.audit_id, shopper, "mystery_shopper")

    @activity.defn(name="record_onsite_results")
    async def record_onsite_results(self, record: OnsiteRecord) -> OnsiteRecorded:
        """R-9.1.7 item results and findings; R-6 the level they reach."""
        rating = rate([ItemResult(**i.model_dump()) for i in record.items], sample=record.sample)
        finding_ids = [f"{record.audit_id}/finding/{n}" for n in range(1, len(record.findings) + 1)]
        async with self.pool.acquire() as conn, conn.transaction():
            await audits.record_item_scores(conn, [ItemScore(audit_id=record.audit_id, **i.model_dump())
                                                   for i in record.items])
            for fid, f in zip(finding_ids, record.findings, strict=True):
                await audits.record_finding(conn, Finding(id=fid, audit_id=record.audit_id, **f.model_dump()))
            await audits.update_audit(conn, record.audit_id, status="onsite_done",
                                      computed_level=rating.level.value if rating.level else None,
                                      onsite_start=record.onsite_start, onsite_end=record.onsite_end)
        return OnsiteRecorded(rating=rating, finding_ids=finding_ids)

    @activity.defn(name="record_follow_up")
    async def record_follow_up(self, record: FollowUpRecord) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            for c in record.corrections:
                await audits.set_finding_progress(conn, c.finding_id, corrected_on=c.corrected_on,
                                                  verified_on=c.verified_on)

    @activity.defn(name="conclude_audit")
    async def conclude_audit(self, conclusion: AuditConclusion) -> None:
        await audits.update_audit(self.pool, conclusion.audit_id, status=conclusion.status,
                                  recommendation=conclusion.recommendation)

    @activity.defn(name="grant_certificate")
    async def grant_certificate(self, grant: GrantInput) -> GrantResult:
        """R-9.1.9 a: the number (R-10.3, allocated once per certification, R-10.3.5), the certificate
        with its validity (R-10.1), a sub-certificate per site (R-10.3.3), published (R-9.1.9.n3)."""
        year = grant.decided_on.year
        valid_from, valid_to = certificate_validity(grant.decided_on, grant.lifecycle)
        async with self.pool.acquire() as conn, conn.transaction():
            number = await certificates.allocate_certificate_number(
                conn, f"{grant.workflow_id}/certificate-number",
                lambda seq: certificate_number(seq, year, grant.numbering),
            )
            await certificates.record_certificate(conn, Certificate(
                number=number, organization_id=grant.organization_id, application_id=grant.application_id,
                workflow_id=grant.workflow_id, status=CertStatus.VALID, star_level=grant.star_level,
                scope=grant.scope, issued_on=grant.decided_on, valid_from=valid_from, valid_to=valid_to,
            ), site_ids=grant.site_ids)
            subs: dict[str, str] = {}
            for index, site_id in enumerate(grant.site_ids, start=1):
                sub = await certificates.add_certificate_site(conn, number, site_id, index)
                subs[str(site_id)] = sub.sub_number
                assert sub.sub_number == site_certificate_number(number, index, grant.numbering)
            await applications.set_status(conn, grant.application_id, ApplicationStatus.GRANTED)
            await _event(conn, grant.event.model_copy(update={
                "subject": number, "data": {**grant.event.data, "number": number,
                                            "valid_from": valid_from.isoformat(), "valid_to": valid_to.isoformat()}}))
        return GrantResult(number=number, valid_from=valid_from, valid_to=valid_to, sub_numbers=subs)

    @activity.defn(name="set_certificate_status")
    async def set_certificate_status(self, change: CertificateStatusChange) -> None:
        """The public status (R-9.6.8) and its event, in one transaction (the regulator's report reads both)."""
        async with self.pool.acquire() as conn, conn.transaction():
            await certificates.set_status(conn, change.number, change.status, suspended_until=change.suspended_until,
                                          on=shanghai_date(change.event.at))
            await _event(conn, change.event)

    @activity.defn(name="reduce_certificate_scope")
    async def reduce_certificate_scope(self, change: ScopeReduction) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await certificates.reduce_scope(conn, change.number, scope=change.scope,
                                            remove_site_ids=change.remove_site_ids, removed_on=change.removed_on,
                                            revision=change.revision)
            await _event(conn, change.event)

    @activity.defn(name="reissue_certificate")
    async def reissue_certificate(self, reissue: ReissueInput) -> None:
        """R-10.3.4: the scheme's one path by which a new name or address reaches a certificate (and the
        organization's record); the certificate's earlier versions keep what they said."""
        async with self.pool.acquire() as conn, conn.transaction():
            await certificates.record_reissue(conn, reissue.number, revision=reissue.revision,
                                              reissued_on=reissue.reissued_on, scope=reissue.scope,
                                              organization_name=reissue.organization_name,
                                              registered_address=reissue.registered_address)
            if reissue.organization_name or reissue.registered_address:
                org = await organizations.get_organization(conn, reissue.organization_id)
                if org is not None:
                    await organizations.upsert_organization(conn, org.model_copy(update={
                        "name": reissue.organization_name or org.name,
                        "registered_address": reissue.registered_address or org.registered_address}))
            await _event(conn, reissue.event)

    @activity.defn(name="renew_certificate")
    async def renew_certificate(self, renewal: RenewalInput) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await certificates.record_recertification(
                conn, renewal.number, issued_on=renewal.issued_on, valid_from=renewal.valid_from,
                valid_to=renewal.valid_to, star_level=renewal.star_level, scope=renewal.scope)
            await _event(conn, renewal.event)

    @activity.defn(name="record_next_due")
    async def record_next_due(self, due: NextDueRecord) -> None:
        """The register's copy of what is due next on the certificate, for the staff's lists."""
        await certificate_search.record_next_due(self.pool, due.number, due.on, due.what)

    @activity.defn(name="withdraw_open_tasks")
    async def withdraw_open_tasks(self, workflow_id: str) -> list[str]:
        """The process has ended: its open tasks, and its audits', leave everyone's inbox."""
        return await tasks.cancel_open_tasks_of(self.pool, workflow_id)

    @activity.defn(name="expire_certificate")
    async def expire_certificate(self, expiry: ExpiryInput) -> None:
        """R-9.6.8: a certificate not renewed by its last day is expired."""
        async with self.pool.acquire() as conn, conn.transaction():
            current = await certificates.get_certificate(conn, expiry.number)
            if current and current.status != CertStatus.EXPIRED:
                # expired from the day after the validity, even when the worker writes it later.
                on = min(shanghai_date(expiry.event.at), current.valid_to + timedelta(days=1))
                await certificates.set_status(conn, expiry.number, CertStatus.EXPIRED, on=on)
            await _event(conn, expiry.event)
