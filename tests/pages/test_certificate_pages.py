"""The certificates' pages: the search (status, level, organization, due this month) and each
certificate's page, whose action forms are exactly those the permission matrix gives the reader's
roles; an action the API refuses comes back beside its form with the rule id."""

from __future__ import annotations

import re
from datetime import date

from temporalio import workflow
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from api.pages.certificates import first_of_next_month, read_action
from api.pages.session import csrf_token
from api.permissions import CERTIFICATE_ACTIONS, permission_matrix
from api.tasks import today
from schemas.actions import ACT_UPDATE, ActionReceipt, ActionRequest
from schemas.staff import Role
from store.certificate_search import record_next_due
from store.certificates import get_certificate, set_status
from tests.api.test_public import issued_certificate
from tests.conftest import certificate_in_register
from tests.pages.page_forms import sign_in
from workflows.contracts import CERTIFICATION_WORKFLOW


@workflow.defn(name=CERTIFICATION_WORKFLOW)
class ActingCertification:
    """Stands in for the certificate's process: takes the ``act`` Update and keeps what it was sent."""

    def __init__(self) -> None:
        self.received: list[dict] = []

    @workflow.run
    async def run(self, number: str) -> None:
        self.number = number
        await workflow.wait_condition(lambda: False)

    @workflow.update(name=ACT_UPDATE)
    def act(self, request: ActionRequest) -> ActionReceipt:
        self.received.append(request.action.model_dump(mode="json"))
        return ActionReceipt(action=request.action.action, number=self.number, accepted_at=workflow.now(),
                             status="valid", message="recorded")

    @workflow.query(name="received")
    def seen(self) -> list[dict]:
        return self.received


ACTION_FORM = re.compile(r'<details class="action" id="action-[a-z_]+" data-action="([a-z_]+)"')




async def two_certificates(pool) -> tuple[str, str]:
    """A valid three-star certificate with two sites' worth of register, and a withdrawn one."""
    valid = await certificate_in_register(pool, "CCS-PG-001", date(2026, 3, 2), date(2029, 3, 1),
                                          credit_code="91310000MA1PG0001X", name="上海页面呼叫中心有限公司")
    ended = await certificate_in_register(pool, "CCS-PG-002", date(2025, 6, 1), date(2028, 5, 31),
                                          credit_code="91310000MA1PG0002X", name="北京页面客服有限公司",
                                          level="five_star")
    await record_next_due(pool, valid.number, date(2027, 3, 2), "surveillance")
    await set_status(pool, ended.number, "withdrawn")
    return valid.number, ended.number


def forms_on(html: str) -> set[str]:
    return set(ACTION_FORM.findall(html))


async def test_every_role_sees_exactly_the_actions_the_permission_matrix_gives_it(http, pool, staff, app):
    number, _ = await two_certificates(pool)
    settings = app.state.settings
    matrix = permission_matrix(settings.intake_roles, settings.staff_admin_roles, settings.staff_readers)
    for role in Role:
        _, token = await staff(role)
        await sign_in(http, token)
        shown = await http.get(f"/app/certificates/{number}")
        assert shown.status_code == 200, (role, shown.text)
        expected = {name for name, action in CERTIFICATE_ACTIONS.items() if role in matrix[action]}
        assert forms_on(shown.text) == expected, role
        # Each form shown posts to its own action with the CSRF token and an idempotency key of its own.
        for name in expected:
            assert f'action="/app/certificates/{number}/{name}#action-{name}"' in shown.text
        assert shown.text.count(f'name="_csrf" value="{csrf_token(token)}"') == len(expected) + 1  # + sign-out
        assert len(set(re.findall(r'name="_idem" value="([^"]+)"', shown.text))) == len(expected)
        ids = re.findall(r' id="([^"]+)"', shown.text)
        assert len(ids) == len(set(ids)), role  # several forms, each label naming its own field
    # The matrix is not trivial: some role sees none, some sees all of them.
    assert any(not {n for n, a in CERTIFICATE_ACTIONS.items() if r in matrix[a]} for r in Role)


