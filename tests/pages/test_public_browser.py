"""The public pages in a real browser without JavaScript, at a phone's width and a desktop's: the QR
code's address opens the verification page, whose status is read at a glance (large, at the top,
in words and a shape), and nothing is wider than the phone."""

from __future__ import annotations

from datetime import date

from playwright.async_api import Page

from certflow.verification import verification_url
from store.certificates import set_status
from tests.api.test_public import issued_certificate
from tests.pages.browser import DESKTOP, PHONE
from tests.pages.test_public_pages import certificates_in_every_status


async def fits_and_shows_status(tab: Page, width: int, height: int, words: str) -> None:
    """The status word is the first thing on the screen, large, and the page scrolls only downwards."""
    word = tab.locator("#status-word")
    assert await word.inner_text() == words
    box = await word.bounding_box()
    assert box is not None and box["y"] + box["height"] < height / 3, box  # seen without scrolling
    assert box["height"] >= 32, box  # large: at least twice the body text
    icon = await tab.locator(".status .status-icon").bounding_box()
    assert icon is not None and icon["width"] >= 40  # the shape says it too, not only the colour
    widest = await tab.locator("main").bounding_box()
    assert widest is not None and widest["x"] + widest["width"] <= width, widest


async def test_the_qr_address_in_a_phone_and_a_desktop_browser_without_javascript(browser, pool):
    valid, _ = await issued_certificate(pool, "上海示例呼叫中心有限公司", "91310000MA1FL0000X")
    suspended, _ = await issued_certificate(pool, "北京暂停示例客户服务中心有限公司", "91110000MA01BBBB2X")
    await set_status(pool, suspended, "suspended", suspended_until=date(2027, 3, 1))
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        tab = await browser.page(viewport=viewport, javascript=False)
        await tab.goto(verification_url(browser.base, valid))  # what the certificate's QR code carries
        await fits_and_shows_status(tab, viewport["width"], viewport["height"], "有效")
        await browser.screenshot(tab, f"verify-valid-{name}")
        await tab.goto(verification_url(browser.base, f"{suspended}-1"))
        await fits_and_shows_status(tab, viewport["width"], viewport["height"], "暂停")
        assert "暂停至 2027-03-01" in await tab.locator(".status-detail").inner_text()
        assert await tab.locator("tr[aria-current=true] th").inner_text() == f"{suspended}-1 您查询的"
        await browser.screenshot(tab, f"verify-suspended-sub-{name}")
        await tab.goto(verification_url(browser.base, valid) + "?lang=en")
        await fits_and_shows_status(tab, viewport["width"], viewport["height"], "Valid")
        await browser.screenshot(tab, f"verify-valid-en-{name}")
        await tab.goto("/public/certificates?lang=zh")
        assert await tab.get_by_role("link", name=suspended).is_visible()
        await browser.screenshot(tab, f"directory-{name}")
        await tab.context.close()


async def test_every_status_reads_at_a_glance_on_a_phone(browser, pool):
    made = await certificates_in_every_status(pool)
    tab = await browser.page(viewport=PHONE, javascript=False)
    for status, words in (("withdrawn", "撤销"), ("scope_reduced", "有效"), ("expired", "注销")):
        name, number = status.replace("_", "-"), made[status]
        await tab.goto(verification_url(browser.base, number))
        await fits_and_shows_status(tab, PHONE["width"], PHONE["height"], words)
        await browser.screenshot(tab, f"verify-{name}-phone")


async def test_the_landing_box_the_directory_and_an_unknown_number_on_a_phone(browser, pool):
    number, _ = await issued_certificate(pool, "广州示例呼叫中心有限公司", "91440000MA01CCCC3X")
    tab = await browser.page(viewport=PHONE, javascript=False)
    await tab.goto("/public")
    await browser.screenshot(tab, "public-home-phone")
    await tab.get_by_label("证书编号或分证书编号").fill(number.lower())
    await tab.get_by_role("button", name="查询").click()
    await tab.wait_for_url(f"**/public/certificates/{number}")
    assert await tab.locator("#status-word").inner_text() == "有效"

    await tab.goto("/public/certificates")
    await tab.get_by_label("组织名称、统一社会信用代码或证书编号").fill("广州示例")
    await tab.get_by_role("button", name="查找").click()
    await tab.wait_for_url("**/public/certificates?q=*")
    await browser.screenshot(tab, "public-directory-phone")
    await tab.get_by_role("link", name=number).click()
    await tab.wait_for_url(f"**/public/certificates/{number}")

    await tab.goto("/public/certificates/CCS2099999")
    assert await tab.get_by_role("heading", name="查无此证书").is_visible()
    await browser.screenshot(tab, "public-unknown-phone")
