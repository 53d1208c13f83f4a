"""The pages' language: Chinese, the body's, unless the reader chose English (``?lang=en``, kept in a
cookie). A browser's Accept-Language is not followed: the body works in Chinese and most browsers here
say English only because they were installed that way.

The words stand side by side in the templates, ``t("收件箱", "Inbox")``: a page is read in one of two
languages, and keeping both beside each other keeps them from drifting apart.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from schemas.task_titles import Language

LANGUAGE_COOKIE = "certflow_lang"


def language_of(request: Request) -> Language:
    asked = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    return "en" if asked == "en" else "zh"


def translator(lang: Language) -> Callable[[str, str], str]:
    def t(zh: str, en: str) -> str:
        return en if lang == "en" else zh

    return t
