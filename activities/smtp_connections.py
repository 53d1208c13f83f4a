"""Connections to the mail server kept open between deliveries (issue 17).

A connection per mail cost the I/O worker a TCP handshake, the greeting and EHLO, and with the body's
server a STARTTLS handshake and a login, on every notice: 4.4 ms of CPU and 13 ms of wall time per mail to
a local server, against 1.5 ms and 3.4 ms on a connection already open (bench/RESULTS.md). So a worker
keeps up to ``size`` connections and hands each delivery one of them; deliveries beyond that wait their
turn.

Nothing here changes what a delivery means (activities/notify.py): a connection is only reused after a
mail it carried went through, and any error closes it. Before a kept connection carries the next mail it
is asked whether it is still there (NOOP, one round trip instead of the seven or so of a new connection):
one the server has dropped since (its idle timeout, a restart) is replaced before any of the mail was
sent, so a mail is never sent twice for it. A connection idle for longer than ``idle_limit`` is closed
rather than reused, well inside the five minutes RFC 5321 (4.5.3.2.7) lets a server wait for a command.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from email.message import EmailMessage
from typing import TYPE_CHECKING

import aiosmtplib

if TYPE_CHECKING:
    from activities.notify import MailSettings

IDLE_LIMIT = 60.0  # seconds
NOOP_TIMEOUT = 5.0  # seconds: a kept connection that does not answer at once is replaced
# What asking a kept connection the server has dropped looks like.
GONE = (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError)


class SmtpConnections:
    """A worker's connections to its mail server: at most ``size`` open, each reused while it answers."""

    def __init__(self, settings: MailSettings, size: int = 4, idle_limit: float = IDLE_LIMIT) -> None:
        self.settings = settings
        self.idle_limit = idle_limit
        self._turns = asyncio.Semaphore(size)
        self._idle: list[tuple[aiosmtplib.SMTP, float]] = []  # open connections and when each was last used
        self.opened = 0  # connections opened so far (for operations and tests)

    async def send(self, message: EmailMessage) -> None:
        """Send ``message`` on a kept connection, or a new one; raises what aiosmtplib raises."""
        async with self._turns:
            smtp = await self._kept() or await self._open()
            try:
                await smtp.send_message(message)
            except BaseException:
                smtp.close()  # not QUIT: the server may be the one that stopped answering
                raise
            self._idle.append((smtp, time.monotonic()))

    async def close(self) -> None:
        """QUIT every kept connection (a worker that stops)."""
        idle, self._idle = self._idle, []
        for smtp, _ in idle:
            with contextlib.suppress(*GONE):
                await smtp.quit()
            smtp.close()

    async def _kept(self) -> aiosmtplib.SMTP | None:
        """The most recently used connection that is still there and was not idle for too long; the others
        met on the way are closed."""
        now = time.monotonic()
        while self._idle:
            smtp, used = self._idle.pop()
            if smtp.is_connected and now - used <= self.idle_limit:
                try:
                    await smtp.noop(timeout=min(NOOP_TIMEOUT, self.settings.timeout))
                    return smtp
                except GONE:
                    pass
            smtp.close()
        return None

    async def _open(self) -> aiosmtplib.SMTP:
        m = self.settings
        smtp = aiosmtplib.SMTP(hostname=m.host, port=m.port, username=m.username,
                               password=m.password.get_secret_value() if m.password else None,
                               start_tls=m.starttls, timeout=m.timeout)
        await smtp.connect()  # with STARTTLS and the login when the settings ask for them
        self.opened += 1
        return smtp
