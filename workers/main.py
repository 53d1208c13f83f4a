"""The worker: every workflow and activity of certflow on one task queue, mail and documents on its I/O
queue (workers/pair.py), a bounded workflow cache and a graceful stop."""

from __future__ import annotations

import asyncio
import signal
from datetime import timedelta
from typing import Any

import asyncpg
from temporalio.client import Client

from activities.calendar import CalendarActivities
from activities.digest import DigestActivities, StaffMailSettings
from activities.documents import DocumentActivities, DocumentSettings
from activities.inbox import InboxActivities
from activities.incidents import IncidentActivities
from activities.notify import MailSettings, NotifyActivities
from activities.records import RecordActivities
from activities.scheduling import SchedulingActivities, load_solver
from activities.system import SystemActivities
from activities.templates import MailTemplates
from certflow.logging import get_logger
from certflow.settings import Settings
from certflow.temporal_client import connect_client, metrics_runtime
from schemas.outbox import StaffMail
from schemas.scheduling import SchedulingPolicy
from store.db import create_pool
from workers.errors import BusinessErrorsAreFinal
from workers.pair import WorkerPair, WorkerRole, pair_workers
from workers.sandbox import workflow_runner
from workflows.audit import AuditWorkflow
from workflows.audit_planning import AUDIT_PLANNING_WORKFLOW_ID, AuditPlanningInput, AuditPlanningWorkflow
from workflows.certification import CertificationWorkflow
from workflows.digest import STAFF_DIGEST_WORKFLOW_ID, StaffDigestInput, StaffDigestWorkflow
from workflows.incidents import IncidentBound
from workflows.reporting import REPORTING_WORKFLOW_ID, RegulatorReportWorkflow, ReportingInput
from workflows.smoke import SmokeWorkflow

log = get_logger(__name__)

WORKFLOWS = [CertificationWorkflow, AuditWorkflow, RegulatorReportWorkflow, StaffDigestWorkflow, AuditPlanningWorkflow,
             SmokeWorkflow]


def mail_settings(settings: Settings) -> MailSettings:
    """The SMTP part of the settings: the activity gets only what it needs to send."""
    return MailSettings(host=settings.smtp_host, port=settings.smtp_port, username=settings.smtp_username,
                        password=settings.smtp_password, starttls=settings.smtp_starttls,
                        mail_from=settings.mail_from)


def staff_mail_settings(settings: Settings) -> StaffMailSettings:
    """The Decision on mail to staff: one per task, or a daily digest (activities/digest.py)."""
    return StaffMailSettings(mode=settings.staff_mail, digest_hour=settings.staff_digest_hour,
                             role_tasks=settings.staff_digest_role_tasks)


def activities_for(pool: asyncpg.Pool, mail: MailSettings, templates: MailTemplates | None = None,
                   documents: DocumentSettings | None = None, staff_mail: StaffMailSettings | None = None,
                   scheduling: SchedulingPolicy | None = None) -> list:
    templates, staff_mail = templates or MailTemplates(), staff_mail or StaffMailSettings()
    document = DocumentActivities(pool, documents)
    system, calendar = SystemActivities(pool), CalendarActivities(pool)
    records, inbox = RecordActivities(pool, templates), InboxActivities(pool, templates, staff_mail.mode)
    digest = DigestActivities(pool, templates, staff_mail)
    notify, incidents = NotifyActivities(pool, mail), IncidentActivities(pool)
    planner = SchedulingActivities(pool, scheduling)
    return [
        system.register_status, calendar.add_working_days,
        records.record_event, records.record_application, records.set_application_status, records.send_notice,
        records.reference_data, records.record_audit, records.record_onsite_results, records.record_follow_up,
        records.conclude_audit, records.grant_certificate, records.expire_certificate,
        records.set_certificate_status, records.reduce_certificate_scope, records.reissue_certificate,
        records.renew_certificate, records.withdraw_open_tasks, records.record_next_due,
        inbox.project_task, inbox.close_task, inbox.cancel_task, inbox.notify_task, inbox.notify_staff,
        notify.deliver_mail, document.issue_certificate_document, incidents.record_incident,
        digest.queue_staff_digest, planner.propose_programme, planner.replan_proposals,
        planner.plan_horizon,
    ]


