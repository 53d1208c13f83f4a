"""``deliver_mail``: a queued mail leaves through a real SMTP server once; a retry sends nothing; a
"try later" is kept on the row and raised for Temporal to retry, a refusal for good is raised as
non-retryable (an incident); a resend after a crash is the same message."""

from __future__ import annotations

import re

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.notify import MailDelivery, MailSettings, NotifyActivities, build_message, message_id_for
from certflow.embedded import free_port
from certflow.mail_sink import start_sink, stored_mail
from store import outbox

KEY = "certification-x/notice.application_rejected/3"
SUBJECT = "认证申请评审结论：不予受理"


async def queue(pool, key: str = KEY):
    return await outbox.enqueue(pool, key, "contact@example.cn", SUBJECT, "贵组织的认证申请经评审不予受理。",
                                template="application_rejected")


async def test_a_mail_is_sent_once_and_a_retry_sends_nothing(pool, smtp):
    await queue(pool)
    deliver = NotifyActivities(pool, smtp.mail).deliver_mail
    first = await ActivityEnvironment().run(deliver, MailDelivery(key=KEY))
    assert not first.already_sent and first.message_id == message_id_for(KEY)
    [mail] = smtp.messages
    assert mail["To"] == "contact@example.cn" and mail["Subject"] == SUBJECT
    assert mail["Message-ID"] == message_id_for(KEY)
    assert "不予受理" in mail.get_body().get_content()
    row = await outbox.message_by_key(pool, KEY)
    assert row.status == "sent" and row.message_id == message_id_for(KEY) and row.attempts == 1

    again = await ActivityEnvironment().run(deliver, MailDelivery(key=KEY))  # as Temporal retries
    assert again.already_sent and again.message_id == first.message_id
    assert len(smtp.messages) == 1


async def test_a_try_later_is_kept_on_the_row_and_raised_for_a_retry(pool, smtp):
    await queue(pool)
    smtp.reply = "451 4.3.0 mailbox busy, try later"
    deliver = NotifyActivities(pool, smtp.mail).deliver_mail
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(deliver, MailDelivery(key=KEY))
    assert raised.value.type == "MailNotSent" and not raised.value.non_retryable
    row = await outbox.message_by_key(pool, KEY)
    assert row.status == "failed" and row.attempts == 1 and "451" in row.last_error
    assert smtp.messages == []

    smtp.reply = "250 OK"  # the server is back: the next attempt goes through
    await ActivityEnvironment().run(deliver, MailDelivery(key=KEY))
    row = await outbox.message_by_key(pool, KEY)
    assert row.status == "sent" and row.attempts == 2 and row.last_error is None
    assert len(smtp.messages) == 1


async def test_a_refusal_for_good_is_not_retried_and_the_row_says_so(pool, smtp):
    """A 5xx is a permanent refusal (RFC 5321): the same mail would be refused again, so it is raised as
    non-retryable and becomes an incident; the row keeps the attempt and the server's answer."""
    await queue(pool)
    smtp.reply = "550 5.7.1 relaying denied"
    deliver = NotifyActivities(pool, smtp.mail).deliver_mail
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(deliver, MailDelivery(key=KEY))
    assert raised.value.type == "MailRefused" and raised.value.non_retryable
    row = await outbox.message_by_key(pool, KEY)
    assert row.status == "failed" and row.attempts == 1
    assert "550" in row.last_error and "refused for good" in row.last_error

    smtp.reply = "250 OK"  # the operator fixed the relay; the incident's retry runs the activity again
    await ActivityEnvironment().run(deliver, MailDelivery(key=KEY))
    row = await outbox.message_by_key(pool, KEY)
    assert row.status == "sent" and row.attempts == 2 and row.last_error is None


async def test_no_server_listening_is_a_failed_attempt(pool):
    await queue(pool)
    deliver = NotifyActivities(pool, MailSettings(port=free_port(), timeout=5)).deliver_mail
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(deliver, MailDelivery(key=KEY))
    assert raised.value.type == "MailNotSent" and not raised.value.non_retryable  # it may come up
    row = await outbox.message_by_key(pool, KEY)
    assert row.status == "failed" and row.attempts == 1 and row.last_error


async def test_a_key_never_queued_is_not_retried(pool, smtp):
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(NotifyActivities(pool, smtp.mail).deliver_mail, MailDelivery(key="nothing"))
    assert raised.value.type == "MailNotQueued" and raised.value.non_retryable


