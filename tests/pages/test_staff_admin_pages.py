"""The staff directory and a person's page: what each reader sees and may do is the permission
matrix's (issue 13's Decisions), the new token of a rotation is shown once, conflicts of interest are
declared and ended from the page (R-9.1.4)."""

from __future__ import annotations

import re

from api.pages.session import SESSION_COOKIE, csrf_token
from schemas.staff import Role
from tests.pages.page_forms import post_form


def sign_in(http, token: str) -> None:
    http.cookies.set(SESSION_COOKIE, token)


async def test_who_reads_the_directory_and_who_administers_tokens(http, staff):
    person, _ = await staff(Role.AUDITOR, name="周审查", qualified=True)
    _, manager = await staff(Role.MANAGER)
    _, programme_manager = await staff(Role.PROGRAMME_MANAGER)
    _, reviewer = await staff(Role.REVIEWER)

    sign_in(http, reviewer)  # not a staff reader (Decision: programme managers, managers, operators)
    refused = await http.get("/app/staff")
    assert refused.status_code == 403 and "staff.list" in refused.text

    sign_in(http, programme_manager)  # reads the directory, administers no token
    listed = await http.get("/app/staff")
    assert listed.status_code == 200 and "周审查" in listed.text
    page = await http.get(f"/app/staff/{person.staff_id}")
    assert page.status_code == 200 and "data-action=" not in page.text and "登记一项利益冲突" not in page.text

    sign_in(http, manager)
    page = await http.get(f"/app/staff/{person.staff_id}")
    assert set(re.findall(r'data-action="(\w+)"', page.text)) == {"revoke", "rotate", "deactivate"}
    assert "登记一项利益冲突" in page.text


async def test_a_rotation_shows_the_new_token_once_and_the_old_one_stops(http, staff):
    person, old = await staff(Role.AUDITOR)
    _, manager = await staff(Role.MANAGER)
    sign_in(http, manager)
    rotated = await post_form(http, f"/app/staff/{person.staff_id}/rotate",
                              [("_csrf", csrf_token(manager)), ("_idem", "rotate-1")])
    assert rotated.status_code == 200
    new = re.search(r'<code class="token">([^<]+)</code>', rotated.text).group(1)
    assert new != old
    assert 'class="token"' not in (await http.get(f"/app/staff/{person.staff_id}")).text  # shown once
    assert (await http.get("/api/v1/catalogue", headers={"Authorization": f"Bearer {old}"})).status_code == 401
    assert (await http.get("/api/v1/catalogue", headers={"Authorization": f"Bearer {new}"})).status_code == 200


async def test_a_conflict_of_interest_is_declared_refused_beside_its_field_and_ended(http, staff):
    person, _ = await staff(Role.AUDITOR)
    _, manager = await staff(Role.MANAGER)
    sign_in(http, manager)
    url = f"/app/staff/{person.staff_id}/conflicts/new"
    bad = await post_form(http, url, [("_csrf", csrf_token(manager)), ("_idem", "c-1"), ("credit_code", "123"),
                                      ("reason", "前雇主")])
    assert bad.status_code == 422
    assert re.search(r'id="f-credit_code"[^>]*aria-invalid="true"', bad.text), bad.text[-3000:]
    good = await post_form(http, url, [("_csrf", csrf_token(manager)), ("_idem", "c-2"),
                                       ("credit_code", "91110000MA00000001"), ("organization_name", "示例呼叫中心"),
                                       ("reason", "前雇主"), ("declared_on", "2026-01-05")])
    assert good.status_code == 303, good.text[-2000:]
    page = (await http.get(good.headers["location"])).text
    assert "示例呼叫中心" in page and "结束此冲突" in page
    conflict_id = re.search(r'/conflicts/([0-9a-f-]{36})/end', page).group(1)
    ended = await post_form(http, f"/app/staff/{person.staff_id}/conflicts/{conflict_id}/end",
                            [("_csrf", csrf_token(manager)), ("_idem", "c-3"), ("ended_on", "2026-02-01")])
    assert ended.status_code == 303, ended.text[-2000:]
    assert "结束此冲突" not in (await http.get(f"/app/staff/{person.staff_id}")).text
