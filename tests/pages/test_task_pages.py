"""Tasks done through their pages: each task's form is drawn from its payload schema, and a whole
initial certification goes from the application review to the certificate through the forms, each
task by its own person signed in; refusals come back beside the field, with the rule id."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from urllib.parse import quote

import httpx
import pytest_asyncio

from api.app import create_app
from api.pages.session import SESSION_COOKIE
from certflow.settings import Settings
from tests.pages.browser import PHONE, browsing
from tests.pages.page_forms import form_pairs, hidden, post_form
from tests.pages.pages_journey import PagesJourney
from tests.workflows.conftest import make_people
from tests.workflows.test_process_page import served
from workers.main import build_worker


@pytest_asyncio.fixture
async def pages(own_temporal_env, pool, smtp) -> AsyncIterator[PagesJourney]:
    queue = f"pages-{uuid.uuid4().hex[:8]}"
    settings = Settings(_env_file=None, task_queue=queue, database_url="postgresql://unused")
    app = create_app(settings, pool=pool, temporal=own_temporal_env.client)
    people = await make_people(pool)
    async with (build_worker(own_temporal_env.client, pool, queue, smtp.mail),
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http):
        journey = PagesJourney(own_temporal_env, pool, queue, people)
        journey.http, journey.pages_used = http, []
        journey.app = app  # type: ignore[attr-defined]  # served to a browser by the browser tests
        try:
            yield journey
        finally:
            await journey.stop()


async def test_an_application_becomes_a_certificate_through_the_task_forms(pages):
    await pages.to_audit()
    await pages.through_audit()
    await pages.complete("certification_decision", pages.people.decision_maker,
                         {"outcome": "grant", "star_level": "five_star"})
    status = await pages.stage("granted")
    assert status.certificate_number
    assert pages.pages_used == ["application_review", "contract", "programme", "stage1", "mystery_shopper_report",
                                "mystery_shopper_report", "onsite_plan", "onsite_audit", "nonconformity_follow_up",
                                "audit_report", "materials_review", "certification_decision"]
    # The inbox names the organization of what waits; after the grant nothing waits for the decision maker.
    pages.http.cookies.set(SESSION_COOKIE, pages.people.tokens["decision_maker"])
    inbox = await pages.http.get("/app")
    assert "没有待办任务" in inbox.text


async def _programme_form(pages) -> tuple[str, str]:
    await pages.start()
    today = await pages.to_programme()
    view = await pages.task("programme")
    pages.http.cookies.set(SESSION_COOKIE, pages.people.tokens["programme_manager"])
    url = f"/app/tasks/{quote(view.task_id, safe='')}"
    form = await pages.http.get(url)
    assert form.status_code == 200
    return url, form.text, today


async def test_a_rule_s_refusal_comes_back_on_the_form_with_its_rule_id(pages):
    url, form, today = await _programme_form(pages)
    # The team pickers offer the qualified people, not the one without a competence evaluation.
    assert pages.people.leader.name in form and pages.people.unqualified.name not in form
    short = pages.programme(today, person_days="9", onsite_days="5")  # below 80 % on site: R-A.n1a
    sent = [("_csrf", hidden(form, "_csrf")), ("_idem", hidden(form, "_idem")), *form_pairs(short)]
    refused = await post_form(pages.http, url, sent)
    assert refused.status_code == 422
    assert re.search(r'class="refusal"[^>]*>.*R-A\.n1a', refused.text, re.S), refused.text[-3000:]
    # What was typed is kept, to be corrected rather than typed again.
    assert 'value="5"' in refused.text and pages.people.leader.name in refused.text


async def test_a_missing_field_is_named_beside_the_field(pages):
    url, form, today = await _programme_form(pages)
    answer = pages.programme(today)
    del answer["objectives"]
    sent = [("_csrf", hidden(form, "_csrf")), ("_idem", hidden(form, "_idem")), *form_pairs(answer)]
    refused = await post_form(pages.http, url, sent)
    assert refused.status_code == 422
    assert re.search(r'id="f-objectives"[^>]*aria-invalid="true"', refused.text)
    assert re.search(r'<p class="field-error" id="f-objectives-error">[^<]*required', refused.text)


async def test_one_more_row_without_script_and_a_double_submit_acts_once(pages):
    url, form, today = await _programme_form(pages)
    # The form opens with the planner's proposed team (issue 18), row by row, and no blank row more.
    rows = len(set(re.findall(r'name="team\[(\d+)\]\.staff_id"', form)))
    assert rows >= 1 and f"team[{rows}].staff_id" not in form
    more = await post_form(pages.http, url, [("_csrf", hidden(form, "_csrf")), ("_add", "team"),
                                            ("objectives", "初次认证"), ("team[0].role", "leader")])
    assert more.status_code == 200 and 'name="team[1].staff_id"' in more.text
    assert "初次认证" in more.text  # what was typed stays
    sent = [("_csrf", hidden(form, "_csrf")), ("_idem", hidden(form, "_idem")), *form_pairs(pages.programme(today))]
    first = await post_form(pages.http, url, sent)
    assert first.status_code == 303
    await pages.stage("audit")
    # The task is closed now: sent anew it would be refused (409), but the form's key makes the second
    # click the first one's answer, replayed; and a form drawn afresh has a key of its own.
    second = await post_form(pages.http, url, sent)
    assert second.status_code == 303, second.text[-2000:]
    fresh = [("_csrf", hidden(form, "_csrf")), ("_idem", "another-key"), *form_pairs(pages.programme(today))]
    assert (await post_form(pages.http, url, fresh)).status_code == 409


async def test_a_task_that_is_not_mine_is_shown_without_its_form(pages):
    await pages.start()
    view = await pages.task("application_review")
    pages.http.cookies.set(SESSION_COOKIE, pages.people.tokens["manager"])  # managers see every task
    shown = await pages.http.get(f"/app/tasks/{quote(view.task_id, safe='')}")
    assert shown.status_code == 200 and "仅供查看" in shown.text and 'name="_idem"' not in shown.text
    pages.http.cookies.set(SESSION_COOKIE, pages.people.tokens["shopper"])  # not hers at all
    assert (await pages.http.get(f"/app/tasks/{quote(view.task_id, safe='')}")).status_code == 404


async def test_the_review_form_in_a_browser_without_javascript(pages, tmp_path):
    """Issue 15: a reviewer signs in and completes the application review by clicking, with script off;
    screenshots at desktop and phone width."""
    await pages.start()
    await pages.task("application_review")
    async with served(pages.app) as port, browsing(f"http://127.0.0.1:{port}", tmp_path) as browser:
        phone = await browser.page(viewport=PHONE, javascript=False)
        tab = await browser.page(javascript=False)
        for each in (tab, phone):
            await each.goto("/sign-in")
            await each.get_by_label("员工令牌").fill(pages.people.tokens["reviewer"])
            await each.get_by_role("button", name="登录").click()
        await tab.get_by_role("link", name="申请评审").click()
        await phone.goto(tab.url)
        await browser.screenshot(phone, "task-review-phone")
        for group in await tab.locator("fieldset.choices-field").all():
            await group.get_by_label("是").check()
        # Rejected without reasons: the process refuses, and the page says why, with the rule id.
        await tab.get_by_label("评审结论").select_option("reject")
        await tab.get_by_role("button", name="提交").click()
        await tab.wait_for_load_state()
        refusal = tab.get_by_role("alert")
        assert "R-9.1.2.8" in await refusal.inner_text()
        await browser.screenshot(tab, "task-review-refused")
        await tab.get_by_label("评审结论").select_option("accept")
        await browser.screenshot(tab, "task-review-desktop")
        await tab.get_by_role("button", name="提交").click()
        await tab.wait_for_url("**/app?done=*")
        assert await tab.locator(".notice").is_visible()
        browser.assert_clean()
    await pages.task("contract")  # the process took the review


async def test_the_on_site_results_form_lists_the_catalogue_and_links_its_page(pages):
    await pages.to_audit()
    audit = pages.audit()
    await pages.when_available("stage1", audit)
    await pages.complete("stage1", pages.people.leader, pages.stage1_payload(), handle=audit)
    today = await pages.when_available("mystery_shopper_report", audit)
    for _ in range(2):
        await pages.complete("mystery_shopper_report", pages.people.shopper, {
            "visited_on": str(today), "person_days": "0.5", "service_quality": "好", "service_environment": "整洁"},
            handle=audit)
    await pages.complete("onsite_plan", pages.people.leader, {"sent_on": str(today), "plan": "计划"}, handle=audit)
    view = await pages.task("onsite_audit", audit)
    pages.http.cookies.set(SESSION_COOKIE, pages.people.tokens["leader"])
    form = (await pages.http.get(f"/app/tasks/{quote(view.task_id, safe='')}")).text
    catalogue = (await pages.http.get("/api/v1/catalogue",
                                      headers={"Authorization": f"Bearer {pages.people.tokens['leader']}"})).json()
    for n, item in enumerate(catalogue["items"]):  # every item assessed once, each captioned
        assert f'name="items[{n}].item_id"' in form and f'value="{item["id"]}"' in form
    assert 'href="/app/catalogue"' in form