async def test_the_message_id_is_stable_for_a_key(pool):
    row = await queue(pool)
    assert re.fullmatch(r"<[0-9a-f]{32}@certflow>", message_id_for(KEY))
    assert message_id_for(KEY) == message_id_for(KEY) != message_id_for(KEY + "x")
    assert build_message(row, "a@x")["Message-ID"] == build_message(row, "b@y")["Message-ID"] == message_id_for(KEY)


async def test_a_resend_after_a_crash_is_the_same_message(pool, tmp_path, monkeypatch):
    """The one window status 'sent' cannot close: the server accepted, the worker died before
    mark_sent. The retry sends again, with the same Message-ID, and the receiver keeps one."""
    await queue(pool)
    port = free_port()
    sink = start_sink(tmp_path / "mail", "127.0.0.1", port)
    try:
        deliver = NotifyActivities(pool, MailSettings(port=port), record_sent_backoff=(0.01,)).deliver_mail

        async def crash(*args, **kwargs):
            raise ConnectionError("worker lost the database before mark_sent")

        with monkeypatch.context() as patched:
            patched.setattr(outbox, "mark_sent", crash)
            with pytest.raises(ConnectionError):
                await ActivityEnvironment().run(deliver, MailDelivery(key=KEY))
        assert (await outbox.message_by_key(pool, KEY)).status == "pending"
        await ActivityEnvironment().run(deliver, MailDelivery(key=KEY))  # Temporal's retry
    finally:
        sink.stop()
    [kept] = stored_mail(tmp_path / "mail")
    assert kept.message_id == message_id_for(KEY) and kept.subject == SUBJECT
    assert (await outbox.message_by_key(pool, KEY)).status == "sent"


async def test_a_register_hiccup_after_the_send_is_retried_not_resent(pool, smtp):
    """The server took the mail, then recording it fails once (a trigger refuses the first try, as a
    dropped connection would): the activity records it again instead of failing, so Temporal's retry
    does not send the mail a second time (issue 17: under load a mail reached the server twice when the
    register came back). A sequence counts the tries: it is not rolled back with the refusal."""
    await queue(pool)
    await pool.execute("""
        CREATE SEQUENCE tries_to_record_sent;
        CREATE FUNCTION refuse_the_first_try() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.status = 'sent' AND nextval('tries_to_record_sent') = 1 THEN
                RAISE EXCEPTION 'connection to the register lost';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER hiccup BEFORE UPDATE ON outbox FOR EACH ROW EXECUTE FUNCTION refuse_the_first_try();
    """)
    deliver = NotifyActivities(pool, smtp.mail, record_sent_backoff=(0.01,)).deliver_mail
    done = await ActivityEnvironment().run(deliver, MailDelivery(key=KEY))
    assert not done.already_sent and len(smtp.messages) == 1
    row = await outbox.message_by_key(pool, KEY)
    assert row.status == "sent" and row.attempts == 1
    assert await pool.fetchval("SELECT last_value FROM tries_to_record_sent") == 2
    again = await ActivityEnvironment().run(deliver, MailDelivery(key=KEY))  # a retry of the step sends nothing
    assert again.already_sent and len(smtp.messages) == 1


class RefusesRecipient:
    """An SMTP server (aiosmtpd) that answers RCPT TO with ``reply``: an address it will not take."""

    def __init__(self, reply: str) -> None:
        self.reply = reply

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        return self.reply


@pytest.mark.parametrize(("reply", "kind", "permanent"), [
    ("550 5.1.1 no such user", "MailRefused", True),
    ("452 4.2.2 mailbox full", "MailNotSent", False),
])
async def test_a_refused_address_is_permanent_only_on_a_5xx(pool, reply, kind, permanent):
    from aiosmtpd.controller import Controller

    await queue(pool)
    port = free_port()
    controller = Controller(RefusesRecipient(reply), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with pytest.raises(ApplicationError) as raised:
            await ActivityEnvironment().run(NotifyActivities(pool, MailSettings(port=port, timeout=10)).deliver_mail,
                                            MailDelivery(key=KEY))
    finally:
        controller.stop()
    assert raised.value.type == kind and raised.value.non_retryable is permanent
    row = await outbox.message_by_key(pool, KEY)
    assert row.status == "failed" and row.attempts == 1 and reply[:3] in row.last_error
