"""The local mail sink `certflow up` runs: an SMTP server that keeps each message it receives as an
``.eml`` file under ``<data_dir>/mail/``, so that what certflow would have sent can be read without a
mail server (``certflow mail list``, ``certflow mail show N``).

It also shows "never twice": a message whose Message-ID it already keeps is accepted (the sender must
see success, or it would try again) but not stored again — which is what a resend after a worker's crash
looks like (activities/notify.py).
"""

from __future__ import annotations

import hashlib
import signal
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from aiosmtpd.controller import Controller

_PARSER = BytesParser(policy=policy.default)


def _digest(message_id: str) -> str:
    return hashlib.sha256(message_id.strip().encode()).hexdigest()[:16]


class SinkHandler:
    """aiosmtpd handler: one file per distinct Message-ID, named ``<received, UTC>-<hash of Message-ID>.eml``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope) -> str:
        content: bytes = envelope.original_content or envelope.content
        message_id = _PARSER.parsebytes(content, headersonly=True).get("Message-ID")
        digest = _digest(message_id) if message_id else hashlib.sha256(content).hexdigest()[:16]
        if any(self.directory.glob(f"*-{digest}.eml")):
            return "250 OK: already received (same Message-ID), not stored again"
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}Z-{digest}.eml"
        partial = self.directory / f".{name}.part"
        partial.write_bytes(content)
        partial.rename(self.directory / name)  # a reader never sees half a message
        return "250 OK"


def start_sink(directory: Path, host: str, port: int) -> Controller:
    """Start the sink in a thread of its own (stop it with ``.stop()``)."""
    controller = Controller(SinkHandler(directory), hostname=host, port=port)
    controller.start()
    return controller


@dataclass(frozen=True)
class StoredMail:
    path: Path
    received_at: datetime
    to: str
    subject: str
    message_id: str


def stored_mail(directory: Path) -> list[StoredMail]:
    """What the sink keeps, in the order received (the oldest first: numbers that stay)."""
    found = []
    for path in directory.glob("*.eml"):
        headers = _PARSER.parsebytes(path.read_bytes(), headersonly=True)
        received = datetime.strptime(path.name.split("Z-")[0], "%Y%m%dT%H%M%S%f").replace(tzinfo=UTC)
        found.append(StoredMail(path, received, str(headers.get("To", "")), str(headers.get("Subject", "")),
                                str(headers.get("Message-ID", ""))))
    return sorted(found, key=lambda m: m.path.name)


def read_mail(path: Path) -> EmailMessage:
    return _PARSER.parsebytes(path.read_bytes())


def serve(directory: str, host: str, port: str) -> None:
    """Run the sink until SIGTERM or SIGINT: the benchmarks run it as a process of its own, so that
    receiving mail does not share the worker's interpreter (as an SMTP server never would)."""
    stops = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stops)  # before the sink's thread starts: it inherits the mask
    sink = start_sink(Path(directory), host, int(port))
    print(f"listening on {host}:{port}", flush=True)  # the parent waits for this line
    try:
        signal.sigwait(stops)
    finally:
        sink.stop()


if __name__ == "__main__":
    serve(*sys.argv[1:4])
