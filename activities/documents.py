"""The certificate document (R-10.2): a PDF in Chinese, made from the register and kept there.

One file holds the certificate, the annex listing its sites (R-10.2.2) and a sub-certificate per site
(R-10.3.3); each page carries a QR code to the public register, where the certificate's true status
is (R-9.6.8): the paper cannot say whether it was suspended since.

ReportLab draws it with a TrueType CJK font embedded (subset) in the file, so any reader shows the
same glyphs; a text with a character the font lacks is refused rather than printed as an empty box.
The drawing is reproducible (``invariant``): the same register data gives the same bytes, hence the
same content hash, so a retried activity stores nothing twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import asyncpg
from pydantic import BaseModel
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.qr_mark import draw_qr
from certflow.verification import LEVEL_WORDS, verification_url
from rules.numbering import NumberingPolicy, with_revision
from store import certificate_versions, certificates, documents

# Debian's fonts-wqy-microhei (installed by scripts/system-packages.sh): TrueType outlines, which
# ReportLab can embed; an OpenType/CFF font such as Noto CJK it cannot.
DEFAULT_FONTS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
)
BASIS = "YD/T 2823-2015"


class DocumentError(Exception):
    """The document cannot be made as asked (no font, a character the font lacks)."""


@dataclass(frozen=True)
class DocumentSettings:
    """The body's particulars printed on every certificate, and the font to print them in."""

    body_name: str = "认证机构"
    public_url: str = "http://127.0.0.1:8000"
    accreditation_number: str | None = None  # may be left out before accreditation
    font_path: Path | None = None
    numbering: NumberingPolicy = field(default_factory=NumberingPolicy)  # R-10.3.4's revision marker

    def font(self) -> Path:
        candidates = (self.font_path,) if self.font_path else DEFAULT_FONTS
        for path in candidates:
            if path is not None and path.is_file():
                return path
        wanted = self.font_path or " or ".join(str(p) for p in DEFAULT_FONTS)
        raise DocumentError(f"no CJK TrueType font at {wanted}: install fonts-wqy-microhei "
                            "(scripts/system-packages.sh) or set CERTFLOW_DOCUMENT_FONT")


class DocumentSite(BaseModel):
    sub_number: str
    name: str
    address: str
    postcode: str


class CertificateDocument(BaseModel):
    """What R-10.2.1 puts on the certificate, as the register holds it."""

    number: str
    revision: int
    organization: str
    credit_code: str
    registered_address: str
    postcode: str
    scope: str
    star_level: str
    issued_on: date
    reissued_on: date | None
    valid_from: date
    valid_to: date
    sites: list[DocumentSite]

    def shown_number(self, numbering: NumberingPolicy) -> str:
        """R-10.3.4: a reissue keeps the number; the body's revision marker is shown beside it."""
        return with_revision(self.number, self.revision, numbering) if self.revision else self.number


_FONT_NAME = "certflow-cjk"
_registered: dict[Path, str] = {}


_registering = threading.Lock()  # renders run in threads (the activity below); the font is loaded once


def _font(path: Path) -> tuple[str, TTFont]:
    with _registering:
        name = _registered.get(path)
        if name is None:
            name = f"{_FONT_NAME}-{len(_registered)}"
            pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))
            _registered[path] = name
    font = pdfmetrics.getFont(name)
    assert isinstance(font, TTFont)  # registered above as a TrueType font
    return name, font


def missing_glyphs(text: str, font: TTFont) -> list[str]:
    """The characters of ``text`` that ``font`` has no glyph for (they would print as empty boxes)."""
    cmap = font.face.charToGlyph
    return sorted({ch for ch in text if not ch.isspace() and ord(ch) not in cmap})


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int


def render_certificate(doc: CertificateDocument, settings: DocumentSettings) -> Rendered:
    """The PDF: the certificate, the annex of sites, then one sub-certificate per site."""
    name, font = _font(settings.font())
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=1, pageCompression=1)
    page = _Page(canvas, name, font, settings, doc)
    canvas.setTitle(f"认证证书 {page.number}")
    canvas.setAuthor(settings.body_name)
    canvas.setSubject(f"{BASIS} 呼叫中心服务认证")
    page.certificate(title="服务认证证书", number=page.number, site=None)
    page.annex()
    for site in doc.sites:
        page.certificate(title="服务认证分证书", number=site.sub_number, site=site)
    canvas.save()
    return Rendered(out.getvalue(), page.pages)


