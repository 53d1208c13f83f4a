"""Mail leaves through SMTP, exactly once: ``deliver_mail`` sends one outbox row.

Exactly once rests on three things, each closing one gap:

1. The outbox key (workflow id + step, never random) dedupes the *queueing*: a retried step that
   queues a notice finds the row it already wrote (``store.outbox.enqueue``).
2. The row's status ``sent`` dedupes the *sending*: a retried or repeated ``deliver_mail`` reads the
   row first and sends nothing once it is marked sent.
3. The Message-ID, derived from the key, covers the one window left: a worker that dies after the
   server accepted the mail and before ``mark_sent`` is retried and sends again — but the same message,
   with the same Message-ID, which mail systems (and our sink, ``certflow.mail_sink``) recognise as
   the one they already have rather than a second notice.

A failed attempt is recorded on the row (``attempts``, ``last_error``) for operations, and raised. A
transient fault (no answer, a dropped connection, a 4xx "try later") is ``MailNotSent``, which Temporal
retries with the workflow's backoff up to the incident bound. A permanent one (a 5xx: a refused
address, relaying or authentication denied; a server without what we need) is ``MailRefused``,
non-retryable: sending the same mail again cannot succeed, so it becomes an incident at once
(workflows/incidents.py). The row is read again on every attempt: an operator who corrects a recipient
in the outbox, or the server, and retries the incident lets the next attempt through.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

import aiosmtplib
import asyncpg
from pydantic import BaseModel, SecretStr
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.smtp_connections import SmtpConnections
from schemas.outbox import OutboxMessage, OutboxStatus
from store import outbox

# Seconds between tries of recording a sent mail (about 15 s in all), and the faults worth them.
RECORD_SENT_BACKOFF = (0.5, 1.0, 2.0, 4.0, 8.0)
REGISTER_HICCUPS = (asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError, OSError)


class MailSettings(BaseModel):
    """Where mail goes: the local sink `certflow up` runs by default, or the body's mail server."""

    host: str = "127.0.0.1"
    port: int = 8025
    username: str | None = None
    password: SecretStr | None = None
    starttls: bool = False
    mail_from: str = "certflow <noreply@certflow.invalid>"
    # One attempt gives up well inside the activity's start-to-close timeout (workflows/mail.py), so a
    # retry never starts while an earlier attempt may still be talking to the server.
    timeout: float = 30


class MailDelivery(BaseModel):
    key: str  # the outbox row's idempotency key


class Delivered(BaseModel):
    message_id: str
    already_sent: bool  # true when this run found the row sent and sent nothing


def message_id_for(key: str) -> str:
    """The Message-ID of the mail queued under ``key``: the same on every attempt, never the same for
    two keys, so that a resend after a crash is recognisable as the same message."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@certflow>"


def build_message(row: OutboxMessage, mail_from: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Message-ID"] = message_id_for(row.idempotency_key)
    # The moment it is handed to the server: a fact of sending, so the wall clock, not the workflow's.
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to a notice
    message.set_content(row.body, charset="utf-8")
    return message


def is_permanent(exc: Exception) -> bool:
    """RFC 5321: a 5xx reply is a permanent negative completion (the same mail will be refused again);
    4xx, timeouts and lost connections may pass on a later attempt. A missing extension is ours to fix."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return bool(exc.recipients) and all(r.code >= 500 for r in exc.recipients)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return exc.code >= 500
    return isinstance(exc, aiosmtplib.SMTPNotSupported)


class NotifyActivities:
    def __init__(self, pool: asyncpg.Pool, mail: MailSettings,
                 record_sent_backoff: tuple[float, ...] = RECORD_SENT_BACKOFF) -> None:
        self.pool = pool
        self.mail = mail
        self.record_sent_backoff = record_sent_backoff
        self.connections = SmtpConnections(mail)  # kept open between deliveries (activities/smtp_connections.py)

    @activity.defn(name="deliver_mail")
    async def deliver_mail(self, delivery: MailDelivery) -> Delivered:
        """Send the outbox row queued under ``delivery.key`` unless it is already sent (see the module)."""
        row = await outbox.message_by_key(self.pool, delivery.key)
        if row is None:
            # Only a bug gets here (the workflow delivers what it queued): retrying cannot help.
            raise ApplicationError(f"no mail queued under {delivery.key!r}", type="MailNotQueued",
                                   non_retryable=True)
        if row.status is OutboxStatus.SENT:
            return Delivered(message_id=row.message_id or message_id_for(row.idempotency_key), already_sent=True)
        message = build_message(row, self.mail.mail_from)
        m = self.mail
        try:
            await self.connections.send(message)
        except (aiosmtplib.SMTPException, OSError) as exc:
            permanent = is_permanent(exc)
            error = (f"SMTP {m.host}:{m.port}: {type(exc).__name__}: {exc}"
                     + (" (refused for good: fix the address or the server, then retry the incident)" if permanent
                        else ""))
            await outbox.mark_failed(self.pool, row.id, error)
            # Transient: Temporal backs off and tries again; permanent: an incident at once.
            raise ApplicationError(error, type="MailRefused" if permanent else "MailNotSent",
                                   non_retryable=permanent) from exc
        await self._record_sent(row.id, message["Message-ID"])
        return Delivered(message_id=message["Message-ID"], already_sent=False)

    async def _record_sent(self, row_id: int, message_id: str) -> None:
        """The server has the mail: recording that is tried again within this attempt while the register
        hiccups (a connection it dropped, a restart), since failing the attempt would send the mail again.
        Only a register away for longer than ``record_sent_backoff`` leaves that to the retry (the same
        Message-ID, gap 3 of the module)."""
        for pause in (*self.record_sent_backoff, None):
            try:
                await outbox.mark_sent(self.pool, row_id, message_id, datetime.now(UTC))
                return
            except REGISTER_HICCUPS as exc:
                if pause is None:
                    raise
                activity.logger.warning("mail %s sent; recording it failed (%s), again in %s s",
                                        message_id, type(exc).__name__, pause)
                await asyncio.sleep(pause)