async def test_the_certificate_page_shows_its_facts_sites_due_dates_documents_and_process(http, pool, staff):
    number, _ = await two_certificates(pool)
    _, token = await staff(Role.REVIEWER)
    await sign_in(http, token)
    shown = (await http.get(f"/app/certificates/{number.lower()}")).text
    assert "上海页面呼叫中心有限公司" in shown and "呼叫中心客户服务" in shown
    assert '<time datetime="2027-03-02">2027-03-02</time>' in shown and "R-9.2.1" in shown  # due next
    assert f'href="/api/v1/certificates/{number}/document"' in shown
    assert 'href="/processes/certification-' in shown
    # The notice after an action names one of the page's actions, never words from the address.
    assert 'role="status"' not in (await http.get(f"/app/certificates/{number}?done=请致电4008001234")).text
    assert "此证书的流程现已不在运行（Temporal 中已无此流程）" in shown  # the API says so: actions go nowhere
    english = (await http.get(f"/app/certificates/{number}?lang=en")).text
    assert "Due next" in english and "The live process diagram" in english
    assert "Record a notification" in english and "Withdraw" not in english  # a reviewer records, never withdraws
    missing = await http.get("/app/certificates/CCS-NONE-404")
    assert missing.status_code == 404 and "CCS-NONE-404" in missing.text


async def test_a_refused_action_shows_the_rule_id_beside_its_form_R_9_6_7(http, pool, staff):
    number, withdrawn = await two_certificates(pool)
    _, token = await staff(Role.DECISION_MAKER)
    await sign_in(http, token)
    form = {"_csrf": csrf_token(token), "_idem": "refused-once", "cause": "organization_request",
            "reason": "组织申请暂停"}
    refused = await http.post(f"/app/certificates/{withdrawn}/suspend", data=form)
    assert refused.status_code == 409  # the page again, with the API's answer
    suspend = refused.text.split('data-action="suspend"', 1)[1].split("</details>", 1)[0]
    assert '<span class="rule">R-9.6.7</span>' in suspend and 'role="alert"' in suspend
    assert "组织申请暂停" in suspend  # what was typed is kept
    # A body the action's schema refuses: each error beside its field (R-9.6.3 bounds the months).
    bad = await http.post(f"/app/certificates/{number}/suspend", data={
        "_csrf": csrf_token(token), "_idem": "refused-twice", "cause": "organization_request", "months": "0"})
    assert bad.status_code == 422 and 'role="alert"' in bad.text
    assert re.search(r'id="suspend-f-reason"[^>]*aria-invalid="true"', bad.text)
    months = r'id="suspend-f-months"[^>]*aria-describedby="suspend-f-months-hint suspend-f-months-error"'
    assert re.search(months, bad.text)
    assert 'id="suspend-f-months-error"' in bad.text and 'id="suspend-f-reason-error"' in bad.text


async def test_an_action_not_given_to_the_role_is_refused_by_the_api_and_said_so(http, pool, staff):
    number, _ = await two_certificates(pool)
    _, token = await staff(Role.REVIEWER)
    await sign_in(http, token)
    forged = await http.post(f"/app/certificates/{number}/withdraw", data={
        "_csrf": csrf_token(token), "_idem": "not-mine", "reason": "不该我做"})
    assert forged.status_code == 403 and "decision_maker" in forged.text and 'role="alert"' in forged.text
    assert 'data-action="withdraw"' not in forged.text
    stale = await http.post(f"/app/certificates/{number}/notification", data={"_csrf": "0" * 64})
    assert stale.status_code == 403 and "stale" in stale.text


async def test_the_search_filters_like_the_api_and_finds_what_is_due_this_month(http, pool, staff):
    number, withdrawn = await two_certificates(pool)
    _, token = await staff(Role.PROGRAMME_MANAGER)
    await sign_in(http, token)

    async def listed(**params) -> list[str]:
        answer = await http.get("/app/certificates", params=params)
        assert answer.status_code == 200, answer.text
        return re.findall(r'<td><a href="/app/certificates/([^"]+)">', answer.text)

    assert await listed() == [number, withdrawn]
    assert await listed(status="withdrawn") == [withdrawn]
    assert await listed(star_level="five_star") == [withdrawn]
    assert await listed(organization="上海页面") == [number]
    assert await listed(due_before="2027-04-01") == [number]
    assert await listed(due_before="2027-03-01") == []
    assert await listed(sort="-number") == [withdrawn, number]
    # What was asked stays chosen in the form, the order in words.
    asked = (await http.get("/app/certificates", params={"sort": "-number", "star_level": "five_star"})).text
    assert re.search(r'<option value="-number" selected>证书号（倒序）</option>', asked)
    assert re.search(r'<option value="five_star" selected>', asked)
    page = (await http.get("/app/certificates")).text
    month_end = first_of_next_month(today())
    assert f'href="/app/certificates?due_before={month_end.isoformat()}"' in page
    bad = await http.get("/app/certificates", params={"due_before": "next week"})
    assert bad.status_code == 422 and re.search(r'id="q-due_before"[^>]*aria-invalid="true"', bad.text)


