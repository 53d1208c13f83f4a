"""Drawing a page: the Jinja2 templates of api/templates with what every page needs (the reader's
language and its words, who is signed in and what they may do (``may``), the CSRF token of their
forms, the CSP nonce)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from api.pages.i18n import LANGUAGE_COOKIE, language_of, translator
from api.pages.labels import context_label, context_value_label, option_label
from api.pages.permits import may_for
from api.pages.record_words import problem_title
from api.pages.session import Session

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
STATIC = Path(__file__).resolve().parents[1] / "static"

_environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                           undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def shown(value: Any, lang: str, key: str = "") -> str:
    """A context value in plain words: choices by their words, lists joined, objects as their pairs, yes/no
    for booleans."""
    value = context_value_label(key, value, lang) if key else value
    if isinstance(value, bool):
        return ("yes" if value else "no") if lang == "en" else ("是" if value else "否")
    if value is None:
        return "—"
    if isinstance(value, list):
        return "；".join(shown(v, lang, key) for v in value) if value else "—"
    if isinstance(value, dict):
        return "；".join(f"{context_label(str(k), lang)}: {shown(v, lang, str(k))}" for k, v in value.items())
    return str(value)


def page(request: Request, template: str, session: Session | None = None, *, status: int = 200,
         title: str = "", **values: Any) -> HTMLResponse:
    """``template`` drawn for ``request``'s reader. A ``?lang=`` the reader chose is kept in a cookie."""
    lang = language_of(request)
    html = _environment.get_template(template).render(
        request=request, session=session, lang=lang, t=translator(lang), title=title,
        nonce=getattr(request.state, "csp_nonce", ""), csrf=session.csrf if session else "",
        context_label=lambda key: context_label(key, lang), show=lambda value, key="": shown(value, lang, key),
        option_label=lambda value: option_label(str(value), lang),
        problem_title=lambda title: problem_title(title, lang),
        may=may_for(request, session),
        other_language_url=str(request.url.include_query_params(lang="zh" if lang == "en" else "en")),
        **values)
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie(LANGUAGE_COOKIE, lang, samesite="lax", path="/", max_age=365 * 86400)
    return response
