"""The managers' and operators' pages (issue 15): the team's queue with its escalations and the
incidents, shown to the roles the permission matrix gives them and to nobody else; the nav offers them
to those roles only."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from starlette.requests import Request

from api.app import create_app
from api.pages.permits import TEAM, may
from api.pages.session import Session, csrf_token
from api.tasks import today
from schemas.staff import Role
from store.tasks import upsert_open_task
from tests.pages.page_forms import sign_in

OVERSEERS = {Role.MANAGER, Role.OPERATOR}  # the team's queue and the incidents (api/permissions.py)
OPENED = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)




async def test_only_managers_and_operators_see_the_team_s_queue_and_the_incidents(http, staff):
    for role in Role:
        _, token = await staff(role)
        await sign_in(http, token)
        inbox = await http.get("/app")
        for path, words in (("/app/team", "团队任务"), ("/app/incidents", "故障")):
            answer = await http.get(path)
            offered = f'href="{path}"' in inbox.text
            if role in OVERSEERS:
                assert answer.status_code == 200 and f"<h1>{words}" in answer.text, (role, path)
                assert offered, (role, path)
            else:
                assert answer.status_code == 403, (role, path, answer.status_code)
                assert "manager or operator" in answer.text and 'role="alert"' in answer.text
                assert not offered, (role, path)
        if role not in OVERSEERS:  # an incident's page and its retry are refused all the same
            assert (await http.get("/app/incidents/1")).status_code == 403
            refused = await http.post("/app/incidents/1/retry", data={"_csrf": csrf_token(token)})
            assert refused.status_code == 403


async def test_the_team_s_queue_shows_every_open_task_by_person_with_the_overdue_ones_as_escalations(
        app, http, staff, pool):
    manager, token = await staff(Role.MANAGER, name="张主管")
    auditor, _ = await staff(Role.AUDITOR, name="李审查", manager=manager)
    app.dependency_overrides[today] = lambda: date(2026, 3, 10)
    await upsert_open_task(pool, "t-late", "certification-late", "contract", Role.REVIEWER.value, OPENED,
                           due_on=date(2026, 3, 5), rule_id="R-9.1.3")
    await upsert_open_task(pool, "t-later", "certification-later", "stage1", Role.AUDITOR.value, OPENED,
                           assignee_id=auditor.staff_id, due_on=date(2026, 3, 20))
    await upsert_open_task(pool, "t-undated", "certification-undated", "application_review",
                           Role.REVIEWER.value, OPENED)
    await sign_in(http, token)

    answer = await http.get("/app/team")
    assert answer.status_code == 200
    escalations, queue = answer.text.split('id="queue-title"')
    # Escalations: the overdue task only, marked.
    assert re.findall(r'data-task="([^"]+)"', escalations) == ["t-late"]
    assert "已逾期" in escalations and "R-9.1.3" in escalations
    # Every open task, grouped by who does it (a person by name, or anyone of a role), overdue first.
    groups = re.findall(r'<h3 class="group">([^<]+)<', queue)
    assert [g.strip() for g in groups] == ["任一评审人员", "李审查"]
    assert re.findall(r'data-task="([^"]+)"', queue) == ["t-late", "t-undated", "t-later"]
    assert 'href="/processes/certification-later"' in queue

    by_kind = await http.get("/app/team", params={"group": "kind", "kind": "stage1", "lang": "en"})
    assert re.findall(r'data-task="([^"]+)"', by_kind.text) == ["t-later"]
    assert '<h3 class="group">stage1 ' in by_kind.text and "Nothing is overdue." in by_kind.text
    by_role = await http.get("/app/team", params={"group": "role", "role": "reviewer", "lang": "zh"})
    assert re.findall(r'data-task="([^"]+)"', by_role.text.split('id="queue-title"')[1]) == ["t-late", "t-undated"]
    # A filter the API refuses is shown as its refusal, not as an empty queue.
    refused = await http.get("/app/team", params={"role": "nobody"})
    assert refused.status_code == 422 and 'role="alert"' in refused.text


async def test_what_a_page_offers_follows_the_permission_matrix_with_the_body_s_decisions(pool, temporal_env,
                                                                                          api_settings, staff):
    """``may`` reads the matrix with the settings' Decisions: a body that lets auditors read the staff
    directory sees it offered to auditors, and to nobody the matrix leaves out."""
    decided = api_settings.model_copy(update={"staff_readers": (Role.AUDITOR,)})
    app = create_app(decided, pool=pool, temporal=temporal_env.client)
    request = Request({"type": "http", "app": app, "headers": []})
    for role in Role:
        actor, token = await staff(role)
        session = Session(actor=actor, token=token)
        assert may(request, session, "staff.list") is (role is Role.AUDITOR), role
        assert may(request, session, "incident.retry") is (role in OVERSEERS), role
        assert may(request, session, TEAM) is (role in OVERSEERS), role
        assert not may(request, session, "no.such.action")
    assert not may(request, None, "task.list")  # nobody signed in is offered nothing


async def test_the_team_s_queue_in_a_browser_without_javascript(browser, app, staff, pool):
    from tests.pages.browser import DESKTOP, PHONE
    from tests.pages.test_incident_pages import signed_in_tab

    _, token = await staff(Role.OPERATOR, name="钱运维")
    app.dependency_overrides[today] = lambda: date(2026, 3, 10)
    for n, (kind, role, due) in enumerate((("contract", "reviewer", date(2026, 3, 5)), ("stage1", "auditor", None),
                                           ("certification_decision", "decision_maker", date(2026, 3, 12)))):
        await upsert_open_task(pool, f"t-{n}", f"certification-{n}", kind, role, OPENED, due_on=due,
                               context={"organization": "示例呼叫中心有限公司"})
    for viewport, name in ((DESKTOP, "team"), (PHONE, "team-phone")):
        tab = await signed_in_tab(browser, token, viewport)
        await tab.get_by_role("link", name="团队任务").click()
        await tab.wait_for_url("**/app/team", wait_until="networkidle")
        await tab.get_by_label("分组").select_option("role")
        await tab.get_by_role("button", name="筛选").click()
        await tab.wait_for_url("**/app/team?*group=role*", wait_until="networkidle")
        assert await tab.locator("h3.group").count() == 3
        await browser.screenshot(tab, name)


async def test_the_process_page_reads_as_the_signed_in_person_through_the_pages(http, staff):
    """``view.json`` is the API's answer (or refusal) to the person the cookie signs in; without a
    session it is a 401 the page's script shows, and the page itself offers the sign-in."""
    nobody = await http.get("/app/processes/certification-none/view.json")
    assert nobody.status_code == 401 and nobody.headers["content-type"] == "application/problem+json"
    page = await http.get("/processes/certification-none")
    assert 'href="/sign-in?next=%2Fprocesses%2Fcertification-none"' in page.text and '"signedIn": false' in page.text
    _, token = await staff(Role.AUDITOR, name="李审查")
    await sign_in(http, token)
    missing = await http.get("/app/processes/certification-none/view.json")
    assert missing.status_code == 404 and "There is no process certification-none" in missing.json()["detail"]
    page = await http.get("/processes/certification-none")
    assert '"signedIn": true' in page.text and "李审查" in page.text and "/sign-in?next=" not in page.text
