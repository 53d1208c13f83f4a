"""Capacity and absences on the pages (issue 18): the staff person page shows a person's home city, monthly
cap (saying when it is the body's default) and absences, with forms for those who plan the audits'
schedule and resources (R-9.1.3); "my leave" lets everyone record and cancel their own. In a browser too."""

from __future__ import annotations

import re

from playwright.async_api import expect

from api.pages.session import SESSION_COOKIE, csrf_token
from schemas.staff import Role
from tests.pages.page_forms import hidden, post_form
from tests.pages.test_incident_pages import signed_in_tab

# Days still to come whatever day the test runs on (an absence over before today is not cancellable).
STARTS, ENDS = "2030-04-01", "2030-04-05"


def sign_in(http, token: str) -> None:
    http.cookies.set(SESSION_COOKIE, token)


async def test_the_person_page_shows_the_capacity_and_changes_it_R_9_1_3(http, staff):
    person, _ = await staff(Role.AUDITOR, name="周审查")
    _, manager = await staff(Role.MANAGER)
    sign_in(http, manager)
    page = (await http.get(f"/app/staff/{person.staff_id}")).text
    assert 'data-section="capacity"' in page and "（机构默认）" in page and 'data-form="capacity"' in page
    url = f"/app/staff/{person.staff_id}/capacity/change"
    bad = await post_form(http, url, [("_csrf", csrf_token(manager)), ("home_city", "上海"),
                                      ("max_audit_days_per_month", "40")])
    assert bad.status_code == 422
    assert re.search(r'id="capacity-f-max_audit_days_per_month"[^>]*aria-invalid="true"', bad.text), bad.text[-3000:]
    good = await post_form(http, url, [("_csrf", csrf_token(manager)), ("home_city", "上海"),
                                       ("max_audit_days_per_month", "7")])
    assert good.status_code == 303, good.text[-2000:]
    shown = (await http.get(good.headers["location"])).text
    assert "上海" in shown and "（机构默认）" not in shown and re.search(r"<dd>7\s*</dd>", shown)


async def test_an_absence_is_recorded_refused_beside_its_form_and_cancelled_on_the_person_page(http, staff):
    person, _ = await staff(Role.AUDITOR)
    _, planner = await staff(Role.PROGRAMME_MANAGER, name="孙计划")
    sign_in(http, planner)
    url = f"/app/staff/{person.staff_id}/absences/new"
    backwards = await post_form(http, url, [("_csrf", csrf_token(planner)), ("_idem", "a-1"),
                                            ("starts_on", ENDS), ("ends_on", STARTS)])
    assert backwards.status_code == 422 and "before starts_on" in backwards.text
    assert 'data-form="absence"' in backwards.text and f'value="{ENDS}"' in backwards.text  # kept as typed
    good = await post_form(http, url, [("_csrf", csrf_token(planner)), ("_idem", "a-2"), ("starts_on", STARTS),
                                       ("ends_on", ENDS), ("reason", "年假")])
    assert good.status_code == 303, good.text[-2000:]
    page = (await http.get(good.headers["location"])).text
    assert f"{STARTS} – {ENDS}" in page and "年假" in page and "孙计划" in page
    absence_id = re.search(r'/absences/([0-9a-f-]{36})/cancel', page).group(1)
    cancelled = await post_form(http, f"/app/staff/{person.staff_id}/absences/{absence_id}/cancel",
                                [("_csrf", csrf_token(planner)), ("_idem", "a-3")])
    assert cancelled.status_code == 303
    page = (await http.get(f"/app/staff/{person.staff_id}")).text
    assert "已取消" in page and 'data-action="cancel-absence"' not in page
    again = await post_form(http, f"/app/staff/{person.staff_id}/absences/{absence_id}/cancel",
                            [("_csrf", csrf_token(planner)), ("_idem", "a-4")])
    assert again.status_code == 409 and "already cancelled" in again.text


