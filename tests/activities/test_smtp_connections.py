"""Connections to the mail server kept between deliveries (activities/smtp_connections.py, issue 17): one
connection carries mail after mail; one the server dropped is replaced before the next mail goes, so
nothing is sent twice; an error or a long idle closes it; at most ``size`` are open at once. The server
is real (aiosmtpd); each connection is told apart by its client port."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from aiosmtpd.controller import Controller
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.notify import MailDelivery, NotifyActivities, build_message
from activities.smtp_connections import SmtpConnections
from schemas.outbox import OutboxMessage
from store import outbox
from workers.main import build_worker

from ..conftest import SmtpCatcher


class PeersSeen(SmtpCatcher):
    """The catcher, noting the connection (client address and port) each mail came on."""

    def __init__(self) -> None:
        super().__init__()
        self.peers: list[tuple[str, int]] = []
        self.quits: list[tuple[str, int]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.peers.append(session.peer)
        return await super().handle_DATA(server, session, envelope)

    async def handle_QUIT(self, server, session, envelope) -> str:
        self.quits.append(session.peer)
        return "221 Bye"


@pytest.fixture
def server() -> Iterator[tuple[PeersSeen, list[Controller]]]:
    """The catcher and its running controller (a test may stop it and start another on the same port)."""
    catcher = PeersSeen()
    controllers = [Controller(catcher, hostname=catcher.host, port=catcher.port)]
    controllers[0].start()
    try:
        yield catcher, controllers
    finally:
        controllers[-1].stop()


def restart(catcher: PeersSeen, controllers: list[Controller]) -> None:
    controllers[-1].stop()  # every open connection is dropped
    controllers.append(Controller(catcher, hostname=catcher.host, port=catcher.port))
    controllers[-1].start()


async def queued(pool, n: int) -> list[str]:
    keys = [f"certification-x/notice.kept_{n}_{i}/1" for i in range(3)]
    for key in keys:
        await outbox.enqueue(pool, key, "contact@example.cn", f"通知 {key}", "正文", template="kept")
    return keys


def message(n: int):
    row = OutboxMessage(id=n, idempotency_key=f"certification-y/notice.n/{n}", recipient="contact@example.cn",
                        subject=f"通知 {n}", body="正文", created_at=datetime.now(UTC))
    return build_message(row, "certflow <noreply@certflow.invalid>")


async def test_one_connection_carries_mail_after_mail(pool, server):
    catcher, _ = server
    activities = NotifyActivities(pool, catcher.mail)
    for key in await queued(pool, 1):
        await ActivityEnvironment().run(activities.deliver_mail, MailDelivery(key=key))
    assert len(catcher.messages) == 3 and len(set(catcher.peers)) == 1
    assert activities.connections.opened == 1


async def test_a_connection_the_server_dropped_is_replaced_and_nothing_goes_twice(pool, server):
    catcher, controllers = server
    activities = NotifyActivities(pool, catcher.mail)
    first, second, third = await queued(pool, 2)
    await ActivityEnvironment().run(activities.deliver_mail, MailDelivery(key=first))
    restart(catcher, controllers)  # e.g. the mail server restarted, or timed the idle connection out
    for key in (second, third):
        delivered = await ActivityEnvironment().run(activities.deliver_mail, MailDelivery(key=key))
        assert not delivered.already_sent
    assert [m["Subject"] for m in catcher.messages] == [f"通知 {k}" for k in (first, second, third)]
    assert len(set(catcher.peers)) == 2 and catcher.peers[1] == catcher.peers[2]  # the new one is kept in turn
    assert activities.connections.opened == 2


async def test_a_refusal_closes_its_connection_and_the_next_mail_opens_another(pool, server):
    catcher, _ = server
    activities = NotifyActivities(pool, catcher.mail)
    first, second, _third = await queued(pool, 3)
    catcher.reply = "550 5.7.1 relaying denied"
    with pytest.raises(ApplicationError) as refused:
        await ActivityEnvironment().run(activities.deliver_mail, MailDelivery(key=first))
    assert refused.value.type == "MailRefused" and refused.value.non_retryable
    catcher.reply = "250 OK"
    await ActivityEnvironment().run(activities.deliver_mail, MailDelivery(key=second))
    assert len(catcher.messages) == 1 and activities.connections.opened == 2


async def test_a_connection_idle_past_the_limit_is_not_reused(server):
    catcher, _ = server
    connections = SmtpConnections(catcher.mail, idle_limit=-1)  # every connection is past it at once
    await connections.send(message(1))
    await connections.send(message(2))
    assert connections.opened == 2 and len(set(catcher.peers)) == 2
    await connections.close()


async def test_no_more_connections_than_the_size_at_once(server):
    catcher, _ = server
    connections = SmtpConnections(catcher.mail, size=2)
    await asyncio.gather(*(connections.send(message(n)) for n in range(6)))
    assert len(catcher.messages) == 6
    assert connections.opened <= 2 and len(set(catcher.peers)) == connections.opened
    await connections.close()


async def test_a_stopping_worker_says_quit_on_the_connections_it_kept(pool, server, temporal_env):
    catcher, _ = server
    pair = build_worker(temporal_env.client, pool, f"smtp-{uuid.uuid4().hex[:8]}", catcher.mail, role="io")
    [close] = pair.cleanups  # the mail's kept connections, closed once the workers stop
    connections = close.__self__
    async with pair:
        await connections.send(message(1))
        assert catcher.quits == []  # kept while the worker runs
    assert catcher.quits == catcher.peers  # the one connection it kept, closed politely
