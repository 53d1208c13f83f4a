"""The public pages (issue 15): the verification page a certificate's QR code leads to and the directory
of certified organizations (R-9.1.9.n3), at the public register's own addresses. A browser (it asks
for HTML) gets the page; an API client gets the JSON it always had (R-9.6.8: the true status, either way)."""

from __future__ import annotations

import html
import re
from datetime import date

from api.pages.public_pages import prefers_html
from certflow.verification import verification_path, verification_url
from store.certificates import record_reissue, remove_certificate_site, set_status
from tests.api.test_public import issued_certificate
from tests.conftest import certificate_in_register

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
AS_BROWSER = {"Accept": BROWSER}


def status_word(page: str) -> str:
    """The large status word of a verification page, and the other language beneath it."""
    word = re.search(r'<span id="status-word" class="status-word">(.*?)</span>', page)
    note = re.search(r'<p class="status-note">(.*?)</p>', page)
    other = re.search(r'<p class="status-other"[^>]*>(.*?)</p>', page)
    assert word and other, page
    return " / ".join(html.unescape(m.group(1)) for m in (word, note, other) if m)


def status_detail(page: str) -> str:
    found = re.search(r'<p class="status-detail">(.*?)</p>', page, re.S)
    assert found, page
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def test_a_browser_is_told_from_an_api_client_by_what_it_accepts():
    class Asking:
        def __init__(self, accept: str | None) -> None:
            self.headers = {"accept": accept} if accept is not None else {}

    for accept, wants_page in ((BROWSER, True), ("text/html", True), ("*/*", False), (None, False),
                               ("application/json", False), ("application/json, text/html;q=0.5", False),
                               ("text/html;q=0, */*", False), ("text/*, application/json;q=0.9", True),
                               ("text/html;q=0.5, application/*;q=0.9", False), ("text/html;q=x", False)):
        assert prefers_html(Asking(accept)) is wants_page, accept  # type: ignore[arg-type]


async def test_the_qr_address_answers_json_to_api_clients_as_before_and_a_page_to_browsers(http, pool, app):
    number, _ = await issued_certificate(pool)
    path = verification_path(number)
    assert verification_url(app.state.settings.public_url or "http://test", number).endswith(path)
    plain = await http.get(path)  # httpx asks for */*: an API client keeps its JSON
    asked_json = await http.get(path, headers={"Accept": "application/json"})
    assert plain.headers["content-type"] == asked_json.headers["content-type"] == "application/json"
    assert plain.json() == asked_json.json() and plain.json()["number"] == number
    assert plain.headers["vary"] == "Accept" and plain.headers["cache-control"] == "public, max-age=300"

    page = await http.get(path, headers=AS_BROWSER)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Accept" in page.headers["vary"] and page.headers["cache-control"].startswith("private")
    assert status_word(page.text) == "有效 / Valid"
    text = html.unescape(page.text)
    for shown in ("上海示例呼叫中心有限公司", number, "四星级", "呼叫中心客户服务", "2026-03-02", "2029-03-01",
                  "YD/T 2823-2015", f"{number}-1", f"{number}-2", "浦东", "上海市徐汇区2号",
                  f'href="/api/v1/certificates/{number}/document"'):
        assert shown in text, shown
    assert "<script" not in page.text  # nothing on the page needs JavaScript
    # A problem stays JSON for an API client, with the same Vary.
    missing = await http.get(verification_path("CCS2099999"))
    assert missing.headers["content-type"] == "application/problem+json" and missing.headers["vary"] == "Accept"


async def certificates_in_every_status(pool) -> dict[str, str]:
    """A certificate in each public status (R-9.6.8), by status: the suspended one until 2027-03-01, the
    scope-reduced one with its second site taken out on 2026-11-01, the expired one ended 2023-01-05."""
    valid, _ = await issued_certificate(pool, "甲公司", "91110000MA01AAAA1X")
    suspended, _ = await issued_certificate(pool, "乙公司", "91110000MA01BBBB2X")
    await set_status(pool, suspended, "suspended", suspended_until=date(2027, 3, 1))
    withdrawn, _ = await issued_certificate(pool, "丙公司", "91110000MA01CCCC3X")
    await set_status(pool, withdrawn, "withdrawn")
    reduced, sites = await issued_certificate(pool, "丁公司", "91110000MA01DDDD4X")
    await remove_certificate_site(pool, reduced, sites[1].id, date(2026, 11, 1))
    await set_status(pool, reduced, "scope_reduced")
    expired = await certificate_in_register(pool, "CCS2020000001", date(2020, 1, 6), date(2023, 1, 5),
                                            credit_code="91110000MA01EEEE5X")
    return {"valid": valid, "suspended": suspended, "withdrawn": withdrawn, "scope_reduced": reduced,
            "expired": expired.number}