async def test_the_search_pages_by_the_api_s_cursor(http, pool, staff):
    made = [(await certificate_in_register(pool, f"CCS-PGN-00{i}", date(2026, 1, 5), date(2029, 1, 4),
                                           credit_code=f"91310000MA1PGN00{i}X", name=f"分页页面{i}有限公司")).number
            for i in range(3)]
    _, token = await staff(Role.REVIEWER)
    await sign_in(http, token)
    seen: list[list[str]] = []
    url: str | None = "/app/certificates?organization=分页页面&limit=2"  # the page size by URL: the API's limit
    while url:
        answer = await http.get(url)
        seen.append(re.findall(r'<td><a href="/app/certificates/([^"]+)">', answer.text))
        found = re.search(r'<a href="([^"]+)" rel="next">', answer.text)
        url = found[1].replace("&amp;", "&") if found else None
    assert seen == [made[:2], made[2:]]


def test_due_this_month_is_before_the_first_of_the_next_month():
    assert first_of_next_month(date(2026, 12, 2)) == date(2027, 1, 1)
    assert first_of_next_month(date(2026, 2, 28)) == date(2026, 3, 1)


async def test_reducing_the_scope_offers_the_certificate_s_sites_to_tick_R_9_6_6(http, pool, staff):
    number, _sites = await issued_certificate(pool, "上海减范围呼叫中心有限公司", "91310000MA1PGR001X")
    _, token = await staff(Role.DECISION_MAKER)
    await sign_in(http, token)
    shown = (await http.get(f"/app/certificates/{number}")).text
    reduce = shown.split('data-action="reduce_scope"', 1)[1].split("</details>", 1)[0]
    assert re.findall(r'type="checkbox" name="remove_sites" value="([^"]+)"', reduce) == ["浦东", "徐汇"]
    assert read_action("reduce_scope", [("_csrf", "x"), ("reason", "场所关闭"), ("scope", "呼叫中心客户服务"),
                                        ("remove_sites", "徐汇")], "zh") == {
        "reason": "场所关闭", "scope": "呼叫中心客户服务", "remove_sites": ["徐汇"]}
    # Another certificate without sites has nothing to tick: no box, and no empty list to fill by hand.
    bare, _ = await two_certificates(pool)
    bare_page = (await http.get(f"/app/certificates/{bare}")).text
    assert 'name="remove_sites"' not in bare_page and 'data-action="reduce_scope"' in bare_page


async def test_an_action_taken_goes_to_the_process_once_and_the_page_says_so(http, pool, staff, temporal_env,
                                                                              api_settings):
    number, _ = await issued_certificate(pool, "上海办理呼叫中心有限公司", "91310000MA1PGA001X")
    certificate = await get_certificate(pool, number)
    assert certificate is not None
    _, token = await staff(Role.DECISION_MAKER)
    await sign_in(http, token)
    sent = {"_csrf": csrf_token(token), "_idem": "reduce-once", "reason": "徐汇场所关闭", "scope": "呼叫中心客户服务",
            "remove_sites": "徐汇"}
    async with Worker(temporal_env.client, task_queue=api_settings.task_queue, workflows=[ActingCertification],
                      workflow_runner=UnsandboxedWorkflowRunner()):
        handle = await temporal_env.client.start_workflow(
            CERTIFICATION_WORKFLOW, number, id=certificate.workflow_id, task_queue=api_settings.task_queue)
        try:
            done = await http.post(f"/app/certificates/{number}/reduce_scope", data=sent)
            assert done.status_code == 303
            assert done.headers["location"] == f"/app/certificates/{number}?done=reduce_scope#actions"
            again = await http.post(f"/app/certificates/{number}/reduce_scope", data=sent)  # a double click
            assert again.status_code == 303
            assert await handle.query("received", result_type=list[dict]) == [{
                "action": "reduce_scope", "reason": "徐汇场所关闭", "scope": "呼叫中心客户服务",
                "remove_sites": ["徐汇"]}]
            shown = await http.get(done.headers["location"])
            assert re.search(r'<p class="notice" role="status">已提交：缩小认证范围</p>', shown.text)
            assert "不在运行" not in shown.text  # its process runs: no word that actions go nowhere
        finally:
            await handle.terminate("test finished")
