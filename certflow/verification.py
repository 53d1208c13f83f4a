"""Where a certificate is verified: the address its QR code carries (R-10.2.1) and the public register
answers at (R-9.6.8). The certificate document and the public pages build it here, so the printed
code and the page it leads to cannot drift apart.

The address names the certificate by its register number (or a site's sub-certificate number,
R-10.3.3), never by the revision marker a reissued document prints beside it (R-10.3.4): the page is
about the certificate, whichever of its documents was scanned.
"""

from __future__ import annotations

from urllib.parse import quote

VERIFICATION_PREFIX = "/public/certificates"

# R-6 levels as the certificate document prints them (activities/documents.py) and the public page shows them.
LEVEL_WORDS = {"compliant": "达标级", "three_star": "三星级", "four_star": "四星级", "five_star": "五星级"}
LEVEL_WORDS_EN = {"compliant": "Compliant (basic level)", "three_star": "Three-star", "four_star": "Four-star",
                  "five_star": "Five-star"}


def verification_path(number: str) -> str:
    """The path of ``number``'s verification page (the public register's answer, HTML or JSON)."""
    return f"{VERIFICATION_PREFIX}/{quote(number.strip(), safe='')}"


def verification_url(public_url: str, number: str) -> str:
    """The full address printed as the QR code of certificate (or sub-certificate) ``number``."""
    return public_url.rstrip("/") + verification_path(number)