async def test_every_status_in_large_plain_words_R_9_6_8(http, pool):
    valid, suspended, withdrawn, reduced, expired = (await certificates_in_every_status(pool)).values()

    async def shown(number: str, lang: str = "zh") -> tuple[str, str]:
        page = (await http.get(f"{verification_path(number)}?lang={lang}", headers=AS_BROWSER)).text
        return status_word(page), status_detail(page)

    assert await shown(valid) == ("有效 / Valid", f"本证书在 {(await http.get(verification_path(valid))).json()['on']} "
                                                  "有效，有效期至 2029-03-01。")
    word, detail = await shown(suspended)
    assert word == "暂停 / Suspended" and "暂停至 2027-03-01" in detail and "证书无效" in detail
    assert "R-9.6.4" in detail and "R-9.6.3" in detail
    word, detail = await shown(suspended, "en")
    assert word == "Suspended / 暂停" and "Suspended until 2027-03-01. Not valid while suspended" in detail
    word, detail = await shown(withdrawn)
    assert word == "撤销 / Withdrawn" and "不再有效" in detail
    word, detail = await shown(reduced)
    assert word == "有效 / 认证范围已缩小 / Valid — scope reduced" and "R-9.6.6" in detail
    reduced_page = (await http.get(verification_path(reduced), headers=AS_BROWSER)).text
    assert "已于 2026-11-01 移出" in reduced_page
    word, detail = await shown(expired)
    assert word == "注销 / 已过期 / Expired" and "R-10.1" in detail


async def test_a_past_day_shows_what_the_register_said_then(http, pool):
    number, _ = await issued_certificate(pool)
    await record_reissue(pool, number, revision=1, reissued_on=date(2026, 6, 1),
                         organization_name="上海新名呼叫中心有限公司")
    await set_status(pool, number, "suspended", suspended_until=date(2027, 3, 1), on=date(2026, 9, 1))
    may = await http.get(f"{verification_path(number)}?on=2026-05-01", headers=AS_BROWSER)
    assert status_word(may.text) == "有效 / Valid" and "上海示例呼叫中心有限公司" in may.text
    assert "2026-05-01 当天的记录" in may.text and f'href="{verification_path(number)}"' in may.text
    assert may.headers["cache-control"] == "private, max-age=86400"  # a day gone by is a record
    october = await http.get(f"{verification_path(number)}?on=2026-10-01", headers=AS_BROWSER)
    assert status_word(october.text) == "暂停 / Suspended" and "上海新名呼叫中心有限公司" in october.text
    assert "暂停至 2027-03-01" in status_detail(october.text)
    today = await http.get(verification_path(number), headers=AS_BROWSER)
    assert status_word(today.text) == "暂停 / Suspended" and "当天的记录" not in today.text
    before = await http.get(f"{verification_path(number)}?on=2026-03-01", headers=AS_BROWSER)
    assert before.status_code == 404 and "在 2026-03-01 尚未颁发" in before.text


async def test_an_unknown_number_is_a_page_with_a_search_box_not_json(http):
    page = await http.get(verification_path("ccs2099999"), headers=AS_BROWSER)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "查无此证书" in page.text and "没有编号为 CCS2099999 的证书" in page.text
    assert 'action="/public/verify"' in page.text and 'value="CCS2099999"' in page.text
    english = await http.get(verification_path("CCS2099999") + "?lang=en", headers=AS_BROWSER)
    assert "No such certificate" in english.text and "holds no certificate" in english.text


async def test_a_sub_certificate_shows_its_certificate_with_that_site_marked_R_10_3_3(http, pool):
    number, _ = await issued_certificate(pool)
    page = await http.get(verification_path(f"{number}-2"), headers=AS_BROWSER)
    assert page.status_code == 200 and status_word(page.text) == "有效 / Valid"
    assert f"您查询的分证书 {number}-2 属于下面这张证书" in page.text
    marked = re.findall(r'<tr class="asked[^"]*" aria-current="true" id="asked">\s*<th scope="row" class="number">'
                        r'([^<\s]+)', page.text)
    assert marked == [f"{number}-2"]
    no_such_site = await http.get(verification_path(f"{number}-3"), headers=AS_BROWSER)
    assert no_such_site.status_code == 404 and "查无此证书" in no_such_site.text


async def test_a_reissued_documents_printed_reference_reaches_its_certificate_R_10_3_4(http, pool):
    """QR codes printed before the code named the bare number carried "number/R1": they still answer."""
    number, _ = await issued_certificate(pool)
    await record_reissue(pool, number, revision=1, reissued_on=date(2026, 6, 1))
    printed = await http.get(f"/public/certificates/{number}/R1")
    assert printed.status_code == 200 and printed.json() == (await http.get(verification_path(number))).json()
    page = await http.get(f"/public/certificates/{number}/R1", headers=AS_BROWSER)
    assert status_word(page.text) == "有效 / Valid" and "（第 1 次换证）" in page.text
    assert (await http.get(f"/public/certificates/{number}/anything")).status_code == 404


