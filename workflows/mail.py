"""Delivering the mail a workflow has queued in the outbox (``deliver_mail``, activities/notify.py), and
making the certificate's document (``issue_certificate_document``, activities/documents.py) the same way.

Delivery runs beside the process, not in its way: a reminder stuck behind an SMTP outage must not keep
a completed task open, nor push an escalation past its moment. The workflow waits for its mail only
when it ends (``settle``), so that it never finishes with a notice undelivered.

Attempts back off from 10 s to one an hour and never give up: a notice the scheme requires in writing
is not dropped. Operations see what is failing in the outbox row (attempts, last error) and in the
Temporal UI (the pending activity and its last failure); a fixed server or address lets the next
attempt through.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.documents import DocumentRequest
    from activities.notify import MailDelivery

MAIL_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=10), backoff_coefficient=2.0, maximum_interval=timedelta(hours=1),
    maximum_attempts=0, non_retryable_error_types=["MailNotQueued"],
)
# Longer than one SMTP attempt may take (MailSettings.timeout), so attempts never overlap.
DELIVERY_TIMEOUT = timedelta(seconds=60)


@dataclass
class OutgoingMail:
    """The deliveries one workflow has started and not yet seen finish."""

    deliveries: list[workflow.ActivityHandle] = field(default_factory=list)
    documents: list[workflow.ActivityHandle] = field(default_factory=list)  # also in deliveries

    def deliver(self, keys: list[str], summary: str) -> None:
        for key in keys:
            self.deliveries.append(workflow.start_activity(
                "deliver_mail", MailDelivery(key=key), start_to_close_timeout=DELIVERY_TIMEOUT,
                retry_policy=MAIL_RETRY, summary=f"mail: {summary}",
            ))

    def issue_document(self, request: DocumentRequest) -> None:
        """R-10.2: the certificate's PDF, made beside the process like a mail (a missing font must not
        hold up the notice of the decision), and waited for in ``settle``."""
        handle = workflow.start_activity(
            "issue_certificate_document", request, start_to_close_timeout=DELIVERY_TIMEOUT, retry_policy=MAIL_RETRY,
            summary=f"certificate document ({request.reason}) for {request.number}",
        )
        self.deliveries.append(handle)
        self.documents = [d for d in self.documents if not d.done()] + [handle]

    def documents_pending(self) -> bool:
        return any(not d.done() for d in self.documents)

    async def settle(self) -> None:
        """Wait until every mail started is delivered: before the workflow ends or continues as new."""
        while self.deliveries:
            await self.deliveries.pop(0)
