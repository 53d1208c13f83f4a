"""The pages to read from and the programme's revision: the catalogue and its levels (R-6), the
regulator's monthly report downloaded through the page (CNCA), and an audit's programme changed from a
form prefilled with the one in force (R-9.1.10), refused with the rule id when it breaks one."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

from api.pages.session import SESSION_COOKIE
from schemas.staff import Role
from store.staff import add_staff
from tests.pages.page_forms import form_pairs, hidden, post_form
from tests.pages.test_task_pages import pages  # noqa: F401 - the fixture


async def test_the_catalogue_page_lists_every_item_and_level(http, staff):
    _, token = await staff(Role.AUDITOR)
    http.cookies.set(SESSION_COOKIE, token)
    page = await http.get("/app/catalogue")
    api = (await http.get("/api/v1/catalogue", headers={"Authorization": f"Bearer {token}"})).json()
    assert page.status_code == 200
    for item in api["items"]:
        assert f"<td>{item['id']}</td>" in page.text
    assert page.text.count("<h3>") == len(api["levels"]) and "R-6" in page.text


async def test_the_monthly_report_downloads_for_its_readers_only(http, staff):
    _, operator = await staff(Role.OPERATOR)
    _, reviewer = await staff(Role.REVIEWER)
    http.cookies.set(SESSION_COOKIE, operator)
    assert 'action="/app/reports/cnca"' in (await http.get("/app/reports")).text
    report = await http.get("/app/reports/cnca?month=2026-11&format=csv")
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/csv")
    assert "attachment" in report.headers["content-disposition"]
    wrong = await http.get("/app/reports/cnca?month=2026-13&format=csv")
    assert wrong.status_code == 422 and 'class="refusal"' in wrong.text
    http.cookies.set(SESSION_COOKIE, reviewer)
    assert 'action="/app/reports/cnca"' not in (await http.get("/app/reports")).text
    refused = await http.get("/app/reports/cnca?month=2026-11")
    assert refused.status_code == 403 and "report.cnca" in refused.text


async def test_the_programme_is_changed_from_a_form_prefilled_with_the_one_in_force(pages):  # noqa: F811
    today = await pages.to_audit()
    audit = pages.audit().id
    pages.http.cookies.set(SESSION_COOKIE, pages.people.tokens["programme_manager"])
    url = f"/app/audits/{quote(audit, safe='')}/programme"
    form = await pages.http.get(url)
    assert form.status_code == 200
    first = pages.programme(today)
    assert f'value="{first["onsite_start"]}"' in form.text  # the programme in force, to change
    # Too little of the audit time on site is refused by the audit's process (R-A.n1a).
    bad = pages.programme(today, person_days="9", onsite_days="5")
    sent = [("_csrf", hidden(form.text, "_csrf")), ("_idem", hidden(form.text, "_idem")),
            *form_pairs({"programme": bad, "reason": "缩短现场"})]
    refused = await post_form(pages.http, url, sent)
    assert refused.status_code == 422 and re.search(r'class="rule">R-A\.n1a', refused.text), refused.text[-2000:]
    moved = pages.programme(today, onsite_offset=28)
    sent = [("_csrf", hidden(form.text, "_csrf")), ("_idem", "move-onsite"),
            *form_pairs({"programme": moved, "reason": "受审方要求推迟"})]
    done = await post_form(pages.http, url, sent)
    assert done.status_code == 303, done.text[-3000:]
    again = await pages.http.get(done.headers["location"])
    assert "programme version 2" in again.text
    assert f'value="{today + timedelta(days=28)}"' in again.text


async def test_the_task_page_of_an_audit_links_its_programme_for_programme_managers(pages):  # noqa: F811
    await pages.to_audit()
    view = await pages.task("stage1", pages.audit())
    _, overseer = await add_staff(pages.pool, "钱总监", [Role.MANAGER, Role.PROGRAMME_MANAGER], email="o@body.example")
    for token, linked in ((overseer, True), (pages.people.tokens["leader"], False)):
        pages.http.cookies.set(SESSION_COOKIE, token)
        shown = await pages.http.get(f"/app/tasks/{quote(view.task_id, safe='')}")
        assert shown.status_code == 200 and ('/programme"' in shown.text) is linked