async def test_the_landing_page_takes_a_number_to_its_page(http, pool):
    number, _ = await issued_certificate(pool)
    landing = await http.get("/public")
    assert landing.status_code == 200 and 'action="/public/verify"' in landing.text
    assert 'href="/public/certificates"' in landing.text and "YD/T 2823-2015" in landing.text
    typed = await http.get("/public/verify", params={"number": f"  {number.lower()}/R2 "})
    assert typed.status_code == 303 and typed.headers["location"] == verification_path(number)
    assert (await http.get("/public/verify", params={"number": " "})).headers["location"] == "/public"


async def test_the_directory_page_searches_filters_and_pages_R_9_1_9_n3(http, pool):
    first, _ = await issued_certificate(pool, "北京甲呼叫中心有限公司", "91110000MA01AAAA1X")
    second, _ = await issued_certificate(pool, "上海乙客服中心有限公司", "91310000MA01BBBB2X")
    third, _ = await issued_certificate(pool, "广州丙客服中心有限公司", "91440000MA01CCCC3X")
    await set_status(pool, second, "suspended", suspended_until=date(2027, 3, 1))
    as_json = await http.get("/public/certificates", params={"limit": 2})
    assert as_json.headers["content-type"] == "application/json" and as_json.json()["total"] == 3
    assert as_json.headers["vary"] == "Accept"

    page = await http.get("/public/certificates", params={"limit": 2}, headers=AS_BROWSER)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    rows = re.findall(r'<a href="/public/certificates/([^"?]+)">', page.text)
    assert rows == [n for _, n in sorted([("上海乙客服中心有限公司", second), ("北京甲呼叫中心有限公司", first),
                                          ("广州丙客服中心有限公司", third)])][:2]
    assert "共 3 张证书，第 1–2 张" in page.text
    following = re.search(r'<a href="([^"]+)" rel="next">', page.text)
    assert following and html.unescape(following.group(1)) == "/public/certificates?limit=2&offset=2"
    rest = await http.get(html.unescape(following.group(1)), headers=AS_BROWSER)
    assert re.findall(r'<a href="/public/certificates/([^"?]+)">', rest.text) == [third]
    assert 'rel="prev"' in rest.text and 'rel="next"' not in rest.text

    found = await http.get("/public/certificates", params={"q": "甲呼叫"}, headers=AS_BROWSER)
    assert re.findall(r'<a href="/public/certificates/([^"?]+)">', found.text) == [first]
    suspended = await http.get("/public/certificates", params={"status": "suspended"}, headers=AS_BROWSER)
    assert re.findall(r'<a href="/public/certificates/([^"?]+)">', suspended.text) == [second]
    assert 'aria-current="page">暂停</a>' in suspended.text and "status-chip status-suspended" in suspended.text
    nothing = await http.get("/public/certificates", params={"q": "无此组织"}, headers=AS_BROWSER)
    assert "没有找到符合条件的证书" in nothing.text


def contrast(one: str, other: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_each_status_s_colours_pass_wcag_aa():
    """The status words are the page's ink on the status's tint (text: 4.5:1); the shape and the border
    are drawn in the status's colour (graphics: 3:1), as api/static/pages.css says."""
    from api.pages.render import STATIC

    css = (STATIC / "pages.css").read_text(encoding="utf-8")
    variables = dict(re.findall(r"--([a-z]+):\s*(#[0-9a-f]{6})", css))
    for status in ("valid", "suspended", "withdrawn", "scope_reduced", "expired"):
        rule = re.search(rf"\.status-{status} \{{ color: ([^;]+); background: (#[0-9a-f]{{6}}); \}}", css)
        assert rule, status
        colour = rule.group(1)
        colour = variables[colour[6:-1]] if colour.startswith("var(") else colour
        assert contrast(variables["ink"], rule.group(2)) >= 4.5, status
        assert contrast(colour, rule.group(2)) >= 4.5 and contrast(colour, "#ffffff") >= 4.5, status  # icon marks


async def test_a_malformed_question_from_a_browser_gets_a_page_and_an_api_client_json(http):
    browser = await http.get("/public/certificates/CCS-X?on=yesterday", headers={"Accept": "text/html"})
    assert browser.status_code == 422 and browser.headers["content-type"].startswith("text/html")
    assert 'class="refusal"' in browser.text and 'href="/public"' in browser.text
    client = await http.get("/public/certificates/CCS-X?on=yesterday")
    assert client.status_code == 422 and client.headers["content-type"] == "application/problem+json"
