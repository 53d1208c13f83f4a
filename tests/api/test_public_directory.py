"""The public directory (R-9.1.9.n3) and the body's public information (R-8): anyone, without a token,
finds certified organizations by name, credit code or number, as their certificates said on the day."""

from __future__ import annotations

import json
from datetime import date

from store.certificates import record_reissue, set_status

from .test_public import issued_certificate


async def test_the_directory_finds_by_name_credit_code_or_number_R_9_1_9_n3(http, pool):
    first, _ = await issued_certificate(pool, "北京甲呼叫中心有限公司", "91110000MA01AAAA1X")
    second, _ = await issued_certificate(pool, "上海乙客服中心有限公司", "91310000MA01BBBB2X")
    await set_status(pool, second, "suspended", suspended_until=date(2026, 9, 1), on=date(2026, 4, 1))

    everyone = (await http.get("/public/certificates", params={"on": "2026-05-01"})).json()
    assert everyone["total"] == 2
    assert [(i["organization"], i["status"]) for i in everyone["items"]] == [
        ("上海乙客服中心有限公司", "suspended"), ("北京甲呼叫中心有限公司", "valid")]  # by name
    by_name = (await http.get("/public/certificates", params={"q": "甲呼叫", "on": "2026-05-01"})).json()
    assert [i["number"] for i in by_name["items"]] == [first]
    by_code = (await http.get("/public/certificates", params={"q": "91310000ma01bbbb2x", "on": "2026-05-01"})).json()
    assert [i["number"] for i in by_code["items"]] == [second]
    by_number = (await http.get("/public/certificates", params={"q": second[:-1].lower()})).json()
    assert {i["number"] for i in by_number["items"]} >= {second}
    suspended = (await http.get("/public/certificates", params={"status": "suspended", "on": "2026-05-01"})).json()
    assert [i["number"] for i in suspended["items"]] == [second]


async def test_the_directory_reads_each_certificate_as_on_the_day_R_10_3_4(http, pool):
    number, _ = await issued_certificate(pool, "旧名呼叫中心有限公司", "91110000MA01CCCC3X")
    await record_reissue(pool, number, revision=1, reissued_on=date(2026, 6, 1),
                         organization_name="新名呼叫中心有限公司")
    now = await http.get("/public/certificates", params={"q": "新名", "on": "2026-07-01"})
    assert [i["organization"] for i in now.json()["items"]] == ["新名呼叫中心有限公司"]
    assert (await http.get("/public/certificates", params={"q": "旧名", "on": "2026-07-01"})).json()["total"] == 0
    before = (await http.get("/public/certificates", params={"q": "旧名", "on": "2026-05-01"})).json()
    assert [i["number"] for i in before["items"]] == [number]
    # A day gone by is a record: a cache may keep its answer longer than today's.
    assert now.headers["cache-control"] == "public, max-age=86400"


async def test_a_search_is_text_not_a_pattern_and_pages_are_bounded(http, pool):
    await issued_certificate(pool, "丙呼叫中心有限公司", "91110000MA01DDDD4X")
    assert (await http.get("/public/certificates", params={"q": "%"})).json()["total"] == 0
    assert (await http.get("/public/certificates", params={"q": "_"})).json()["total"] == 0
    page = (await http.get("/public/certificates", params={"limit": 1, "offset": 5})).json()
    assert page["total"] == 1 and page["items"] == []
    too_many = await http.get("/public/certificates", params={"limit": 1000})
    assert too_many.status_code == 422 and too_many.headers["content-type"] == "application/problem+json"


async def test_the_public_information_of_the_scheme_R_8(http, app, tmp_path):
    info = (await http.get("/public/scheme")).json()
    assert info["basis"] == "YD/T 2823-2015" and info["validity_years"] == 3
    assert info["surveillance_at_most_months_apart"] == 12 and info["procedure"] and info["fees"]
    body = tmp_path / "public.json"
    body.write_text(json.dumps({"services": ["呼叫中心服务认证"], "procedure": ["申请"], "fees": "每人日 3000 元"}),
                    encoding="utf-8")
    app.state.settings = app.state.settings.model_copy(update={"public_information_file": body})
    response = await http.get("/public/scheme")
    assert response.json()["fees"] == "每人日 3000 元" and response.headers["cache-control"] == "public, max-age=3600"
    app.state.settings = app.state.settings.model_copy(update={"public_information_file": tmp_path / "gone.json"})
    missing = await http.get("/public/scheme")
    assert missing.status_code == 503 and "CERTFLOW_PUBLIC_INFORMATION_FILE" in missing.json()["detail"]