class _Page:
    WIDTH, HEIGHT = A4
    LEFT = 25 * mm

    def __init__(self, canvas: Canvas, font_name: str, font: TTFont, settings: DocumentSettings,
                 doc: CertificateDocument) -> None:
        self.c, self.font_name, self.font, self.settings, self.doc = canvas, font_name, font, settings, doc
        self.number = doc.shown_number(settings.numbering)
        self.pages = 0

    def end_page(self) -> None:
        self.c.showPage()
        self.pages += 1

    def text(self, x: float, y: float, text: str, size: float = 12, *, centre: bool = False) -> None:
        lacking = missing_glyphs(text, self.font)
        if lacking:
            raise DocumentError(f"the font has no glyph for {''.join(lacking)!r} in {text!r}")
        self.c.setFont(self.font_name, size)
        if centre:
            self.c.drawCentredString(x, y, text)
        else:
            self.c.drawString(x, y, text)

    def wrapped(self, x: float, y: float, label: str, value: str, width: float, size: float = 12) -> float:
        """``label`` then ``value``, wrapped at ``width``; returns the y below the last line."""
        line, lines = label, []
        for ch in value or "—":
            if pdfmetrics.stringWidth(line + ch, self.font_name, size) > width:
                lines.append(line)
                line = " " * (len(label) * 2)
            line += ch
        lines.append(line)
        for text in lines:
            self.text(x, y, text, size)
            y -= size * 1.7
        return y

    def certificate(self, *, title: str, number: str, site: DocumentSite | None) -> None:
        d, c = self.doc, self.c
        c.setLineWidth(1.5)
        c.rect(12 * mm, 12 * mm, self.WIDTH - 24 * mm, self.HEIGHT - 24 * mm)
        self.text(self.WIDTH / 2, self.HEIGHT - 45 * mm, title, 26, centre=True)
        self.text(self.WIDTH / 2, self.HEIGHT - 58 * mm, f"证书编号：{number}", 13, centre=True)
        y = self.HEIGHT - 80 * mm
        width = self.WIDTH - 2 * self.LEFT
        y = self.wrapped(self.LEFT, y, "兹证明：", d.organization, width, 14)
        y = self.wrapped(self.LEFT, y, "统一社会信用代码：", d.credit_code, width)
        y = self.wrapped(self.LEFT, y, "注册地址：", d.registered_address, width)
        y = self.wrapped(self.LEFT, y, "邮政编码：", d.postcode, width)
        if site is None:
            certified = d.sites[0].address if len(d.sites) == 1 else "见附件《认证场所清单》"
            y = self.wrapped(self.LEFT, y, "认证地址：", certified, width)
        else:
            place = f"{site.name}（{site.address}，邮政编码 {site.postcode or '—'}）"
            y = self.wrapped(self.LEFT, y, "认证场所：", place, width)
            y = self.wrapped(self.LEFT, y, "所属总证书：", self.number, width)
        y -= 4 * mm
        y = self.wrapped(self.LEFT, y, "所提供的服务符合：", BASIS, width)
        y = self.wrapped(self.LEFT, y, "认证服务类别：", d.scope, width)
        y = self.wrapped(self.LEFT, y, "服务等级：", LEVEL_WORDS.get(d.star_level, d.star_level), width)
        y -= 4 * mm
        y = self.wrapped(self.LEFT, y, "颁证日期：", d.issued_on.isoformat(), width)
        y = self.wrapped(self.LEFT, y, "换证日期：", d.reissued_on.isoformat() if d.reissued_on else "—", width)
        y = self.wrapped(self.LEFT, y, "有效期：", f"{d.valid_from.isoformat()} 至 {d.valid_to.isoformat()}", width)
        self.text(self.LEFT, y - 2 * mm, "本证书须经监督审查保持有效；证书的有效状态以认证机构网站查询结果为准。", 10)
        # The QR names the register's number, not the reissue's printed reference: "…/R1" is no number.
        self._footer(site.sub_number if site else d.number)
        self.end_page()

    def _footer(self, number: str) -> None:
        s, c = self.settings, self.c
        url = verification_url(s.public_url, number)
        size = 30 * mm
        draw_qr(c, url, self.WIDTH - self.LEFT - size, 20 * mm, size)
        self.text(self.WIDTH - self.LEFT - size, 16 * mm, "扫码查询证书状态", 8)
        # The body's mark and the accreditation mark are images the body supplies; their places are kept.
        c.setLineWidth(0.5)
        c.rect(self.LEFT, 42 * mm, 22 * mm, 22 * mm)
        self.text(self.LEFT + 11 * mm, 52 * mm, "认证标志", 8, centre=True)
        c.circle(self.LEFT + 62 * mm, 53 * mm, 16 * mm)
        self.text(self.LEFT + 62 * mm, 52 * mm, "（公章）", 9, centre=True)
        self.text(self.LEFT, 34 * mm, f"认证机构：{s.body_name}", 12)
        self.text(self.LEFT, 27 * mm, "负责人签字：________________", 11)
        accreditation = f"认可标志及认可编号：{s.accreditation_number}" if s.accreditation_number else \
            "本证书在认证机构获得认可前颁发，不带认可标志"
        self.text(self.LEFT, 20 * mm, accreditation, 9)

    def annex(self) -> None:
        d, c = self.doc, self.c
        self.text(self.WIDTH / 2, self.HEIGHT - 30 * mm, "附件：认证场所清单", 18, centre=True)
        self.text(self.WIDTH / 2, self.HEIGHT - 40 * mm, f"（证书编号：{self.number}）", 11, centre=True)
        y = self.HEIGHT - 56 * mm
        columns = (("分证书编号", 0), ("场所名称", 48 * mm), ("地址", 88 * mm), ("邮编", 145 * mm))
        for label, dx in columns:
            self.text(self.LEFT - 5 * mm + dx, y, label, 11)
        c.line(self.LEFT - 5 * mm, y - 2 * mm, self.WIDTH - self.LEFT + 5 * mm, y - 2 * mm)
        for site in d.sites:
            y -= 9 * mm
            if y < 30 * mm:  # a long list goes on
                self.end_page()
                y = self.HEIGHT - 30 * mm
            for value, (_, dx) in zip((site.sub_number, site.name, site.address, site.postcode), columns,
                                      strict=True):
                self.text(self.LEFT - 5 * mm + dx, y, value, 10)
        self.end_page()


