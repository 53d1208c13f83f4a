"""The audit forecast page /app/planning (issue 18): for those who may read the forecast (scheduling.read),
linked from their navigation only; a month over capacity said in words and marked ▲ (not only coloured),
months of a year without holiday data marked provisional (R-dates); drawn without JavaScript."""

from __future__ import annotations

from datetime import date

from api.pages.session import SESSION_COOKIE
from api.tasks import today
from schemas.staff import Role
from tests.pages.browser import PHONE
from tests.pages.test_incident_pages import signed_in_tab
from tests.store.scheduling_rows import certified

TODAY = date(2026, 3, 2)


def sign_in(http, token: str) -> None:
    http.cookies.set(SESSION_COOKIE, token)


async def test_who_sees_the_page_and_its_link(app, http, staff):
    app.dependency_overrides[today] = lambda: TODAY
    _, reviewer = await staff(Role.REVIEWER)
    sign_in(http, reviewer)
    refused = await http.get("/app/planning")
    assert refused.status_code == 403
    assert 'href="/app/planning"' not in (await http.get("/app")).text
    _, planner = await staff(Role.PROGRAMME_MANAGER)
    sign_in(http, planner)
    assert 'href="/app/planning"' in (await http.get("/app")).text
    shown = await http.get("/app/planning?lang=en")
    assert shown.status_code == 200 and "Audit forecast" in shown.text
    assert shown.text.count('<tr class="') == 12 and "Over capacity" not in shown.text


async def test_a_month_over_capacity_is_said_and_marked_in_a_browser(app, browser, pool, staff):
    """A surveillance due 2026-09-01 (R-9.2.1) closes its window in August; no auditor can take it: August
    is over capacity. 2027 has no holiday data yet: its months are provisional."""
    app.dependency_overrides[today] = lambda: TODAY
    await certified(pool, next_due=date(2026, 9, 1), person_days="7")
    await staff(Role.MYSTERY_SHOPPER)
    _, manager = await staff(Role.MANAGER)
    tab = await signed_in_tab(browser, manager)
    await tab.get_by_role("link", name="排期预测").click()
    await tab.wait_for_url("**/app/planning", wait_until="networkidle")
    august = tab.locator('tr[data-month="2026-08"]')
    assert await august.get_attribute("data-over") == "yes"
    assert "▲ 超出能力" in await august.inner_text()
    assert "2.5 / 0" in await august.inner_text() and "监督 2.5" in await august.inner_text()
    july = tab.locator('tr[data-month="2026-07"]')
    assert await july.get_attribute("data-over") == "no" and "超出能力" not in await july.inner_text()
    assert "暂定" in await tab.locator('tr[data-month="2027-01"]').inner_text()
    assert "暂定" not in await tab.locator('tr[data-month="2026-12"]').inner_text()
    await browser.screenshot(tab, "planning-forecast")
    phone = await signed_in_tab(browser, manager, PHONE)
    await phone.goto("/app/planning", wait_until="networkidle")
    assert "超出能力" in await phone.locator('tr[data-month="2026-08"]').inner_text()
    await browser.screenshot(phone, "planning-forecast-phone")


async def test_open_proposals_and_plan_again_for_the_programme_managers(app, http, pool, staff):
    """Issue 18: the proposals in force are listed with the rule that keeps one unplaced; a programme
    manager may ask to plan again (without the planner's process running here: refused with a reason,
    kept on the page), a manager of operations sees the list but no form."""
    from contextlib import suppress

    from temporalio.service import RPCError

    from tests.api.test_proposals import _open_programme_task
    from workflows.audit_planning import AUDIT_PLANNING_WORKFLOW_ID

    with suppress(RPCError):  # another test of the session may have left the namespace's planner running
        await app.state.temporal.get_workflow_handle(AUDIT_PLANNING_WORKFLOW_ID).terminate("needs no planner")
    app.dependency_overrides[today] = lambda: TODAY
    demand = await _open_programme_task(pool, TODAY)
    _, planner = await staff(Role.PROGRAMME_MANAGER)
    sign_in(http, planner)
    shown = await http.get("/app/planning")
    assert f'href="/app/tasks/{demand.key}"' in shown.text
    assert "无法安排" in shown.text and "R-7.team" in shown.text and "nobody was free" in shown.text
    assert 'action="/app/planning/replan"' in shown.text
    csrf = shown.text.split('name="_csrf" value="')[1].split('"')[0]
    asked = await http.post("/app/planning/replan", data={"_csrf": csrf, "reason": "新审核员入职"})
    assert asked.status_code == 503 and "try again" in asked.text  # kept on the page, said why
    _, operator = await staff(Role.OPERATOR)
    sign_in(http, operator)
    shown = await http.get("/app/planning")
    assert "R-7.team" in shown.text and 'action="/app/planning/replan"' not in shown.text


async def test_the_plan_of_the_coming_months_shows_its_dates_and_team(app, http, pool, staff):
    """Issue 18: the daily plan's proposals (no programme task yet) are shown with their window and rule
    (R-9.2.1), the on-site days, the team's size and who travels; one that cannot be placed says why."""
    import uuid
    from decimal import Decimal

    from schemas.audits import AuditKind
    from schemas.payloads import TeamAssignment
    from schemas.scheduling import AuditDemand, ProposedAudit, Unplaced
    from store import audit_proposals

    app.dependency_overrides[today] = lambda: TODAY
    due = AuditDemand(key="certification-p/surveillance/2026-06-01", workflow_id="certification-p",
                      kind=AuditKind.SURVEILLANCE, organization_name="浦江呼叫中心", earliest=TODAY,
                      latest=date(2026, 5, 11), window_rule="R-9.2.1", person_days=Decimal("2.5"))
    team = [TeamAssignment(staff_id=uuid.uuid4(), role="leader"), TeamAssignment(staff_id=uuid.uuid4(), role="auditor")]
    placed = ProposedAudit(key=due.key, team=team, onsite_start=date(2026, 4, 14), onsite_end=date(2026, 4, 15),
                           person_days=Decimal(4), onsite_days=Decimal(4), travel=1)
    await audit_proposals.add_version(pool, due, task_id=None, made_by="plan/1", planned_on=TODAY, proposal=placed)
    stuck = due.model_copy(update={"key": "certification-q/surveillance/2026-06-02", "organization_name": "江南客服"})
    await audit_proposals.add_version(pool, stuck, task_id=None, made_by="plan/1", planned_on=TODAY,
                                      unplaced=Unplaced(key=stuck.key, rule_id="R-7.auditor", resource="auditors",
                                                        reason="no auditor holds both proofs"))
    _, planner = await staff(Role.PROGRAMME_MANAGER)
    sign_in(http, planner)
    shown = (await http.get("/app/planning")).text
    upcoming = shown.split('id="upcoming"')[1]
    row = upcoming.split("浦江呼叫中心")[1].split("</tr>")[0]
    assert "2026-03-02 – 2026-05-11" in row and "R-9.2.1" in row
    assert "2026-04-14 – 2026-04-15，审查组 2，出差 1" in row
    other = upcoming.split("江南客服")[1].split("</tr>")[0]
    assert "无法安排" in other and "R-7.auditor" in other and "no auditor holds both proofs" in other
