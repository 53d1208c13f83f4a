"""The public pages (issue 15): the verification page a certificate's QR code leads to, the directory
of certified organizations (R-9.1.9.n3) and a landing page, for anyone, without signing in or
JavaScript, on a phone first.

The verification page and the directory answer at the public register's own addresses
(api/public.py): a browser, which asks for HTML, gets these pages; an API client gets the JSON as
before. Both come from the same answer of the register, so the page cannot say something the JSON
does not (R-9.6.8: the true status).
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.pages.render import page
from certflow.verification import LEVEL_WORDS, LEVEL_WORDS_EN, VERIFICATION_PREFIX, verification_path

if TYPE_CHECKING:
    from api.public import Directory, PublicCertificate

router = APIRouter(include_in_schema=False)

# Caches keep the HTML and the JSON of one address apart, and the page follows the reader's language cookie.
VARY = "Accept"
PAGE_VARY = "Accept, Cookie"

# The printed reference of a reissued document (R-10.3.4, NumberingPolicy.revision_marker "/R1", "/REV2").
REVISION_SUFFIX = re.compile(r"/[A-Z]{1,3}[1-9][0-9]*$")

# Each status in words and a shape (the colour only repeats what the words and the shape say).
STATUS_SHOWN: dict[str, dict[str, str]] = {
    "valid": {"zh": "有效", "en": "Valid", "note_zh": "", "note_en": "", "shape": "check"},
    "suspended": {"zh": "暂停", "en": "Suspended", "note_zh": "", "note_en": "", "shape": "pause"},
    "withdrawn": {"zh": "撤销", "en": "Withdrawn", "note_zh": "", "note_en": "", "shape": "cross"},
    "scope_reduced": {"zh": "有效", "en": "Valid", "note_zh": "认证范围已缩小", "note_en": "scope reduced",
                      "shape": "narrow"},
    "expired": {"zh": "注销", "en": "Expired", "note_zh": "已过期", "note_en": "", "shape": "dash"},
}
DIRECTORY_FILTERS = [("", "全部", "All"), ("valid", "有效", "Valid"), ("suspended", "暂停", "Suspended"),
                     ("withdrawn", "撤销", "Withdrawn"), ("scope_reduced", "范围缩小", "Scope reduced"),
                     ("expired", "注销", "Expired")]


def _quality(accept: str, wanted: str) -> float:
    """How much the ``Accept`` header wants ``wanted`` (RFC 9110 12.5.1): the q of the most specific
    range that matches it, 0 when none does."""
    kind = wanted.split("/")[0]
    best, specificity = 0.0, -1
    for part in accept.split(","):
        media, *params = [p.strip() for p in part.split(";")]
        media = media.lower()
        rank = 2 if media == wanted else 1 if media == f"{kind}/*" else 0 if media == "*/*" else -1
        if rank <= specificity:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        best, specificity = q, rank
    return best


def prefers_html(request: Request) -> bool:
    """A browser (or a phone's QR scanner opening one) asks for HTML before JSON; an API client asks
    for JSON, or for anything (``*/*``), and keeps the JSON it always had."""
    accept = request.headers.get("accept", "")
    return _quality(accept, "text/html") > _quality(accept, "application/json")


def _cached(response: HTMLResponse, max_age: int) -> HTMLResponse:
    """The page may be kept by the reader's own browser only: it follows their language cookie."""
    response.headers["Cache-Control"] = f"private, max-age={max_age}"
    response.headers["Vary"] = PAGE_VARY
    return response


def _day_text(day: date | None) -> str:
    return day.isoformat() if day else ""


def verification_page(request: Request, cert: PublicCertificate, *, suspended_until: date | None,
                      past: bool, max_age: int) -> HTMLResponse:
    """R-9.6.8: the certificate's true status on the day in large plain words, then what it certifies."""
    shown = STATUS_SHOWN[cert.status]
    title = f"{cert.number} {shown['zh']}"
    response = page(request, "public_certificate.html", None, title=title, cert=cert, shown=shown,
                    suspended_until=_day_text(suspended_until), past=past,
                    level_zh=LEVEL_WORDS.get(cert.star_level, cert.star_level),
                    level_en=LEVEL_WORDS_EN.get(cert.star_level, cert.star_level),
                    today_url=verification_path(cert.requested_sub_certificate or cert.number))
    return _cached(response, max_age)


def not_found_page(request: Request, number: str, reason: str, day: date | None) -> HTMLResponse:
    """An unknown number, or one not yet given on the day asked: plain words and a box to try again.
    ``reason``: "unknown", "not_yet_issued" or "sub_not_yet"."""
    response = page(request, "public_not_found.html", None, status=404, title=f"{number} ?", number=number,
                    reason=reason, day=_day_text(day))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = PAGE_VARY
    return response


def directory_page(request: Request, listing: Directory, *, status: str | None, past: bool,
                   max_age: int) -> HTMLResponse:
    """R-9.1.9.n3: the certified organizations, searched, filtered by status, a page at a time."""

    def link(**changes: object) -> str:
        query: dict[str, object] = {"q": listing.q, "status": status or "",
                                    "on": listing.on.isoformat() if past else "",
                                    "limit": listing.limit if listing.limit != 20 else "", "offset": listing.offset}
        query.update(changes)
        kept = {k: v for k, v in query.items() if v not in ("", None, 0)}
        return VERIFICATION_PREFIX + (f"?{urlencode(kept)}" if kept else "")

    after = listing.offset + listing.limit
    previous = link(offset=max(0, listing.offset - listing.limit)) if listing.offset > 0 else ""
    response = page(request, "public_directory.html", None, title="获证组织名录", listing=listing,
                    chosen=status or "", past=past, filters=DIRECTORY_FILTERS, shown=STATUS_SHOWN,
                    link=link, next_url=link(offset=after) if after < listing.total else "",
                    previous_url=previous, first=listing.offset + 1 if listing.items else 0,
                    last=listing.offset + len(listing.items),
                    level_zh=LEVEL_WORDS, level_en=LEVEL_WORDS_EN, path_of=verification_path)
    return _cached(response, max_age)


@router.get("/public")
async def landing(request: Request) -> Response:
    """What the public finds here: a certificate checked by its number, the directory."""
    return page(request, "public_home.html", None, title="证书查询")


@router.get("/public/verify")
async def verify(number: str = Query("", max_length=100)) -> Response:
    """The landing page's box: the number typed (as printed, a reissue's "/R1" too) → its page."""
    wanted = REVISION_SUFFIX.sub("", number.strip().upper())
    if not wanted:
        return RedirectResponse("/public", status_code=303)
    return RedirectResponse(verification_path(wanted), status_code=303)