def build_worker(client: Client, pool: asyncpg.Pool, task_queue: str, mail: MailSettings | None = None,
                 templates: MailTemplates | None = None, documents: DocumentSettings | None = None,
                 staff_mail: StaffMailSettings | None = None, *, role: WorkerRole = "all",
                 scheduling: SchedulingPolicy | None = None,
                 io_options: dict[str, Any] | None = None, **options: Any) -> WorkerPair:
    """The core and I/O workers of ``task_queue`` (workers/pair.py). ``mail`` defaults to the local
    sink's address, where `certflow up` runs it; ``templates`` to the shipped mail templates;
    ``documents`` to the shipped font and no accreditation number; ``staff_mail`` to one mail per task;
    ``options`` go to the core Temporal ``Worker`` (e.g. ``max_cached_workflows``), ``io_options`` to
    the I/O one. certflow's own errors fail an activity once, without retries (workers/errors.py)."""
    if role in ("all", "io"):
        load_solver()  # the planner runs on the I/O worker; see load_solver for why now
    options.setdefault("workflow_runner", workflow_runner(client.data_converter))
    options["interceptors"] = [BusinessErrorsAreFinal(), *options.get("interceptors", ())]
    activities = activities_for(pool, mail or MailSettings(), templates, documents, staff_mail, scheduling)
    # The mail's kept SMTP connections (activities/smtp_connections.py) say QUIT once the workers stop.
    closing = [a.__self__.connections.close for a in activities if getattr(a, "__name__", "") == "deliver_mail"]
    return pair_workers(client, task_queue, WORKFLOWS, activities, role=role, io_options=io_options,
                        cleanups=closing, **options)


def document_settings(settings: Settings) -> DocumentSettings:
    return DocumentSettings(body_name=settings.body_name, public_url=settings.public_url or settings.api_url,
                            accreditation_number=settings.accreditation_number, font_path=settings.document_font,
                            numbering=settings.scheme.numbering)


async def ensure_reporting(client: Client, task_queue: str, settings: Settings) -> None:
    """The monthly CNCA reminder runs once per namespace: starting it again finds the running one."""
    from temporalio.common import WorkflowIDConflictPolicy

    await client.start_workflow(
        RegulatorReportWorkflow.run,
        ReportingInput(reminder_days_before=settings.scheme.process.reminder_days_before,
                       incident_bound=IncidentBound.of(settings.scheme.process)),
        id=REPORTING_WORKFLOW_ID, task_queue=task_queue, id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        static_summary="monthly reminder: the CNCA report by the 10th",
    )


async def ensure_staff_digest(client: Client, task_queue: str, settings: Settings) -> None:
    """With the daily digest (CERTFLOW_STAFF_MAIL=daily_digest) its process runs once per namespace, like
    the CNCA reminder; with one mail per task none is started (a running one ends at its next digest)."""
    from temporalio.common import WorkflowIDConflictPolicy

    if settings.staff_mail is not StaffMail.DAILY_DIGEST:
        return
    await client.start_workflow(
        StaffDigestWorkflow.run,
        StaffDigestInput(hour=settings.staff_digest_hour, incident_bound=IncidentBound.of(settings.scheme.process)),
        id=STAFF_DIGEST_WORKFLOW_ID, task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        static_summary=f"daily digest of open tasks to staff, each working day at {settings.staff_digest_hour}:00",
    )


async def ensure_audit_planning(client: Client, task_queue: str, settings: Settings) -> None:
    """The audit planner's process (issue 18) runs once per namespace, like the CNCA reminder: the API
    signals it when people's days change, and it re-plans the open proposals that touches."""
    from temporalio.common import WorkflowIDConflictPolicy

    await client.start_workflow(
        AuditPlanningWorkflow.run,
        AuditPlanningInput(hour=settings.scheduling.horizon_plan_hour,
                           incident_bound=IncidentBound.of(settings.scheme.process)),
        id=AUDIT_PLANNING_WORKFLOW_ID, task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        static_summary="the audit planner: re-plans the proposals an absence or a decided programme touches",
    )


async def run_worker(settings: Settings) -> None:
    if not settings.database_url:
        raise SystemExit("certflow worker needs CERTFLOW_DATABASE_URL (certflow up sets it for you).")
    runtime = metrics_runtime(settings.worker_metrics_address) if settings.worker_metrics_address else None
    client = await connect_client(settings, runtime=runtime, service="certflow-worker")
    pool = await create_pool(settings.database_url, min_size=settings.db_pool_min, max_size=settings.db_pool_max)
    grace = timedelta(seconds=settings.worker_graceful_shutdown)
    worker = build_worker(client, pool, settings.task_queue, mail_settings(settings),
                          MailTemplates(settings.mail_templates_dir, settings.body_name), document_settings(settings),
                          staff_mail_settings(settings), role=settings.worker_role, scheduling=settings.scheduling,
                          io_options={"max_concurrent_activities": settings.worker_max_concurrent_io,
                                      "graceful_shutdown_timeout": grace},
                          max_cached_workflows=settings.worker_max_cached_workflows,
                          max_concurrent_activities=settings.worker_max_concurrent_activities,
                          graceful_shutdown_timeout=grace)
    await ensure_reporting(client, settings.task_queue, settings)
    await ensure_staff_digest(client, settings.task_queue, settings)
    await ensure_audit_planning(client, settings.task_queue, settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info("worker.started", task_queue=settings.task_queue, temporal=settings.temporal_target,
             smtp=f"{settings.smtp_host}:{settings.smtp_port}", metrics=settings.worker_metrics_address)
    try:
        async with worker:
            await stop.wait()
            log.info("worker.stopping")
    finally:
        await pool.close()
    log.info("worker.stopped")
