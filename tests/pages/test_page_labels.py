"""Every field, choice and task context a page draws has Chinese and English words (issue 15): the test
walks the JSON schemas the forms are drawn from and the contexts the workflows put on tasks, and names
whatever api/pages/labels.py lacks."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.pages.forms import SchemaForm
from api.pages.hints import HINTS_ZH, hint_of
from api.pages.labels import (
    CONTEXT_CHOICES,
    CONTEXT_LABELS,
    FIELD_LABELS,
    OPTION_LABELS,
    context_label,
    context_value_label,
    label_of,
    option_label,
)
from api.staff_capacity import AbsenceRequest, CapacityChange
from rules.sampling import SamplingProposal
from schemas.actions import ACTION_MODELS, CAUSE_WORDS, Notification, SuspensionCause
from schemas.applications import ApplicationStatus
from schemas.audits import AuditKind, TeamRole
from schemas.certificates import CertStatus
from schemas.incidents import IncidentState
from schemas.intake import ApplicationSubmission
from schemas.payloads import TASK_PAYLOADS
from schemas.staff import QualificationKind, Role
from schemas.tasks import TaskStatus
from schemas.tokens import TokenStatus

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"


def _schemas() -> Iterator[tuple[str, dict[str, Any]]]:
    for kind, model in TASK_PAYLOADS.items():
        yield f"task {kind}", model.model_json_schema()
    for action, model in ACTION_MODELS.items():
        yield f"action {action}", model.model_json_schema()
    yield "application", ApplicationSubmission.model_json_schema()
    for model in (CapacityChange, AbsenceRequest):  # the staff person page's and "my leave"'s (issue 18)
        yield model.__name__, model.model_json_schema()


def _walk(node: Any, where: str, fields: dict[str, str], options: dict[str, str]) -> None:
    """Every property name and every enum or const value under ``node``, $defs included."""
    if isinstance(node, dict):
        for name in node.get("properties", {}):
            fields.setdefault(name, where)
        for value in node.get("enum", []):
            options.setdefault(str(value), where)
        if "const" in node:
            options.setdefault(str(node["const"]), where)
        for child in node.values():
            _walk(child, where, fields, options)
    elif isinstance(node, list):
        for child in node:
            _walk(child, where, fields, options)


def _drawn() -> tuple[dict[str, str], dict[str, str]]:
    fields: dict[str, str] = {}
    options: dict[str, str] = {}
    for where, schema in _schemas():
        _walk(schema, where, fields, options)
    return fields, options


def _context_keys() -> dict[str, str]:
    """The keys of every dict literal given as ``context=`` in workflows/*.py, or returned by an
    ``_about`` (spread dicts included), with the file that puts each on a task."""
    keys: dict[str, str] = {}
    for path in sorted(WORKFLOWS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "context":
                found = [n for n in ast.walk(node.value) if isinstance(n, ast.Dict)]
            elif isinstance(node, ast.FunctionDef) and node.name == "_about":
                found = [n for n in ast.walk(node) if isinstance(n, ast.Dict)]
            else:
                continue
            for literal in found:
                for key in literal.keys:
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        keys.setdefault(key.value, path.name)
    return keys


def test_the_walk_sees_what_the_forms_draw() -> None:
    fields, options = _drawn()
    # the nested $defs count: a finding's kind, a visit's shopper, an application's contact e-mail
    assert {"kind", "shopper_id", "email", "headcount", "staff_id"} <= set(fields)
    assert {"major_nonconformity", "observation", "leader", "serious_failure", "five_star"} <= set(options)
    assert len(fields) > 100 and len(options) > 45
    context = _context_keys()
    assert {"headcount", "table_person_days", "computed_level", "proposal", "organization"} <= set(context)


def test_every_field_has_words() -> None:
    fields, _ = _drawn()
    missing = sorted(f"{name} ({where})" for name, where in fields.items() if name not in FIELD_LABELS)
    assert not missing, f"fields without words in api/pages/labels.py: {', '.join(missing)}"


def test_every_choice_and_role_has_words() -> None:
    _, options = _drawn()
    shown_by_pages = [*Role, *TeamRole, *AuditKind, *CertStatus, *ApplicationStatus, *TaskStatus, *IncidentState,
                      *TokenStatus, *QualificationKind]
    for value in shown_by_pages:
        options.setdefault(value.value, type(value).__name__)
    missing = sorted(f"{value} ({where})" for value, where in options.items() if value not in OPTION_LABELS)
    assert not missing, f"choices without words in api/pages/labels.py: {', '.join(missing)}"


def test_every_context_key_has_words() -> None:
    keys = _context_keys()
    # contexts built from models: a notification as recorded, the sampling proposal
    for model in (Notification, SamplingProposal):
        for name in model.model_fields:
            keys.setdefault(name, model.__name__)
    missing = sorted(f"{key} ({where})" for key, where in keys.items() if context_label(key, "en") == key)
    assert not missing, f"context keys without words in api/pages/labels.py: {', '.join(missing)}"


@pytest.mark.parametrize("table", [FIELD_LABELS, OPTION_LABELS, CONTEXT_LABELS],
                         ids=["fields", "options", "context"])
def test_words_are_chinese_and_english(table: dict[str, tuple[str, str]]) -> None:
    for key, (zh, en) in table.items():
        assert zh.strip() and en.strip(), key
        assert zh != en, key
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), f"{key}: {zh!r} has no Chinese"
        assert en.isascii(), f"{key}: {en!r} is not English"


def test_scheme_vocabulary() -> None:
    # findings, R-9.6 suspension and scope reduction, R-4 audit kinds: the scheme's own words
    assert option_label("major_nonconformity", "zh") == "严重不符合项"
    assert option_label("observation", "zh") == "观察项"
    assert option_label("reduce_scope", "zh") == "缩小认证范围"
    assert option_label("surveillance", "zh") == "监督审查"
    assert option_label("leader", "en") == "team leader"
    # a cause reads as in the letter the organization receives ("other" is shared with R-11)
    assert all(option_label(c.value, "zh") == CAUSE_WORDS[c] for c in SuspensionCause if c != SuspensionCause.OTHER)
    assert option_label("other", "zh") == "其他"


def test_fallbacks() -> None:
    assert label_of("a_field_nobody_labelled", "A Field", "zh") == "A Field"
    assert option_label("an_unknown_choice", "en") == "an_unknown_choice"
    assert context_label("an_unknown_key", "zh") == "an_unknown_key"
    assert context_label("received_on", "zh") == FIELD_LABELS["received_on"][0]  # a payload's field
    assert context_label("number", "en") == "Certificate number"


def test_a_drawn_form_shows_the_words() -> None:
    fields = SchemaForm(TASK_PAYLOADS["onsite_audit"].model_json_schema(), "zh").fields(extra_rows={"findings": 1})
    findings = next(f for f in fields if f.key == "findings")
    assert findings.label == "审查发现"
    kind = next(f for f in findings.rows[0] if f.key == "kind")
    assert ("minor_nonconformity", "一般不符合项") in kind.options


def _descriptions() -> dict[str, str]:
    found: dict[str, str] = {}

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for name, prop in node.get("properties", {}).items():
                if isinstance(prop, dict) and prop.get("description"):
                    found.setdefault(prop["description"], f"{name} ({where})")
            for child in node.values():
                walk(child, where)
        elif isinstance(node, list):
            for child in node:
                walk(child, where)

    for where, schema in _schemas():
        walk(schema, where)
    return found


def test_every_hint_has_chinese_keeping_its_rule_ids() -> None:
    found = _descriptions()
    assert len(found) > 35
    missing = sorted(f"{where}: {text!r}" for text, where in found.items() if text not in HINTS_ZH)
    assert not missing, f"hints without Chinese in api/pages/hints.py: {'; '.join(missing)}"
    for text, zh in HINTS_ZH.items():
        assert set(re.findall(r"R-[0-9A-Za-z.]+", text)) <= set(re.findall(r"R-[0-9A-Za-z.]+", zh)), text
    stale = sorted(set(HINTS_ZH) - set(found))
    assert not stale, f"hints for descriptions no model has any more: {stale}"
    assert hint_of("the scope that remains certified", "zh") == "缩小后仍予认证的范围"
    assert hint_of("the scope that remains certified", "en") == "the scope that remains certified"
    assert hint_of("a description nobody translated", "zh") == "a description nobody translated"


def test_context_choices_read_as_words() -> None:
    assert context_value_label("computed_level", "three_star", "zh") == "三星级"
    assert context_value_label("audit_kind", "surveillance", "en") == "surveillance audit"
    assert context_value_label("cause", "organization_request", "zh") == "获证组织主动申请暂停"
    assert context_value_label("organization", "three_star", "zh") == "three_star"  # a name stays a name
    assert context_value_label("computed_level", None, "zh") is None
    assert set(_context_keys()) | {"kind", "action"} >= CONTEXT_CHOICES  # kind, action: a notification's