# ------------------------------------------------------------------------------------ the activity

class DocumentRequest(BaseModel):
    """Make the certificate's document as the register now has it; ``key`` (workflow id + step) makes a
    retry find the document it already stored."""

    key: str
    number: str
    reason: str  # grant | reissue | scope_reduced | recertified


class DocumentIssued(BaseModel):
    sha256: str
    size: int
    pages: int


async def certificate_document_data(db: asyncpg.Pool | asyncpg.Connection, number: str) -> CertificateDocument:
    """What the certificate says as its latest version has it: the holder and sites as certified at the
    issue or the last reissue (R-10.3.4), never as a later application described them."""
    cert = await certificates.get_certificate(db, number)
    version = await certificate_versions.latest_version(db, number)
    if cert is None or version is None:
        raise DocumentError(f"no certificate {number} in the register")
    holder = version.organization
    sites = [DocumentSite(sub_number=s.sub_number, name=s.name, address=s.address, postcode=s.postcode)
             for s in version.sites if s.removed_on is None]  # the sites still in the scope
    return CertificateDocument(
        number=cert.number, revision=version.revision, organization=holder.name, credit_code=holder.credit_code,
        registered_address=holder.registered_address, postcode=holder.postcode, scope=version.scope,
        star_level=version.star_level.value, issued_on=version.issued_on, reissued_on=version.reissued_on,
        valid_from=version.valid_from, valid_to=version.valid_to, sites=sites)


class DocumentActivities:
    def __init__(self, pool: asyncpg.Pool, settings: DocumentSettings | None = None) -> None:
        self.pool, self.settings = pool, settings or DocumentSettings()

    @activity.defn(name="issue_certificate_document")
    async def issue_certificate_document(self, request: DocumentRequest) -> DocumentIssued:
        """R-10.2: on grant, reissue and recertification. A missing font or glyph is retried with backoff
        (the process does not wait for it, workflows/mail.py): the operator sees the error in the
        Temporal UI, installs the font or corrects the register, and the next attempt goes through."""
        existing = await documents.document_by_key(self.pool, request.key)
        if existing is not None:
            return DocumentIssued(sha256=existing.sha256, size=existing.size, pages=existing.pages)
        data = await certificate_document_data(self.pool, request.number)
        try:
            # in a thread: a render must not hold up the worker's event loop (workflow tasks, heartbeats)
            rendered = await asyncio.to_thread(render_certificate, data, self.settings)
        except DocumentError as exc:
            raise ApplicationError(str(exc), type="DocumentError") from exc
        stored = await documents.store_document(
            self.pool, key=request.key, number=data.number, revision=data.revision, reason=request.reason,
            content=rendered.pdf, sha256=hashlib.sha256(rendered.pdf).hexdigest(), pages=rendered.pages)
        return DocumentIssued(sha256=stored.sha256, size=stored.size, pages=stored.pages)
