"""Signing in to the pages with the staff token: an HttpOnly, SameSite=Strict cookie; every form
carries a CSRF token; a token the API refuses does not sign in, and the page says why."""

from __future__ import annotations

import re

from api.pages.session import SESSION_COOKIE, csrf_token
from schemas.staff import Role


async def test_a_staff_member_signs_in_with_their_token_and_sees_their_inbox(http, staff):
    _, token = await staff(Role.REVIEWER, name="审核员王")
    form = await http.get("/sign-in?next=/app")
    assert form.status_code == 200 and 'name="token"' in form.text
    signed = await http.post("/sign-in", data={"token": token, "next": "/app"})
    assert signed.status_code == 303 and signed.headers["location"] == "/app"
    cookie = signed.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    inbox = await http.get("/app")
    assert inbox.status_code == 200
    assert "审核员王" in inbox.text and "没有待办任务" in inbox.text
    # The sign-out form carries the CSRF token made from the session token.
    assert f'value="{csrf_token(token)}"' in inbox.text


async def test_a_refused_token_does_not_sign_in_and_the_page_says_why(http, staff):
    answer = await http.post("/sign-in", data={"token": "not-a-token", "next": "/app"})
    assert answer.status_code == 401 and "not valid" in answer.text
    assert SESSION_COOKIE not in answer.headers.get("set-cookie", "")


async def test_a_page_without_a_session_sends_the_reader_to_sign_in_and_back(http):
    answer = await http.get("/app?view=overdue")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=%2Fapp%3Fview%3Doverdue"


async def test_signing_in_follows_only_a_path_of_this_site(http, staff):
    _, token = await staff(Role.REVIEWER)
    for elsewhere in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        answer = await http.post("/sign-in", data={"token": token, "next": elsewhere})
        assert answer.headers["location"] == "/app", elsewhere


async def test_signing_out_needs_the_form_s_csrf_token(http, staff):
    _, token = await staff(Role.REVIEWER)
    await http.post("/sign-in", data={"token": token})
    forged = await http.post("/sign-out", data={"_csrf": "0" * 64})
    assert forged.status_code == 403 and "stale" in forged.text
    assert (await http.get("/app")).status_code == 200  # still signed in
    out = await http.post("/sign-out", data={"_csrf": csrf_token(token)})
    assert out.status_code == 303 and re.search(rf'{SESSION_COOKIE}=""', out.headers["set-cookie"])
    assert (await http.get("/app")).status_code == 303


async def test_the_language_switch_is_kept(http, staff):
    _, token = await staff(Role.REVIEWER)
    await http.post("/sign-in", data={"token": token})
    english = await http.get("/app?lang=en")
    assert "Nothing is waiting." in english.text and 'lang="en"' in english.text
    assert "Nothing is waiting." in (await http.get("/app")).text  # the cookie keeps the choice
    assert "没有待办任务" in (await http.get("/app?lang=zh")).text


async def test_signing_in_in_a_browser_without_javascript(browser, staff):
    _, token = await staff(Role.REVIEWER, name="审核员李")
    tab = await browser.page(javascript=False)
    await tab.goto("/app")
    assert tab.url.endswith("/sign-in?next=%2Fapp")
    await tab.get_by_label("员工令牌").fill(token)
    await tab.get_by_role("button", name="登录").click()
    await tab.wait_for_url("**/app")
    assert await tab.get_by_text("审核员李").is_visible()
    await browser.screenshot(tab, "inbox-empty")


async def test_a_form_posted_from_another_site_is_refused(http, staff):
    _, token = await staff(Role.REVIEWER)
    answer = await http.post("/sign-in", data={"token": token}, headers={"Sec-Fetch-Site": "cross-site"})
    assert answer.status_code == 403 and "own page" in answer.text
    assert "set-cookie" not in answer.headers


async def test_the_home_address_leads_staff_to_their_tasks_and_everyone_else_to_the_public_register(http, staff):
    assert (await http.get("/")).headers["location"] == "/public"
    _, token = await staff(Role.REVIEWER)
    await http.post("/sign-in", data={"token": token})
    assert (await http.get("/")).headers["location"] == "/app"
