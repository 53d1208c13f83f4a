"""The words a form shows for a payload's fields and choices, in Chinese and English.

A field without an entry shows its schema title (English), so a new field is never unlabelled; the test
tests/api/test_page_labels.py lists every field and choice the forms draw and fails on one missing here.
"""

from __future__ import annotations

# field name → (Chinese, English)
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "staff_id": ("人员", "Person"),
    "role": ("角色", "Role"),
}

# choice value → (Chinese, English)
OPTION_LABELS: dict[str, tuple[str, str]] = {
    "leader": ("审查组长", "team leader"),
    "auditor": ("审查员", "auditor"),
    "expert": ("技术专家", "technical expert"),
}


def label_of(key: str, title: str, lang: str) -> str:
    words = FIELD_LABELS.get(key)
    if words is None:
        return title
    return words[1] if lang == "en" else words[0]


def option_label(value: str, lang: str) -> str:
    words = OPTION_LABELS.get(value)
    if words is None:
        return value
    return words[1] if lang == "en" else words[0]


# task context key → (Chinese, English)
CONTEXT_LABELS: dict[str, tuple[str, str]] = {}


def context_label(key: str, lang: str) -> str:
    words = CONTEXT_LABELS.get(key)
    if words is None:
        return key
    return words[1] if lang == "en" else words[0]
