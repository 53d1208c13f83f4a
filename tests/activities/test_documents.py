"""The certificate document (R-10.2): what it says (read back with poppler's pdftotext), that its CJK
font is embedded and every character has a glyph, that it renders (pdftoppm), that the same register
data gives the same bytes, and that the activity stores it once under its key for the API to serve."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from PIL import Image

from activities.documents import (
    CertificateDocument,
    DocumentActivities,
    DocumentError,
    DocumentRequest,
    DocumentSettings,
    DocumentSite,
    render_certificate,
)
from api.app import create_app
from certflow.settings import Settings
from schemas.organizations import Site
from store.certificates import add_certificate_site, record_reissue
from store.documents import documents_of
from store.organizations import upsert_site

from ..conftest import certificate_in_register

SETTINGS = DocumentSettings(body_name="示例认证有限公司", public_url="https://register.example.cn",
                            accreditation_number="CNAS C000-S")


def document(**changes) -> CertificateDocument:
    data = dict(
        number="CFB-CCS-2026-00007", revision=0, organization="上海示例呼叫中心有限公司",
        credit_code="91310000MA1FL0000X", registered_address="上海市浦东新区世纪大道100号", postcode="200120",
        scope="呼叫中心客户服务（售前咨询、售后服务）",
        star_level="four_star", issued_on=date(2026, 3, 2), reissued_on=None, valid_from=date(2026, 3, 2),
        valid_to=date(2029, 3, 1),
        sites=[DocumentSite(sub_number="CFB-CCS-2026-00007-1", name="浦东中心", address="上海市浦东新区1号",
                            postcode="200120"),
               DocumentSite(sub_number="CFB-CCS-2026-00007-2", name="徐汇中心", address="上海市徐汇区2号",
                            postcode="200030")])
    data.update(changes)
    return CertificateDocument(**data)


def pdf_text(pdf: bytes, tmp_path: Path) -> list[str]:
    """The text of each page, as poppler reads it back."""
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return out.split("\f")


def test_the_certificate_says_what_r_10_2_1_asks_in_chinese_with_an_annex_and_sub_certificates(tmp_path):
    rendered = render_certificate(document(revision=1, reissued_on=date(2026, 9, 1)), SETTINGS)
    assert rendered.pages == 4  # certificate, annex, a sub-certificate per site
    pages = pdf_text(rendered.pdf, tmp_path)
    first = " ".join(pages[0].split())
    for expected in ("服务认证证书", "证书编号：CFB-CCS-2026-00007/R1", "上海示例呼叫中心有限公司",
                     "91310000MA1FL0000X", "注册地址：上海市浦东新区世纪大道100号", "邮政编码：200120",
                     "认证地址：见附件《认证场所清单》", "YD/T 2823-2015", "呼叫中心客户服务（售前咨询、售后服务）",
                     "服务等级：四星级", "颁证日期：2026-03-02",
                     "换证日期：2026-09-01", "有效期：2026-03-02 至 2029-03-01", "认证机构：示例认证有限公司",
                     "认可标志及认可编号：CNAS C000-S", "公章"):
        assert expected in first, expected
    annex = " ".join(pages[1].split())
    assert "附件：认证场所清单" in annex and "CFB-CCS-2026-00007-2 徐汇中心 上海市徐汇区2号 200030" in annex
    third = " ".join(pages[2].split())
    assert "服务认证分证书" in third and "证书编号：CFB-CCS-2026-00007-1" in third and "浦东中心" in third


def test_before_accreditation_the_mark_is_left_out_R_10_2_1(tmp_path):
    rendered = render_certificate(document(), DocumentSettings(body_name="示例认证有限公司"))
    first = " ".join(pdf_text(rendered.pdf, tmp_path)[0].split())
    assert "认可编号" not in first and "获得认可前颁发" in first
    assert "认证地址" in first


def test_the_cjk_font_is_embedded_and_the_pages_render(tmp_path):
    rendered = render_certificate(document(), SETTINGS)
    path = tmp_path / "certificate.pdf"
    path.write_bytes(rendered.pdf)
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    cjk = [line for line in fonts.splitlines() if "WenQuanYi" in line]
    assert cjk and cjk[0].split()[-5] == "yes"  # emb: the glyphs travel with the file
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == rendered.pages
    with Image.open(images[0]) as first:
        grey = first.convert("L")
        width, height = grey.size
        title = grey.crop((width // 4, int(height * 0.10), 3 * width // 4, int(height * 0.16)))
        dark = sum(title.histogram()[:128])
        assert dark > 200, dark  # the title's strokes are drawn, not an empty line


def test_a_character_the_font_lacks_is_refused_not_printed_as_a_box():
    with pytest.raises(DocumentError, match="no glyph"):
        render_certificate(document(organization="示例呼叫中心😀有限公司"), SETTINGS)


def test_without_a_font_the_document_says_which_setting_to_give(tmp_path):
    with pytest.raises(DocumentError, match="CERTFLOW_DOCUMENT_FONT"):
        render_certificate(document(), DocumentSettings(font_path=tmp_path / "none.ttf"))


def test_the_same_register_data_gives_the_same_bytes():
    assert render_certificate(document(), SETTINGS).pdf == render_certificate(document(), SETTINGS).pdf
    assert render_certificate(document(), SETTINGS).pdf != render_certificate(document(revision=1), SETTINGS).pdf


def test_a_reissue_shows_the_bodys_revision_marker_R_10_3_4(tmp_path):
    """R-10.3.4 Decision (NumberingPolicy.revision_marker): the reissued document's number carries the
    marker the body configured (rules.numbering.with_revision), never one of the document's own."""
    from rules.numbering import NumberingPolicy

    settings = DocumentSettings(body_name="示例认证有限公司", numbering=NumberingPolicy(revision_marker="/REV"))
    reissued = render_certificate(document(revision=2, reissued_on=date(2026, 9, 1)), settings)
    first = " ".join(pdf_text(reissued.pdf, tmp_path)[0].split())
    assert "证书编号：CFB-CCS-2026-00007/REV2" in first
    assert "CFB-CCS-2026-00007/REV2" not in " ".join(pdf_text(render_certificate(document(), settings).pdf,
                                                                tmp_path)[0].split())