async def test_everyone_records_and_cancels_their_own_leave_on_my_leave(http, staff):
    me, token = await staff(Role.MYSTERY_SHOPPER, name="吴顾客")
    sign_in(http, token)
    inbox = (await http.get("/app")).text
    assert 'href="/app/me/absences"' in inbox
    page = await http.get("/app/me/absences")
    assert page.status_code == 200 and 'data-form="absence"' in page.text
    assert 'data-form="capacity"' not in page.text and 'data-section="capacity"' in page.text  # read, not changed
    recorded = await post_form(http, "/app/me/absences/new", [("_csrf", csrf_token(token)),
                                                              ("_idem", hidden(page.text, "_idem")),
                                                              ("starts_on", STARTS), ("ends_on", ENDS)])
    assert recorded.status_code == 303 and recorded.headers["location"].startswith("/app/me/absences")
    page = await http.get("/app/me/absences")
    assert f"{STARTS} – {ENDS}" in page.text and "吴顾客" in page.text
    absence_id = re.search(r'/app/me/absences/([0-9a-f-]{36})/cancel', page.text).group(1)
    assert (await post_form(http, f"/app/me/absences/{absence_id}/cancel",
                            [("_csrf", csrf_token(token)), ("_idem", "m-2")])).status_code == 303
    assert "已取消" in (await http.get("/app/me/absences")).text
    assert (await http.get(f"/app/staff/{me.staff_id}")).status_code == 403  # the directory is not theirs


async def test_a_staff_admin_records_and_cancels_an_absence_in_a_browser(browser, staff):
    person, _ = await staff(Role.AUDITOR, name="郑审核")
    _, manager = await staff(Role.MANAGER, name="冯经理")
    tab = await signed_in_tab(browser, manager)
    await tab.goto(f"/app/staff/{person.staff_id}", wait_until="networkidle")
    await tab.get_by_text("登记请假").click()
    form = tab.locator('form[data-form="absence"]')
    await form.get_by_label("开始日期").fill(STARTS)
    await form.get_by_label("结束日期").fill(ENDS)
    await form.get_by_label("原因").fill("培训")
    await form.get_by_role("button", name="登记").click()
    await tab.wait_for_load_state("networkidle")
    await expect(tab.get_by_role("status")).to_contain_text("请假已登记")
    entry = tab.locator("li[data-absence]")
    await expect(entry).to_contain_text(f"{STARTS} – {ENDS}")
    await expect(entry).to_contain_text("培训")
    await browser.screenshot(tab, "staff-absence")
    await entry.get_by_role("button", name="取消此请假").click()
    await tab.wait_for_load_state("networkidle")
    await expect(tab.get_by_role("status")).to_contain_text("请假已取消")
    await expect(entry).to_contain_text("已取消")
    await expect(tab.locator('[data-action="cancel-absence"]')).to_have_count(0)


async def test_an_auditor_is_offered_no_form_for_anothers_leave_in_a_browser(browser, staff):
    colleague, _ = await staff(Role.AUDITOR, name="陈审核")
    _, auditor = await staff(Role.AUDITOR, name="褚审核")
    tab = await signed_in_tab(browser, auditor)
    await tab.goto(f"/app/staff/{colleague.staff_id}", wait_until="networkidle")
    await expect(tab.locator("form[data-form]")).to_have_count(0)
    await expect(tab.locator("main")).to_contain_text("staff.list")
    await tab.get_by_role("link", name="我的请假").click()
    await tab.wait_for_load_state("networkidle")
    await expect(tab.locator('form[data-form="absence"]')).to_have_count(1)
    await expect(tab.locator('form[data-form="capacity"]')).to_have_count(0)


async def test_a_refused_capacity_change_is_shown_to_whoever_sent_it(http, staff):
    _, token = await staff(Role.AUDITOR)
    sign_in(http, token)
    refused = await post_form(http, "/app/me/capacity/change", [("_csrf", csrf_token(token)), ("home_city", "北京")])
    assert refused.status_code == 403 and "staff.capacity.change" in refused.text
    assert 'data-form="capacity"' not in refused.text
