"""The applications' and certificates' pages in a real browser with JavaScript off: a new application
filled in, refused (R-9.1.1), given one more site row and submitted; a certificate's action refused with
its rule id. Screenshots at desktop and phone widths (CERTFLOW_SCREENSHOTS keeps them)."""

from __future__ import annotations

import asyncio
import re
from datetime import date

import pytest

from schemas.intake import REQUIRED_MATERIALS
from schemas.staff import Role
from store.certificates import set_status
from tests.api.test_public import issued_certificate
from tests.pages.browser import PHONE
from workers.main import build_worker

pytestmark = pytest.mark.slow


async def settled(tab) -> None:
    """Everything the page asked for has arrived (its icon too): leaving earlier would cut a request
    off, which the browser fixture counts as a fault."""
    await tab.wait_for_load_state("networkidle")


async def recorded(tab, organization: str) -> None:
    """The page once the process has recorded the application (its first step) and opened its review:
    read again until then."""
    deadline = asyncio.get_running_loop().time() + 30
    while not (organization in await tab.locator("h1").inner_text()
               and await tab.locator("#complete-title").count() and await tab.locator("#open-tasks").count()):
        assert asyncio.get_running_loop().time() < deadline, "the process did not record the application"
        await tab.reload()
        await settled(tab)


async def signed_in(browser, token: str, **options):
    tab = await browser.page(javascript=False, **options)
    await tab.goto("/sign-in")
    await settled(tab)
    await tab.get_by_label("员工令牌").fill(token)
    await tab.get_by_role("button", name="登录").click()
    await tab.wait_for_url("**/app")
    await settled(tab)
    return tab


async def test_a_new_application_filled_in_without_javascript(browser, staff, temporal_env, pool, smtp, api_settings):
    async with build_worker(temporal_env.client, pool, api_settings.task_queue, smtp.mail):
        await fill_in_and_submit(browser, staff, temporal_env)


async def fill_in_and_submit(browser, staff, temporal_env) -> None:
    _, token = await staff(Role.REVIEWER, name="受理员周")
    tab = await signed_in(browser, token)
    await tab.goto("/app/applications")
    await settled(tab)
    await tab.get_by_role("link", name="提交新申请").click()
    await tab.wait_for_url("**/app/applications/new")
    await settled(tab)
    await browser.screenshot(tab, "application-new-desktop")

    field = tab.locator
    await field('[name="organization.name"]').fill("浏览器呼叫中心有限公司")
    await field('[name="organization.name"]').press("Enter")  # Enter submits (not "one more row")
    await settled(tab)
    refusal = tab.get_by_role("alert")
    assert "R-9.1.1" in await refusal.inner_text()
    assert await field('[name="organization.credit_code"]').get_attribute("aria-invalid") == "true"
    assert await field('[name="organization.name"]').input_value() == "浏览器呼叫中心有限公司"
    await browser.screenshot(tab, "application-refused-desktop")

    await field('[name="organization.credit_code"]').fill("91110000MA01ABCD2X")
    await field('[name="organization.registered_address"]').fill("北京市朝阳区示例路1号")
    await field('[name="organization.postcode"]').fill("100000")
    await field('[name="organization.legal_status_proof"]').fill("营业执照副本")
    await field('[name="organization.contact.phone"]').fill("010-12345678")
    await field('[name="sites[0].name"]').fill("总部")
    await field('[name="sites[0].headcount"]').fill("60")
    await tab.get_by_role("button", name=re.compile("再加一行.*Sites|再加一行.*场所")).click()
    await settled(tab)
    await field('[name="sites[1].name"]').fill("分部")
    await field('[name="sites[1].headcount"]').fill("25")
    await field('[name="scope"]').fill("呼叫中心客户服务")
    await field('[name="service_documents_in_operation_since"]').fill("2025-01-01")
    for part in ("resources", "processes", "risk_management"):
        await field(f'[name="information_form.{part}"]').fill("已说明")
    for key in REQUIRED_MATERIALS:
        await field(f'input[name="materials"][value="{key}"]').check()
    await tab.get_by_role("button", name="提交申请").click()
    await tab.wait_for_url(re.compile(r".*/app/applications/[0-9a-f-]{36}\?submitted=1$"))
    await settled(tab)
    assert await tab.get_by_role("status").is_visible()
    workflow_id = "certification-" + tab.url.split("/")[-1].split("?")[0]
    try:
        await recorded(tab, "浏览器呼叫中心有限公司")
        await browser.screenshot(tab, "application-submitted-desktop")
        phone = await signed_in(browser, token, viewport=PHONE)
        await phone.goto("/app/applications/new")
        await settled(phone)
        await browser.screenshot(phone, "application-new-phone")
        await phone.goto(tab.url)
        await settled(phone)
        await browser.screenshot(phone, "application-submitted-phone")
    finally:
        await temporal_env.client.get_workflow_handle(workflow_id).terminate("test finished")


async def test_a_certificate_s_action_refused_with_its_rule_id_in_a_browser(browser, staff, pool):
    number, _ = await issued_certificate(pool, "上海浏览器呼叫中心有限公司", "91310000MA1BRW001X")
    await set_status(pool, number, "withdrawn")
    _, token = await staff(Role.MANAGER, name="经理吴")
    tab = await signed_in(browser, token)
    await tab.goto(f"/app/certificates/{number}")
    await settled(tab)
    await browser.screenshot(tab, "certificate-desktop")
    await tab.get_by_text("暂停证书", exact=True).first.click()  # the summary opens the form, no script
    await tab.locator("#suspend-f-cause").select_option("organization_request")
    await tab.locator("#suspend-f-reason").fill("组织申请暂停")
    await tab.get_by_role("button", name="暂停证书").click()
    await settled(tab)
    refusal = tab.locator('details[data-action="suspend"]').get_by_role("alert")
    assert "R-9.6.7" in await refusal.inner_text()
    await browser.screenshot(tab, "certificate-refused-desktop")
    await tab.goto(f"/app/certificates/{number}?lang=en")
    await settled(tab)
    assert await tab.get_by_role("heading", name="Actions").is_visible()
    await browser.screenshot(tab, "certificate-english-desktop")
    phone = await signed_in(browser, token, viewport=PHONE)
    await phone.goto(f"/app/certificates/{number}")
    await settled(phone)
    await browser.screenshot(phone, "certificate-phone")
    await phone.goto(f"/app/certificates?due_before={date.today().isoformat()}")
    await settled(phone)
    await browser.screenshot(phone, "certificates-phone")
    await tab.goto("/app/certificates")
    await settled(tab)
    await browser.screenshot(tab, "certificates-desktop")
