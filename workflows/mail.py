"""Delivering the mail a workflow has queued in the outbox (``deliver_mail``, activities/notify.py), and
making the certificate's document (``issue_certificate_document``, activities/documents.py) the same way.

Delivery runs beside the process, not in its way: a reminder stuck behind an SMTP outage must not keep
a completed task open, nor push an escalation past its moment. The workflow waits for its mail only
when it ends (``settle``), so that it never finishes with a notice undelivered.

Attempts back off from 10 s to one an hour up to the incident bound (workflows/incidents.py): a server
that answers "try later" (4xx) or does not answer is retried; one that refuses for good (5xx: a refused
address, relaying denied) stops at once. Either way the delivery then becomes an incident an operator
sees and retries once the address or the server is fixed, while the process's other steps go on; a
notice the scheme requires in writing is never dropped. The outbox row shows every attempt and the last
error.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.documents import DocumentActivities, DocumentRequest
    from activities.notify import MailDelivery, NotifyActivities
    from workflows.incidents import Incidents
    from workflows.patching import patched

MAIL_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=10), backoff_coefficient=2.0, maximum_interval=timedelta(hours=1),
    maximum_attempts=0, non_retryable_error_types=["MailNotQueued"],
)
# Longer than one SMTP attempt may take (MailSettings.timeout), so attempts never overlap.
DELIVERY_TIMEOUT = timedelta(seconds=60)
# Mail and documents go to their own task queue, ``<the workflow's queue>-io``, served by the I/O worker
# (workers/main.py): an SMTP server or a PDF taking its time never delays a decision's workflow task or
# the register's activities. Runs begun before (no "io-task-queue" marker) keep the workflow's queue.
IO_QUEUE_SUFFIX = "-io"


def io_queue() -> str | None:
    """The task queue of this run's mail and documents (None: the workflow's own)."""
    if not patched("io-task-queue"):
        return None
    return f"{workflow.info().task_queue}{IO_QUEUE_SUFFIX}"


@dataclass
class OutgoingMail:
    """The deliveries one workflow has started and not yet seen finish; each is followed through its
    incidents (``Incidents.start``), so a delivery that fails for good waits for an operator's retry."""

    incidents: Incidents
    deliveries: list[asyncio.Task] = field(default_factory=list)
    documents: list[asyncio.Task] = field(default_factory=list)  # also in deliveries

    def deliver(self, keys: list[str], summary: str) -> None:
        for key in keys:
            self.deliveries.append(self.incidents.start(
                NotifyActivities.deliver_mail, MailDelivery(key=key), start_to_close_timeout=DELIVERY_TIMEOUT,
                retry_policy=MAIL_RETRY, summary=f"邮件：{summary}", task_queue=io_queue(),
            ))

    def issue_document(self, request: DocumentRequest) -> None:
        """R-10.2: the certificate's PDF, made beside the process like a mail (a missing font must not
        hold up the notice of the decision), and waited for in ``settle``."""
        made = self.incidents.start(
            DocumentActivities.issue_certificate_document, request, start_to_close_timeout=DELIVERY_TIMEOUT,
            retry_policy=MAIL_RETRY, task_queue=io_queue(),
            summary=f"证书文件（{request.reason}）：{request.number}",
        )
        self.deliveries.append(made)
        self.documents = [d for d in self.documents if not d.done()] + [made]

    def alongside(self, step: asyncio.Task) -> None:
        """A register step run beside the process (a closing no projection took, workflows/closings.py),
        waited for in ``settle`` like the mail."""
        self.deliveries.append(step)

    def documents_pending(self) -> bool:
        return any(not d.done() for d in self.documents)

    async def settle(self) -> None:
        """Wait until every mail started is delivered and every incident recorded: before the workflow
        ends or continues as new."""
        while self.deliveries or self.incidents.recording:
            if self.deliveries:
                await self.deliveries.pop(0)
            else:
                await self.incidents.settle()
