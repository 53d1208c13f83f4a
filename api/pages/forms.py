"""A form drawn from a JSON schema (a task's payload, a certificate action, an application), and the
submitted form read back into the JSON the API takes.

Why our own: the pages must work without JavaScript (issue 15), so the form is drawn on the server;
the JSON-schema form renderers of the field (form-js, react-jsonschema-form) draw in the browser. The
schemas are pydantic's and use a small part of JSON schema (objects, lists of objects, strings, dates,
numbers as decimals, booleans, enums, nullable values), which is all this handles.

Field names are paths: ``team[0].staff_id``. A list of objects shows its rows and blank ones to fill;
a blank row is left out when read back, and "one more row" re-draws the form with another, without
script. An empty field is left out, so the model's default applies or the API says it is required,
beside the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from api.pages.hints import hint_of
from api.pages.labels import label_of, option_label

Kind = Literal["line", "text", "number", "integer", "date", "boolean", "choice", "uuid", "group", "rows", "lines",
               "json"]
BLANK_ROWS = 1  # blank rows offered under a required list of objects that has none yet


@dataclass
class FormField:
    """One field of a drawn form (a group or a list of rows has children instead of a value)."""

    name: str  # the path, the input's name
    key: str  # the property's name
    kind: Kind
    label: str
    description: str = ""
    required: bool = False
    value: Any = None
    options: list[tuple[str, str]] = field(default_factory=list)
    children: list[FormField] = field(default_factory=list)
    rows: list[list[FormField]] = field(default_factory=list)
    error: str = ""
    picker: str = ""  # "staff", "shopper": a staff picker is offered instead of a free uuid
    default: str = ""  # what applies when the field is left empty, shown as its placeholder

    @property
    def input_id(self) -> str:
        return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", self.name)


class SchemaForm:
    """The fields of ``schema`` filled with ``values``, with ``errors`` (path → message) beside them."""

    def __init__(self, schema: Mapping[str, Any], lang: str = "zh") -> None:
        self.schema = schema
        self.defs = schema.get("$defs", {})
        self.lang = lang

    def fields(self, values: Mapping[str, Any] | None = None, errors: Mapping[str, str] | None = None,
               extra_rows: Mapping[str, int] | None = None) -> list[FormField]:
        return self._object(self.schema, "", values or {}, errors or {}, extra_rows or {})

    # --- drawing ---------------------------------------------------------------------------------

    def _resolve(self, schema: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
        """The schema behind a ``$ref`` and ``anyOf [..., null]``, and whether null is allowed."""
        nullable = False
        if "anyOf" in schema:
            options = [s for s in schema["anyOf"] if s.get("type") != "null"]
            nullable = len(options) < len(schema["anyOf"])
            numeric = [s for s in options if s.get("type") in ("number", "integer")]
            chosen = numeric[0] if numeric else options[0] if options else {}
            schema = {**{k: v for k, v in schema.items() if k != "anyOf"}, **chosen}
        if "$ref" in schema:
            target = self.defs[schema["$ref"].rsplit("/", 1)[-1]]
            schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
        return schema, nullable

    def _object(self, schema: Mapping[str, Any], prefix: str, values: Mapping[str, Any],
                errors: Mapping[str, str], extra_rows: Mapping[str, int]) -> list[FormField]:
        required = set(schema.get("required", ()))
        drawn = []
        for key, prop in schema.get("properties", {}).items():
            name = f"{prefix}.{key}" if prefix else key
            drawn.append(self._field(key, name, prop, key in required, values.get(key), errors, extra_rows))
        return drawn

    def _field(self, key: str, name: str, prop: Mapping[str, Any], required: bool, value: Any,
               errors: Mapping[str, str], extra_rows: Mapping[str, int]) -> FormField:
        schema, nullable = self._resolve(prop)
        kind = _kind_of(schema, key)
        made = FormField(name=name, key=key, kind=kind, label=label_of(key, prop.get("title", key), self.lang),
                         description=hint_of(prop.get("description", "") or "", self.lang),
                         required=required and not nullable, value=value, error=errors.get(name, ""),
                         picker=_picker_of(key) if kind == "uuid" else "",
                         default=_shown_default(prop.get("default")))
        if kind == "choice":
            made.options = [(str(o), option_label(str(o), self.lang)) for o in schema.get("enum", ())]
        elif kind == "group":
            made.children = self._object(schema, name, value if isinstance(value, Mapping) else {}, errors,
                                         extra_rows)
        elif kind == "rows":
            item, _ = self._resolve(schema.get("items", {}))
            present = value if isinstance(value, list) else []
            # A required list starts with a blank row; an optional one with none, only its "add a row".
            count = len(present) + (BLANK_ROWS if required and not present else 0) + extra_rows.get(name, 0)
            made.rows = [self._object(item, f"{name}[{i}]", present[i] if i < len(present) else {}, errors, extra_rows)
                         for i in range(count)]
        elif kind == "lines":
            item, _ = self._resolve(schema.get("items", {}))
            made.options = [(str(o), option_label(str(o), self.lang)) for o in item.get("enum", ())]
        elif kind == "json" and value is not None and not isinstance(value, str):
            made.value = json.dumps(value, ensure_ascii=False)
        return made

    # --- reading back ----------------------------------------------------------------------------

    def payload(self, pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
        """The submitted pairs as the JSON object the schema describes: types as the schema says, empty
        fields and blank rows left out. Pairs whose names start with ``_`` are the page's own."""
        tree: dict[str, Any] = {}
        for name, raw in pairs:
            if name.startswith("_") or raw.strip() == "":
                continue
            _put(tree, _path(name), raw)
        return self._typed(self.schema, tree)

    def _typed(self, schema: Mapping[str, Any], tree: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, prop in schema.get("properties", {}).items():
            if key not in tree:
                continue
            typed = self._value(self._resolve(prop)[0], key, tree[key])
            if typed is not None:
                out[key] = typed
        return out

    def _value(self, schema: Mapping[str, Any], key: str, raw: Any) -> Any:
        kind = _kind_of(schema, key)
        if kind == "group":
            return self._typed(schema, raw) if isinstance(raw, Mapping) else None
        if kind == "rows":
            item, _ = self._resolve(schema.get("items", {}))
            rows = [raw[i] for i in sorted(raw)] if isinstance(raw, Mapping) else []
            typed = [self._typed(item, r) for r in rows if isinstance(r, Mapping)]
            return [r for r in typed if r] or None
        if kind == "lines":  # one per line, or one per ticked box (the name repeated)
            given = raw if isinstance(raw, list) else [raw]
            items = [line.strip() for text in given if isinstance(text, str) for line in text.splitlines()]
            return list(dict.fromkeys(i for i in items if i)) or None  # in order, each once
        if isinstance(raw, list):
            raw = raw[-1]  # a name sent twice where one value is asked: the last, as a browser's own order
        if not isinstance(raw, str):
            return None
        if kind == "boolean":
            return {"true": True, "false": False}.get(raw, raw)
        if kind == "integer":
            return int(raw) if re.fullmatch(r"[+-]?\d+", raw.strip()) else raw
        if kind == "json":
            try:
                return json.loads(raw)
            except ValueError:
                return raw
        return raw.strip() if kind in ("number", "date", "uuid", "choice", "line") else raw


def _kind_of(schema: Mapping[str, Any], key: str) -> Kind:
    kind = schema.get("type")
    if "enum" in schema:
        return "choice"
    if kind == "object" or "properties" in schema:
        return "group"
    if kind == "array":
        items = schema.get("items", {})
        if "$ref" in items or items.get("type") == "object":
            return "rows"
        return "lines" if items.get("type") == "string" or "enum" in items else "json"
    if kind in ("number", "integer", "boolean"):
        return kind
    if kind == "string":
        if schema.get("format") == "date":
            return "date"
        if schema.get("format") == "uuid":
            return "uuid"
        if schema.get("format") == "email":
            return "line"
        pattern = schema.get("pattern")
        return "text" if pattern is None or re.fullmatch(pattern, "\n") else "line"
    return "json"


def _shown_default(default: Any) -> str:
    if default in (None, "", [], {}) or isinstance(default, bool | dict | list):
        return ""
    return str(default)


def _picker_of(key: str) -> str:
    return "shopper" if "shopper" in key else "staff"


def _path(name: str) -> list[str | int]:
    """``team[0].staff_id`` → ``["team", 0, "staff_id"]``."""
    parts: list[str | int] = []
    for piece in name.split("."):
        match = re.fullmatch(r"([^\[\]]+)((?:\[\d+\])*)", piece)
        if not match:
            parts.append(piece)
            continue
        parts.append(match.group(1))
        parts += [int(i) for i in re.findall(r"\[(\d+)\]", match.group(2))]
    return parts


def _put(tree: dict[str, Any], path: list[str | int], value: str) -> None:
    """Rows are kept as dicts keyed by their index (in order of first appearance), typed later."""
    node: dict[Any, Any] = tree
    for here in path[:-1]:
        following = node.setdefault(here, {})
        if not isinstance(following, dict):
            return  # a name that is both a value and a group: the value stands
        node = following
    last = path[-1]
    if isinstance(node.get(last), str):
        node[last] = [node[last], value]  # a name sent again: ticked boxes of one list
    elif isinstance(node.get(last), list):
        node[last].append(value)
    else:
        node[last] = value


def field_errors(problem: Mapping[str, Any], prefix: Iterable[str | int] = ()) -> dict[str, str]:
    """The API's refusal, field by field: each ``errors[].loc`` (a path into the payload) as the form's
    field name, with its message. A request body's errors start with ``body``, which goes; ``prefix`` is
    what else the API's path may have in front of the form's fields (a task's ``payload``)."""
    skip = list(prefix)
    found: dict[str, str] = {}
    for error in problem.get("errors") or []:
        loc = list(error.get("loc") or [])
        if loc[:1] == ["body"]:
            loc = loc[1:]
        if loc[:len(skip)] == skip:
            loc = loc[len(skip):]
        name = ""
        for part in loc:
            name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
        found[name or ""] = (found.get(name or "", "") + " " + str(error.get("msg", ""))).strip()
    return found
