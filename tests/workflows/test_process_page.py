"""The process page in a real browser (Debian's Chromium, headless): the diagram draws, the element the
process is in is highlighted, the ones it passed are marked, nothing goes to the page's error list;
and a screenshot, to look at."""

from __future__ import annotations

import asyncio
import re
import shutil
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import uvicorn

from api.app import create_app
from certflow.settings import Settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         "--virtual-time-budget=20000"]


@asynccontextmanager
async def served(app) -> AsyncIterator[int]:
    """The app on a loopback port, in this event loop (the pool and the Temporal client live here). The
    socket listens before the server starts, so a browser's first request waits in its backlog."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        await task
        sock.close()


async def chromium(profile: Path, *args: str) -> str:
    assert CHROMIUM, "Debian's chromium is installed by scripts/system-packages.sh (make install)"
    process = await asyncio.create_subprocess_exec(
        CHROMIUM, *FLAGS, "--enable-logging=stderr", "--v=0", f"--user-data-dir={profile}", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    log = err.decode(errors="replace")
    assert process.returncode == 0, log[-2000:]
    # The browser's own console: no uncaught error, no resource that failed to load.
    console = [line for line in log.splitlines() if "CONSOLE" in line]
    assert not [line for line in console if "Uncaught" in line or "Failed to load" in line], console
    return out.decode()


async def certification_page(journey, pool, tmp_path: Path) -> str:
    """The certification's page as a manager's browser draws it, checked to have drawn without an error."""
    app = create_app(Settings(_env_file=None, task_queue=journey.queue, database_url="postgresql://unused"),
                     pool=pool, temporal=journey.env.client)
    async with served(app) as port:
        url = f"http://127.0.0.1:{port}/processes/{journey.workflow_id}#token={journey.people.tokens['manager']}"
        dom = await chromium(tmp_path / "page", "--dump-dom", url)
    assert 'data-ready="true"' in dom and re.search(r'<pre id="errors"></pre>', dom), dom[-3000:]
    return dom


def classes_of(dom: str, element_id: str) -> str:
    match = re.search(rf'<g class="([^"]*)" data-element-id="{element_id}"', dom)
    assert match, f"{element_id} is not drawn"
    return match.group(1)


async def test_the_page_draws_the_process_and_marks_where_it_is(journey, pool, tmp_path):
    p = journey.people
    await journey.to_audit()
    audit = journey.audit()
    await journey.task("stage1", audit)
    app = create_app(Settings(_env_file=None, task_queue=journey.queue, database_url="postgresql://unused"),
                     pool=pool, temporal=journey.env.client)
    token = p.tokens["programme_manager"]
    async with served(app) as port:
        base = f"http://127.0.0.1:{port}"
        dom = await chromium(tmp_path / "a", "--dump-dom", f"{base}/processes/{audit.id}#token={token}")
        assert 'data-ready="true"' in dom, dom[-3000:]
        assert re.search(r'<pre id="errors"></pre>', dom), "the page reported errors"
        assert "cf-active" in classes_of(dom, "stage1")  # where the audit is
        # The header names what the process is about; the lists name elements as the model does.
        assert re.search(r'<strong id="title">[^<]*示例', dom), dom[:2000]
        assert re.search(r'<li title="stage1">[^<]*一阶段审查', dom), re.findall(r"<li[^>]*>[^<]*</li>", dom)
        assert "cf-done" not in classes_of(dom, "onsite_audit")

        dom = await chromium(tmp_path / "b", "--dump-dom", f"{base}/processes/{journey.workflow_id}#token={token}")
        assert 'data-ready="true"' in dom
        for done in ("application_review", "contract", "programme"):
            assert "cf-done" in classes_of(dom, done)
        assert "cf-active" not in classes_of(dom, "certification_decision")
        assert 'id="temporal"' in dom and f"/workflows/{journey.workflow_id}" in dom

        # Without a token or a session the page says how to sign in, and draws nothing it may not show.
        dom = await chromium(tmp_path / "c", "--dump-dom", f"{base}/processes/{audit.id}")
        assert f'href="/sign-in?next=%2Fprocesses%2F{audit.id}"' in dom and 'data-ready="true"' not in dom

        shot = tmp_path / "audit-page.png"
        await chromium(tmp_path / "d", f"--screenshot={shot}", "--window-size=1600,1000",
                       f"{base}/processes/{audit.id}#token={token}")
    assert shot.stat().st_size > 20_000  # a drawn diagram, not a blank page


async def test_the_page_shows_an_incident_with_its_error_and_how_to_retry_it(journey, pool, smtp, tmp_path):
    """Issue 12: a step that failed for good is marked on the diagram and listed with its error."""
    from schemas.incidents import Incident, IncidentWait

    smtp.reply = "550 5.1.1 mailbox unavailable"
    await journey.start()
    raised = await journey.handle.execute_update("wait_for_incident", IncidentWait(activity="deliver_mail"),
                                                 result_type=Incident)
    register_id = await pool.fetchval("SELECT id FROM incidents WHERE key = $1", raised.key)
    dom = await certification_page(journey, pool, tmp_path)
    assert "cf-incident" in classes_of(dom, "record_application")  # where the mail was queued
    [listed] = re.findall(r'<li class="incident">([^<]*)</li>', dom)
    assert listed.startswith("open: 邮件：application_received at 登记申请 — MailRefused: ")  # by its name
    assert f"POST /api/v1/incidents/{register_id}/retry" in listed


async def test_a_certificate_s_life_shows_what_it_waits_for_with_its_dates(journey, pool, tmp_path):
    """Issue 14: the life's timers it waits on now are listed under 现在 with their dates and marked on the
    diagram; the header names the organization and the certificate."""
    from .test_life import granted

    status, _ = await granted(journey)
    number = status.certificate_number
    dom = await certification_page(journey, pool, tmp_path)
    assert f"证书 {number}" in dom
    waiting = dict(re.findall(r'<li class="waiting" title="([a-z_]+)">⏱ [^<]* — ([0-9-]{10})', dom))
    assert waiting["expiry"] == status.life.valid_to.isoformat()
    # No surveillance under way yet: it is awaited at its preparation's timer, in the life's own page.
    assert set(waiting) >= {"surveillance_preparation", "recertification_invitation", "expiry"}
    assert "证书到期 — " + waiting["expiry"] in dom
    assert "cf-waiting" in classes_of(dom, "expiry") and "cf-waiting" in classes_of(dom, "surveillance_preparation")
