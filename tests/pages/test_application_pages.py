"""The applications' pages: the list, the new-application form (only for the roles the permission matrix
lets submit, R-9.1.1's refusal beside the fields, one more row without script) and an application
submitted through the form, started by the real worker."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from datetime import UTC, datetime, timedelta

from api.pages.applications import missing_errors, read_application, without_links
from api.pages.session import csrf_token
from api.permissions import Action, permission_matrix
from schemas.applications import ApplicationRecord
from schemas.organizations import Organization
from schemas.staff import Role
from store.applications import record_application
from store.organizations import upsert_organization
from tests.api.test_applications import complete_application
from tests.pages.page_forms import form_keys, form_pairs, post_form, sign_in

NEW_LINK = 'href="/app/applications/new"'










async def test_only_the_roles_the_matrix_lets_submit_see_the_new_application_form(http, staff, app):
    settings = app.state.settings
    submitters = permission_matrix(settings.intake_roles, settings.staff_admin_roles,
                                   settings.staff_readers)[Action.SUBMIT_APPLICATION]
    assert submitters and submitters != frozenset(Role)
    for role in Role:
        _, token = await staff(role)
        await sign_in(http, token)
        listed = await http.get("/app/applications")
        assert listed.status_code == 200
        assert (NEW_LINK in listed.text) == (role in submitters), role
        form = await http.get("/app/applications/new")
        if role in submitters:
            assert form.status_code == 200 and 'action="/app/applications/new"' in form.text, role
            ids = re.findall(r'\sid="([^"]+)"', form.text)
            inputs = re.findall(r'<(?:input|select|textarea) [^>]*?\sid="([^"]+)"', form.text)
            assert len(ids) == len(set(ids)) and all(f'<label for="{i}">' in form.text for i in inputs)
            assert 'name="sites[0].name"' in form.text  # an application names a site: a row to fill from the start
        else:
            assert form.status_code == 403 and 'action="/app/applications/new"' not in form.text, role
            assert all(r.value in form.text for r in submitters)  # the API's words: which roles may


async def test_an_incomplete_application_comes_back_with_what_is_missing_beside_each_field_R_9_1_1(http, staff):
    _, token = await staff(Role.REVIEWER)
    await sign_in(http, token)
    csrf, idem = form_keys((await http.get("/app/applications/new")).text)
    sent = [("_csrf", csrf), ("_idem", idem), ("organization.name", "半份申请有限公司"), ("sites[0].name", "总部"),
            ("sites[0].headcount", "0"), ("materials", "business_licence")]
    refused = await post_form(http, "/app/applications/new", sent)
    assert refused.status_code == 422  # the form again, with the API's answer
    assert '<span class="rule">R-9.1.1</span>' in refused.text and 'role="alert"' in refused.text
    assert 'value="半份申请有限公司"' in refused.text  # what was typed stays
    assert re.search(r'id="f-organization-credit_code"[^>]*aria-invalid="true"', refused.text)
    assert re.search(r'id="f-sites-0--headcount"[^>]*aria-invalid="true"', refused.text)
    assert 'id="f-sites-0--headcount-error">a positive effective headcount' in refused.text
    assert re.search(r'type="checkbox" name="materials" value="business_licence" checked', refused.text)
    assert 'id="f-materials-error">缺少：业务经营许可证、' in refused.text  # the boxes left unticked, in words
    assert '<a href="#f-organization-credit_code">organization.credit_code:' in refused.text  # the summary leads there
    assert form_keys(refused.text)[1] != idem  # the corrected form is a new request


async def test_one_more_row_redraws_the_form_without_submitting_it(http, staff, pool):
    _, token = await staff(Role.REVIEWER)
    await sign_in(http, token)
    csrf, idem = form_keys((await http.get("/app/applications/new")).text)
    before = await pool.fetchval("SELECT count(*) FROM applications")
    more = await post_form(http, "/app/applications/new", [
        ("_csrf", csrf), ("_idem", idem), ("sites[0].name", "总部"), ("sites[0].headcount", "60"), ("_add", "sites")])
    assert more.status_code == 200 and 'role="alert"' not in more.text
    assert re.findall(r'<legend>第 (\d) 行</legend>', more.text.split('id="f-sites"')[1].split('id="f-scope"')[0]) == [
        "1", "2"]
    assert re.search(r'name="sites\[0\]\.name"[^>]* value="总部"', more.text)
    assert re.search(r'name="sites\[1\]\.name"[^>]* value=""', more.text)
    # Pressed again with the new row left blank: a third row; nothing was submitted meanwhile.
    again = await post_form(http, "/app/applications/new", [
        ("_csrf", csrf), ("_idem", idem), ("sites[0].name", "总部"), ("sites[0].headcount", "60"),
        ("sites[1].name", ""), ("sites[1].headcount", ""), ("_add", "sites")])
    assert 'name="sites[2].name"' in again.text and 'name="sites[3].name"' not in again.text
    assert await pool.fetchval("SELECT count(*) FROM applications") == before


async def test_an_application_submitted_through_the_form_starts_its_certification(stack, staff):
    http = stack["http"]
    _, token = await staff(Role.REVIEWER)
    await sign_in(http, token)
    csrf, idem = form_keys((await http.get("/app/applications/new")).text)
    sent = [("_csrf", csrf), ("_idem", idem), *form_pairs(complete_application())]
    submitted = await post_form(http, "/app/applications/new", sent)
    assert submitted.status_code == 303, submitted.text
    location = submitted.headers["location"]
    assert re.fullmatch(r"/app/applications/[0-9a-f-]{36}\?submitted=1", location)
    # Sent twice (a double click, a reload): the same application, not a second one.
    assert (await post_form(http, "/app/applications/new", sent)).headers["location"] == location
    shown = await http.get(location)
    assert shown.status_code == 200 and "示例呼叫中心有限公司" in shown.text and 'role="status"' in shown.text
    application_id = location.split("/")[-1].split("?")[0]
    assert f'href="/processes/certification-{application_id}"' in shown.text

    async def under_review() -> bool:  # the process records the application, then opens its review
        listed = f'href="/app/applications/{application_id}"' in (await http.get("/app/applications")).text
        return listed and 'id="open-tasks"' in (await http.get(location)).text

    deadline = time.monotonic() + 30
    while not await under_review():
        assert time.monotonic() < deadline, "the application was not recorded and its review opened within 30 s"
        await asyncio.sleep(0.1)
    recorded = (await http.get(location)).text
    assert "R-9.1.2" in recorded and 'id="complete-title"' in recorded  # under review, the checklist beside
    assert re.search(r'<a href="/app/tasks/[^"]+">申请评审</a>', recorded)  # its open task, in Chinese


def test_the_form_reads_back_as_the_api_s_body_and_the_refusal_as_field_errors():
    body = complete_application()
    assert read_application(form_pairs(body), "zh") == {**body, "sites": [{"name": "总部", "headcount": 60}]}
    refusal = {"missing": ["organization.name: organization name", "information_form.resources",
                           "materials.business_licence: 营业执照 business licence",
                           "materials.service_licence: 业务经营许可证 service licence"]}
    assert missing_errors(refusal, "en") == {
        "organization.name": "organization name", "information_form.resources": "needed",
        "materials": "Missing: business licence, service licence (or a statement that none is required)"}
    assert missing_errors(refusal, "zh")["materials"] == "缺少：营业执照、业务经营许可证"


def test_the_process_summary_is_shown_without_the_temporal_ui_s_links():
    summary = "等待「申请评审」，期限 2026-12-08（R-9.1.2） [process page](http://127.0.0.1:8000/processes/certification-x)"
    assert without_links(summary) == "等待「申请评审」，期限 2026-12-08（R-9.1.2）"


async def test_who_may_submit_follows_the_body_s_decision_in_the_settings(http, staff, app):
    """Decision (issue 12): the intake roles are the body's (CERTFLOW_INTAKE_ROLES); the pages read the
    same matrix as the API, so changing them changes both."""
    app.state.settings = app.state.settings.model_copy(update={"intake_roles": (Role.MANAGER,)})
    _, manager = await staff(Role.MANAGER)
    await sign_in(http, manager)
    assert NEW_LINK in (await http.get("/app/applications")).text
    _, reviewer = await staff(Role.REVIEWER)
    await sign_in(http, reviewer)
    assert NEW_LINK not in (await http.get("/app/applications")).text
    assert (await http.get("/app/applications/new")).status_code == 403
    # A form sent all the same (an old page) is the API's to refuse, and the page shows its refusal.
    sent = [("_csrf", csrf_token(reviewer)), ("_idem", "old-page"), *form_pairs(complete_application())]
    refused = await post_form(http, "/app/applications/new", sent)
    assert refused.status_code == 403 and 'role="alert"' in refused.text and "manager" in refused.text
    assert 'action="/app/applications/new"' not in refused.text
    stale = await post_form(http, "/app/applications/new", [("_csrf", "0" * 64), *sent[1:]])
    assert stale.status_code == 403 and "stale" in stale.text


async def test_the_list_is_newest_first_a_page_at_a_time_by_the_api_s_cursor(http, staff, pool):
    org = await upsert_organization(pool, Organization(id=uuid.uuid4(), name="列表页面呼叫中心有限公司",
                                                       credit_code="91110000MA01LXPG0X"))
    ids = []
    for day in range(3):
        record = await record_application(pool, ApplicationRecord(
            id=uuid.uuid4(), organization_id=org.id, workflow_id=f"certification-list-{uuid.uuid4()}",
            scope="呼叫中心客户服务", submitted_at=datetime(2026, 5, 1, tzinfo=UTC) + timedelta(days=day),
            data={"organization": {"name": "列表页面呼叫中心有限公司", "credit_code": "91110000MA01LXPG0X"}}))
        ids.append(str(record.id))
    _, token = await staff(Role.AUDITOR)
    await sign_in(http, token)
    pages: list[list[str]] = []
    url: str | None = "/app/applications?organization=91110000MA01LXPG0X&limit=2"
    while url:
        answer = await http.get(url)
        pages.append(re.findall(r'<tr data-application="([^"]+)">', answer.text))
        found = re.search(r'<a href="([^"]+)" rel="next">', answer.text)
        url = found[1].replace("&amp;", "&") if found else None
    assert pages == [ids[::-1][:2], ids[::-1][2:]]  # newest first
