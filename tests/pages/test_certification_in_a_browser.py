"""Issue 15, end to end: an application taken to a certificate through the pages, each task by its
own person signed in; the decision and an action on the certificate clicked in Chromium without
JavaScript; and the certificate checked on the public page at the address its QR code holds, on a
phone. No console error, failed load or uncaught exception on the way; screenshots kept."""

from __future__ import annotations

import asyncio
import subprocess
import time
import uuid
from pathlib import Path

import httpx
import pytest
from PIL import Image

from activities.documents import DocumentSettings
from activities.qr_mark import qr_modules
from api.app import create_app
from api.pages.session import SESSION_COOKIE
from certflow.settings import Settings
from certflow.verification import verification_url
from tests.activities.test_qr_mark import DPI, modules_read_back
from tests.pages.browser import PHONE, Browser, browsing
from tests.pages.page_forms import form_keys, form_pairs, post_form
from tests.pages.pages_journey import PagesJourney
from tests.workflows.conftest import make_people, submission
from tests.workflows.test_process_page import served
from workers.main import build_worker

pytestmark = pytest.mark.slow


async def until(condition, what: str, timeout: float = 60) -> None:  # noqa: ASYNC109
    """Poll a real condition until it holds, for at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        await asyncio.sleep(0.1)


async def sign_in_in(browser: Browser, token: str, **options):
    tab = await browser.page(javascript=False, **options)
    await tab.goto("/sign-in")
    await tab.get_by_label("员工令牌").fill(token)
    await tab.get_by_role("button", name="登录").click()
    await tab.wait_for_url("**/app")
    return tab


async def submitted_application(journey: PagesJourney) -> None:
    """The reviewer submits the application through the new-application form; the journey follows it."""
    application = submission().model_dump(mode="json", exclude_none=True)  # the journey's two sites
    journey.http.cookies.set(SESSION_COOKIE, journey.people.tokens["reviewer"])
    csrf, idem = form_keys((await journey.http.get("/app/applications/new")).text)
    sent = await post_form(journey.http, "/app/applications/new",
                           [("_csrf", csrf), ("_idem", idem), *form_pairs(application)])
    assert sent.status_code == 303, sent.text[-3000:]
    journey.application_id = uuid.UUID(sent.headers["location"].split("/")[-1].split("?")[0])
    journey.handle = journey.env.client.get_workflow_handle(journey.workflow_id)


async def decided_in_the_browser(browser: Browser, journey: PagesJourney) -> None:
    tab = await sign_in_in(browser, journey.people.tokens["decision_maker"])
    await tab.get_by_role("link", name="认证决定").click()
    form = tab.locator("form[action^='/app/tasks/']")
    await form.locator("[name=outcome]").first.wait_for()
    if await form.locator("input[name=outcome]").count():
        await form.locator("input[name=outcome][value=grant]").check()
    else:
        await form.locator("select[name=outcome]").select_option("grant")
    await form.locator("select[name=star_level]").select_option("five_star")
    await browser.screenshot(tab, "journey-decision")
    await form.get_by_role("button", name="提交").click()
    await tab.wait_for_url("**/app?done=*")


async def suspended_in_the_browser(browser: Browser, journey: PagesJourney, number: str) -> None:
    """R-9.6.2: the manager suspends the certificate from its page, at the organization's request."""
    tab = await sign_in_in(browser, journey.people.tokens["manager"])
    await tab.goto(f"/app/certificates/{number}")
    action = tab.locator("details[data-action=suspend]")
    await action.locator("summary").click()
    await action.locator("select[name=cause]").select_option("organization_request")
    await action.locator("textarea[name=reason]").fill("获证组织申请暂停")
    await browser.screenshot(tab, "journey-certificate-suspend")
    await action.locator("button[type=submit]").click()
    await tab.wait_for_url("**/app/certificates/*?done=suspend*")
    assert "暂停证书" in await tab.get_by_role("status").inner_text()


async def qr_modules_of(http: httpx.AsyncClient, number: str, count: int, folder: Path) -> list[list[bool]]:
    """The QR code of the certificate's document as issued (``count`` modules a side), read back from its
    first page."""
    async def issued() -> bool:
        return (await http.get(f"/api/v1/certificates/{number}/document")).status_code == 200

    await until(issued, "the certificate's document is issued")
    document = (await http.get(f"/api/v1/certificates/{number}/document")).content
    return await asyncio.to_thread(_first_page_modules, document, folder, count)


def _first_page_modules(document: bytes, folder: Path, count: int) -> list[list[bool]]:
    pdf = folder / "certificate.pdf"
    pdf.write_bytes(document)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", "-f", "1", "-l", "1", str(pdf),
                    str(folder / "page")], check=True)
    with Image.open(next(folder.glob("page-*.png"))) as image:
        return modules_read_back(image, count)


async def test_an_application_becomes_a_certificate_acted_on_and_verified_in_the_pages(
        own_temporal_env, pool, smtp, tmp_path):
    queue = f"pages-{uuid.uuid4().hex[:8]}"
    app = create_app(Settings(_env_file=None, task_queue=queue, database_url="postgresql://unused"),
                     pool=pool, temporal=own_temporal_env.client)
    people = await make_people(pool)
    async with served(app) as port, browsing(f"http://127.0.0.1:{port}", tmp_path) as browser:
        documents = DocumentSettings(public_url=browser.base)
        async with (build_worker(own_temporal_env.client, pool, queue, smtp.mail, documents=documents),
                    httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http):
            journey = PagesJourney(own_temporal_env, pool, queue, people)
            journey.http, journey.pages_used = http, []
            try:
                await submitted_application(journey)
                today = await journey.to_programme()
                await journey.complete("programme", people.programme_manager, journey.programme(today))
                await journey.stage("audit")
                await journey.through_audit()
                await decided_in_the_browser(browser, journey)
                number = (await journey.stage("granted")).certificate_number
                assert number

                address = verification_url(browser.base, number)
                expected = qr_modules(address)
                read = await qr_modules_of(http, number, len(expected), tmp_path)
                assert read == [list(row) for row in expected]  # the document's code holds this address

                await suspended_in_the_browser(browser, journey, number)

                async def suspended() -> bool:
                    answer = await http.get(f"/public/certificates/{number}")
                    return answer.json()["status"] == "suspended"

                await until(suspended, "the register shows the suspension")
                # The notices the process sent are on the certificate's page, by their subjects.
                await smtp.wait_until(lambda: any("暂停" in str(m["Subject"]) for m in smtp.to("contact@example.cn")),
                                      "the suspension's notice to the organization")
                http.cookies.set(SESSION_COOKIE, people.tokens["manager"])
                shown = (await http.get(f"/app/certificates/{number}")).text
                mails = shown[shown.index('<ul class="mails">'):]
                mails = mails[:mails.index("</ul>")]
                for mail in smtp.to("contact@example.cn"):
                    assert str(mail["Subject"]) in mails
                phone = await browser.page(viewport=PHONE, javascript=False)
                await phone.goto(address)
                assert await phone.locator("#status-word").inner_text() == "暂停"
                await browser.screenshot(phone, "journey-verified-phone")
                browser.assert_clean()
            finally:
                await journey.stop()
