"""The QR code printed on every page of a certificate is the public register's address of that
certificate (R-10.2.1), or of the site's sub-certificate (R-10.3.3): each module read back from the
rendered page (pdftoppm) matches the code of that address."""

from __future__ import annotations

import subprocess
from datetime import date

from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from activities.documents import render_certificate
from activities.qr_mark import QUIET_ZONE, qr_modules
from certflow.verification import verification_url
from tests.activities.test_documents import SETTINGS, document

DPI = 300
SIZE, RIGHT, BOTTOM = 30 * mm, 25 * mm, 20 * mm  # where the certificate's footer draws it


def modules_read_back(image: Image.Image, count: int) -> list[list[bool]]:
    """The module grid sampled at each module's centre from a page rendered at ``DPI``."""
    scale = DPI / 72
    left = (A4[0] - RIGHT - SIZE) * scale
    top = (A4[1] - BOTTOM - SIZE) * scale
    box = SIZE * scale / (count + 2 * QUIET_ZONE)
    grey = image.convert("L")
    return [[grey.getpixel((round(left + (c + QUIET_ZONE + 0.5) * box),
                            round(top + (r + QUIET_ZONE + 0.5) * box))) < 128
             for c in range(count)] for r in range(count)]


def test_every_page_carries_the_code_of_the_certificates_public_address_R_10_2_1(tmp_path):
    rendered = render_certificate(document(), SETTINGS)
    path = tmp_path / "certificate.pdf"
    path.write_bytes(rendered.pdf)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", str(path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    address = "https://register.example.cn/public/certificates/"
    # the certificate, then the first sub-certificate with its own number; the annex has none
    for page, number in ((pages[0], "CFB-CCS-2026-00007"), (pages[2], "CFB-CCS-2026-00007-1")):
        expected = qr_modules(address + number)
        # the three finder patterns: a dark 7-module edge at three corners
        assert all(expected[0][:7]) and all(expected[0][-7:]) and all(expected[-1][:7])
        with Image.open(page) as image:
            read = modules_read_back(image, len(expected))
        assert read == [list(row) for row in expected], page.name


def test_a_reissued_certificates_code_names_its_register_number_not_the_printed_revision_R_10_3_4(tmp_path):
    """The printed reference "number/R1" is no address of the register: the code names the number, built by
    the one function the public pages answer at (certflow/verification.py), so the two cannot drift."""
    rendered = render_certificate(document(revision=1, reissued_on=date(2026, 9, 1)), SETTINGS)
    path = tmp_path / "reissued.pdf"
    path.write_bytes(rendered.pdf)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", "-f", "1", "-l", "1", str(path),
                    str(tmp_path / "page")], check=True)
    expected = qr_modules(verification_url(SETTINGS.public_url, "CFB-CCS-2026-00007"))
    with Image.open(next(tmp_path.glob("page-*.png"))) as image:
        assert modules_read_back(image, len(expected)) == [list(row) for row in expected]


def test_another_address_gives_another_code():
    one = qr_modules("https://register.example.cn/public/certificates/CFB-CCS-2026-00007")
    other = qr_modules("https://register.example.cn/public/certificates/CFB-CCS-2026-00008")
    assert one != other and len(one) == len(other)
