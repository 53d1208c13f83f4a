"""The local mail sink: one .eml per message, a Message-ID already kept is not kept twice, and
`certflow mail list|show` reads them back."""

from __future__ import annotations

import os
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import pytest

from certflow.embedded import free_port
from certflow.mail_sink import read_mail, start_sink, stored_mail

ROOT = Path(__file__).resolve().parents[2]


def mail(message_id: str, subject: str, to: str = "contact@example.cn") -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "certflow <noreply@certflow.invalid>", to, subject
    message["Message-ID"] = message_id
    message.set_content(f"{subject}：正文", charset="utf-8")
    return message


@pytest.fixture
def sink(tmp_path):
    port = free_port()
    controller = start_sink(tmp_path / "data" / "mail", "127.0.0.1", port)
    try:
        yield port
    finally:
        controller.stop()


async def test_each_message_is_kept_once_by_its_message_id(sink, tmp_path):
    directory = tmp_path / "data" / "mail"
    await aiosmtplib.send(mail("<a@certflow>", "认证申请评审结论：不予受理"), hostname="127.0.0.1", port=sink)
    refused, reply = await aiosmtplib.send(mail("<a@certflow>", "认证申请评审结论：不予受理"), hostname="127.0.0.1",
                                           port=sink)
    assert refused == {} and "already received" in reply  # accepted: the sender sees success and stops
    await aiosmtplib.send(mail("<b@certflow>", "提醒：任务到期", to="reviewer@body.example"), hostname="127.0.0.1",
                          port=sink)

    kept = stored_mail(directory)
    assert [m.message_id for m in kept] == ["<a@certflow>", "<b@certflow>"]  # in the order received
    assert [p.suffix for p in directory.iterdir()] == [".eml", ".eml"]
    assert kept[0].subject == "认证申请评审结论：不予受理"
    assert read_mail(kept[0].path).get_body().get_content().strip() == "认证申请评审结论：不予受理：正文"


async def test_certflow_mail_lists_and_shows(sink, tmp_path):
    await aiosmtplib.send(mail("<a@certflow>", "认证申请评审结论：不予受理"), hostname="127.0.0.1", port=sink)
    await aiosmtplib.send(mail("<b@certflow>", "认证决定：批准认证"), hostname="127.0.0.1", port=sink)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTFLOW_")}
    env["CERTFLOW_DATA_DIR"] = str(tmp_path / "data")

    def certflow(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "certflow", "mail", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60)

    listed = certflow("list")
    assert listed.returncode == 0, listed.stderr
    first, second = listed.stdout.splitlines()
    assert first.startswith("   1") and first.endswith("contact@example.cn  认证申请评审结论：不予受理")
    assert second.startswith("   2") and second.endswith("认证决定：批准认证")
    shown = certflow("show", "1")
    assert shown.returncode == 0, shown.stderr
    assert "Subject: 认证申请评审结论：不予受理" in shown.stdout and "Message-ID: <a@certflow>" in shown.stdout
    assert "认证申请评审结论：不予受理：正文" in shown.stdout  # decoded, not base64 or quoted-printable
    missing = certflow("show", "3")
    assert missing.returncode == 1 and "no mail 3" in missing.stderr and "Traceback" not in missing.stderr

    # Mail arriving later takes the next number: what was 1 is still 1 (issue 16).
    await aiosmtplib.send(mail("<c@certflow>", "提醒：任务到期", to="reviewer@body.example"), hostname="127.0.0.1",
                          port=sink)
    assert certflow("list").stdout.splitlines()[:2] == [first, second]
    assert "Message-ID: <a@certflow>" in certflow("show", "1").stdout
    assert "Message-ID: <c@certflow>" in certflow("show", "3").stdout


async def test_the_sink_runs_as_a_process_of_its_own_until_told_to_stop(tmp_path):
    """`python -m certflow.mail_sink DIR HOST PORT` (the benchmarks' sink, out of the worker's process):
    says when it listens, keeps what it receives, and ends cleanly on SIGTERM."""
    from bench.certflow_parts import mail_sink_process

    directory = tmp_path / "mail"
    with mail_sink_process(directory) as port:
        await aiosmtplib.send(mail("<one@certflow.invalid>", "受理通知"), hostname="127.0.0.1", port=port)
        assert [m.subject for m in stored_mail(directory)] == ["受理通知"]
    with pytest.raises(OSError):  # stopped: nothing listens there any more
        await aiosmtplib.send(mail("<two@certflow.invalid>", "不再收到"), hostname="127.0.0.1", port=port, timeout=5)
    assert len(stored_mail(directory)) == 1
