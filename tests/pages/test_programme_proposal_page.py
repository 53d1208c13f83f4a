"""Issue 18 in the pages: the programme task's form opens filled with the planner's proposal, says so
beside the form, and a programme manager who clicks Submit without changing anything gets that
programme accepted by the process (R-9.1.3, R-9.1.4, R-7, R-3.10, R-9.1.6, R-A.n1a)."""

from __future__ import annotations

import uuid

import pytest

from api.app import create_app
from certflow.settings import Settings
from store import audit_proposals
from tests.pages.browser import browsing
from tests.pages.test_certification_in_a_browser import sign_in_in
from tests.workflows.conftest import Journey, make_people
from tests.workflows.test_process_page import served
from workers.main import build_worker

pytestmark = pytest.mark.slow


async def test_the_programme_form_holds_the_proposal_and_submitting_it_unchanged_is_accepted(
        own_temporal_env, pool, smtp, tmp_path):
    queue = f"pages-{uuid.uuid4().hex[:8]}"
    app = create_app(Settings(_env_file=None, task_queue=queue, database_url="postgresql://unused"),
                     pool=pool, temporal=own_temporal_env.client)
    people = await make_people(pool)
    async with (served(app) as port, browsing(f"http://127.0.0.1:{port}", tmp_path) as browser,
                build_worker(own_temporal_env.client, pool, queue, smtp.mail)):
        journey = Journey(own_temporal_env, pool, queue, people)
        try:
            await journey.start()
            await journey.to_programme()
            view = await journey.task("programme")
            stored = await audit_proposals.current(pool, view.task_id)
            assert stored is not None and stored.proposal is not None
            p = stored.proposal

            tab = await sign_in_in(browser, people.tokens["programme_manager"])
            await tab.goto(f"/app/tasks/{view.task_id}")
            schedule = tab.locator("section.schedule")
            assert "排程建议" in await schedule.inner_text()
            assert f"{p.onsite_start} – {p.onsite_end}" in await schedule.inner_text()
            form = tab.locator("form[action^='/app/tasks/']")
            assert await form.locator("[name=onsite_start]").input_value() == p.onsite_start.isoformat()
            assert await form.locator("[name=stage1_on]").input_value() == str(p.stage1_on)
            assert await form.locator("[name='visits[0].shopper_id']").input_value() == str(p.visits[0].shopper_id)
            assert await form.locator("[name=objectives]").input_value()  # words to change, not blank
            await browser.screenshot(tab, "programme-proposal")
            await form.get_by_role("button", name="提交").click()
            await tab.wait_for_url("**/app?done=*")

            await journey.stage("audit")  # the process accepted it: every check passed
            await journey.task("stage1", journey.audit())  # the audit recorded, its first task open
            audit = await pool.fetchrow("SELECT onsite_start, onsite_end FROM audits WHERE workflow_id = $1",
                                        journey.workflow_id)
            assert (audit["onsite_start"], audit["onsite_end"]) == (p.onsite_start, p.onsite_end)
            team = {r["staff_id"] for r in await pool.fetch(
                "SELECT staff_id FROM audit_team t JOIN audits a ON a.id = t.audit_id "
                "WHERE a.workflow_id = $1 AND t.role <> 'mystery_shopper'", journey.workflow_id)}
            assert team == {m.staff_id for m in p.team}
        finally:
            await journey.stop()
