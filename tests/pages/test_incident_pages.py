"""Incidents from the pages (issue 15, issue 12): an operator sees a step that failed for good with its
error and process, retries it with the page's form once the cause is fixed, and a double submit retries
once; a stale form is answered with the API's refusal. And the live process page for a signed-in
person, in a real browser, reading the process with the session cookie.

The incident is real: the body's mail server refuses the application's receipt for good (550), as in
tests/workflows/test_incidents.py."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from playwright.async_api import expect

from schemas.incidents import Incident, IncidentWait
from schemas.staff import Role
from schemas.tasking import TaskView
from tests.api.test_api import application, bearer
from tests.pages.browser import DESKTOP, PHONE
from tests.pages.page_forms import hidden
from workers.main import build_worker


@asynccontextmanager
async def a_process(http, staff, temporal_env, pool, api_settings, smtp) -> AsyncIterator[str]:
    """An application submitted through the API, its process run by a worker of the test's own; yields
    the process's workflow id."""
    _, reviewer = await staff(Role.REVIEWER)
    async with build_worker(temporal_env.client, pool, api_settings.task_queue, smtp.mail):
        submitted = await http.post("/api/v1/applications", json=application(), headers=bearer(reviewer))
        assert submitted.status_code == 201, submitted.text
        yield submitted.json()["workflow_id"]




async def signed_in_tab(browser, token: str, viewport=DESKTOP, javascript: bool = False):
    """A browser tab signed in through the sign-in form (no script needed). Each step waits until the
    page has loaded all it asks for: a load cut off by the next navigation would count as a failure."""
    tab = await browser.page(viewport=viewport, javascript=javascript)
    await tab.goto("/sign-in", wait_until="networkidle")
    await tab.get_by_label("员工令牌").fill(token)
    await tab.get_by_role("button", name="登录").click()
    await tab.wait_for_url("**/app", wait_until="networkidle")
    return tab


async def test_an_operator_retries_an_incident_from_its_page_once(browser, http, staff, temporal_env, pool,
                                                                  api_settings, smtp):
    smtp.reply = "550 5.1.1 mailbox unavailable"
    _, ops = await staff(Role.OPERATOR, name="钱运维")
    async with a_process(http, staff, temporal_env, pool, api_settings, smtp) as workflow_id:
        process = temporal_env.client.get_workflow_handle(workflow_id)
        await process.execute_update("wait_for_incident", IncidentWait(activity="deliver_mail"), result_type=Incident)
        await http.post("/sign-in", data={"token": ops})

        listing = await http.get("/app/incidents")
        [number] = re.findall(r'data-incident="(\d+)"', listing.text)
        assert "MailRefused" in listing.text and f'href="/processes/{workflow_id}"' in listing.text
        shown = await http.get(f"/app/incidents/{number}")
        assert shown.status_code == 200
        assert "MailRefused: SMTP" in shown.text and "5.1.1 mailbox unavailable" in shown.text
        assert "邮件：application_received" in shown.text
        assert f'<a href="/processes/{workflow_id}">' in shown.text and "待处理" in shown.text
        form = {"_csrf": hidden(shown.text, "_csrf"), "_idem": hidden(shown.text, "_idem")}
        for viewport, name in ((DESKTOP, "incident"), (PHONE, "incident-phone")):  # to look at
            tab = await signed_in_tab(browser, ops, viewport)
            await tab.goto(f"/app/incidents/{number}", wait_until="networkidle")
            await browser.screenshot(tab, name)

        forged = await http.post(f"/app/incidents/{number}/retry", data={**form, "_csrf": "0" * 64})
        assert forged.status_code == 403 and "stale" in forged.text
        smtp.reply = "250 OK"  # the cause is fixed
        retried = await http.post(f"/app/incidents/{number}/retry", data=form)
        assert retried.status_code == 303 and retried.headers["location"] == f"/app/incidents/{number}?done=retry"
        twice = await http.post(f"/app/incidents/{number}/retry", data=form)  # a double submit
        assert twice.status_code == 303
        resolved = await process.execute_update("wait_for_incident", IncidentWait(activity="deliver_mail",
                                                                                  state="resolved"),
                                                result_type=Incident)
        assert resolved.retries == 1 and resolved.retried_by == "钱运维"  # retried once, by the page's reader
        after = await http.get(retried.headers["location"])
        assert 'class="notice"' in after.text and "已解决" in after.text and "/retry" not in after.text

        stale = await http.post(f"/app/incidents/{number}/retry", data={**form, "_idem": "another-submit"})
        assert stale.status_code == 409
        assert re.search(r'class="refusal" role="alert">未能重试：Incident \d+ is resolved', stale.text)
        assert (await http.get("/app/incidents")).text.count("data-incident=") == 0
        assert f'data-incident="{number}"' in (await http.get("/app/incidents?view=all")).text
        await tab.goto("/app/incidents?view=all", wait_until="networkidle")
        await browser.screenshot(tab, "incidents-all-phone")


async def test_the_process_page_for_a_person_signed_in_in_the_browser(browser, http, staff, temporal_env, pool,
                                                                      api_settings, smtp):
    _, token = await staff(Role.PROGRAMME_MANAGER, name="孙方案")
    async with a_process(http, staff, temporal_env, pool, api_settings, smtp) as workflow_id:
        process = temporal_env.client.get_workflow_handle(workflow_id)
        await process.execute_update("wait_for_task", "application_review", result_type=TaskView)
        tab = await browser.page()
        await tab.goto(f"/processes/{workflow_id}", wait_until="networkidle")
        # Not signed in, no token: the page says how to sign in and draws nothing.
        assert await tab.locator("#process-view").is_hidden()
        await browser.screenshot(tab, "process-sign-in-needed")
        await tab.get_by_role("link", name="用员工令牌登录").click()
        await tab.wait_for_url("**/sign-in?next=*", wait_until="networkidle")
        await tab.get_by_label("员工令牌").fill(token)
        await tab.get_by_role("button", name="登录").click()
        await tab.wait_for_url(f"**/processes/{workflow_id}", wait_until="networkidle")
        await expect(tab.locator("body[data-ready=true]")).to_have_count(1)
        assert await tab.locator("#errors").text_content() == ""
        assert "cf-active" in (await tab.locator('[data-element-id="application_review"]').get_attribute("class"))
        await expect(tab.locator("#title")).to_have_text("示例呼叫中心")
        application_id = workflow_id.removeprefix("certification-")
        await expect(tab.locator("#application-link")).to_have_attribute("href", f"/app/applications/{application_id}")
        assert await tab.locator("#certificate-link").is_hidden()  # no certificate yet
        assert await tab.get_by_text("孙方案").is_visible()  # the pages' header, signed in
        await browser.screenshot(tab, "process-signed-in")

        phone = await browser.page(viewport=PHONE)
        await phone.context.add_cookies(await tab.context.cookies())
        await phone.goto(f"/processes/{workflow_id}")
        await expect(phone.locator("body[data-ready=true]")).to_have_count(1)
        await browser.screenshot(phone, "process-signed-in-phone")