@pytest_asyncio.fixture
async def http(pool) -> AsyncIterator[httpx.AsyncClient]:
    """The API on the test's register; the document and the public page need no Temporal."""
    app = create_app(Settings(_env_file=None, database_url="postgresql://unused"), pool=pool)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client


async def test_the_activity_stores_each_issue_once_and_the_api_serves_the_latest(pool, http, tmp_path):
    cert = await certificate_in_register(pool, "CCS-DOC-001", date(2026, 3, 2), date(2029, 3, 1),
                                         credit_code="91310000MA1FL0009X")
    for index, name in enumerate(("浦东中心", "徐汇中心"), start=1):
        site = await upsert_site(pool, Site(id=uuid.uuid4(), organization_id=cert.organization_id, name=name,
                                            address=f"上海市{name}", headcount=50))
        await add_certificate_site(pool, cert.number, site.id, index)
    activities = DocumentActivities(pool, SETTINGS)
    assert (await http.get(f"/api/v1/certificates/{cert.number}/document")).status_code == 404  # not yet
    first = await activities.issue_certificate_document(DocumentRequest(key="wf/doc/1", number=cert.number,
                                                                        reason="grant"))
    again = await activities.issue_certificate_document(DocumentRequest(key="wf/doc/1", number=cert.number,
                                                                        reason="grant"))
    assert again == first and first.pages == 4 and len(await documents_of(pool, cert.number)) == 1
    await record_reissue(pool, cert.number, revision=1, reissued_on=date(2026, 9, 1),
                         scope="呼叫中心客户服务及在线客服")
    reissued = await activities.issue_certificate_document(DocumentRequest(key="wf/doc/2", number=cert.number,
                                                                           reason="reissue"))
    assert reissued.sha256 != first.sha256
    assert [(d.reason, d.revision) for d in await documents_of(pool, cert.number)] == [("grant", 0), ("reissue", 1)]

    response = await http.get(f"/api/v1/certificates/{cert.number.lower()}/document")  # no token: public
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["etag"] == f'"{reissued.sha256}"' and response.headers["x-certificate-revision"] == "1"
    text = " ".join(" ".join(pdf_text(response.content, tmp_path)).split())
    assert "CCS-DOC-001/R1" in text and "呼叫中心客户服务及在线客服" in text and "CCS-DOC-001-2" in text
    public = (await http.get(f"/public/certificates/{cert.number}")).json()
    assert public["document_url"] == f"/api/v1/certificates/{cert.number}/document"
    assert (await http.get("/api/v1/certificates/CCS-NONE-1/document")).status_code == 404


async def test_the_document_names_the_holder_as_certified_and_a_reissue_as_reissued_R_10_3_4(pool):
    """Issue 12 finding 2: the document is made from the certificate's version, so the organization's
    record rewritten (as an application once did) does not reach it; a reissue's new name does."""
    from activities.documents import certificate_document_data
    from store.organizations import get_organization, upsert_organization

    cert = await certificate_in_register(pool, "CCS-DOC-002", date(2026, 3, 2), date(2029, 3, 1),
                                         credit_code="91310000MA1FL0019X", name="上海原名呼叫中心有限公司")
    org = await get_organization(pool, cert.organization_id)
    await upsert_organization(pool, org.model_copy(update={"name": "冒名公司", "registered_address": "别处"}))
    assert (await certificate_document_data(pool, cert.number)).organization == "上海原名呼叫中心有限公司"
    await record_reissue(pool, cert.number, revision=1, reissued_on=date(2026, 9, 1),
                         organization_name="上海新名呼叫中心有限公司", registered_address="世纪大道2号")
    data = await certificate_document_data(pool, cert.number)
    assert (data.organization, data.registered_address, data.revision) == ("上海新名呼叫中心有限公司", "世纪大道2号", 1)
