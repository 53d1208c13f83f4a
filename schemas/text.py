"""Text the register, Temporal's histories and the documents can all hold: the one string type of schemas/.

A character that PostgreSQL cannot store (NUL), that JSON cannot encode as UTF-8 (a lone surrogate,
U+D800–U+DFFF) or that no person types into a form (the C0 controls other than tab, line feed and
carriage return) used to be accepted at the edge and then fail an activity on every retry, so that one
character stalled a certification for ever (issue 12, finding 3). Every ``str`` field of every model in
schemas/ is therefore one of these types, and the refusal happens where the text arrives: 422 naming
the field, never 200 and a process that cannot move.

**Decision**: DEL (U+007F) and the C1 controls (U+0080–U+009F) are refused as well. PostgreSQL and
JSON could hold them, but they are invisible on a certificate, the public register and in mail, they
only ever come from a wrong decoding or a binary paste, and a name that holds one would not be found
by the person searching for it. Tab, line feed and carriage return stay allowed in free text
(:data:`Text`); names, codes and keys (:data:`Line`) are one line, so they refuse those as well.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, EmailStr, Field
from pydantic_core import PydanticCustomError

# Python's re can hold lone surrogates in a character class, which is what lets one pattern find them.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAKING = re.compile("[\t\n\r\u2028\u2029]")
_NAMES = {"\x00": "NUL", "\t": "TAB", "\n": "LINE FEED", "\r": "CARRIAGE RETURN", "\x7f": "DELETE"}


def describe_character(char: str) -> str:
    """``U+0000 (NUL)``: how an error names the character it refuses (the character itself may not
    even be printable in the error, so it is only ever named)."""
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        name = "a lone surrogate, half of a UTF-16 pair"
    else:
        name = _NAMES[char] if char in _NAMES else unicodedata.name(char, "a control character")
    return f"U+{code:04X} ({name})"


def _refuse(char: str, at: int, why: str) -> PydanticCustomError:
    return PydanticCustomError("text_unsafe", "{what} at position {at} {why}",
                               {"what": describe_character(char), "at": at, "why": why})


def check_text(value: str) -> str:
    """Free text: refuses NUL, lone surrogates, DEL and the C0/C1 controls other than tab, LF and CR."""
    found = _UNSAFE.search(value)
    if found is not None:
        raise _refuse(found.group(), found.start(), "cannot be kept in the register; remove it")
    return value


def check_line(value: str) -> str:
    """A name, code or key: what :func:`check_text` refuses, and any tab or line break as well."""
    check_text(value)
    found = _LINE_BREAKING.search(value)
    if found is not None:
        raise _refuse(found.group(), found.start(), "is not allowed here: this field is a single line")
    return value


def scrub_text(value: str) -> str:
    """Text of our own making (an exception's message, a server's reply) is never refused, since refusing
    it would lose the very error someone needs to read: each character the register cannot keep is
    replaced by its escape, ``\\u0000`` or ``\\ud800``, visible and searchable."""
    return _UNSAFE.sub(lambda found: f"\\u{ord(found.group()):04x}", value)


def check_json_text(value: Any) -> Any:
    """Every key and every string inside a JSON-like value (dicts, lists, scalars) passes :func:`check_text`;
    the error names where in the value the character is, because the field alone would not say. Walked
    with a stack of its own, so that however deep a client nests its JSON, the walk cannot overflow."""
    pending: list[tuple[str, Any]] = [("", value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, str):
            _check_at(path, item)
        elif isinstance(item, Mapping):
            for key, inner in item.items():
                _check_at(f"a key in {path or 'the object'}", key)
                pending.append((f"{path}.{key}" if path else str(key), inner))
        elif isinstance(item, list | tuple):
            pending.extend((f"{path}.{index}" if path else str(index), inner) for index, inner in enumerate(item))
    return value


def _check_at(path: str, text: Any) -> None:
    if not isinstance(text, str):
        return
    try:
        check_text(text)
    except PydanticCustomError as exc:
        raise PydanticCustomError("text_unsafe", "{where}{message}",
                                  {"where": f"{path}: " if path else "", "message": exc.message()}) from None


# The same refusals, told to readers of the OpenAPI document (and to schemathesis, which then sends
# what the document allows): a pattern in the JSON schema only; the check above gives the message.
_TEXT_PATTERN = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$"
_LINE_PATTERN = "^[^\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029]*$"

Text = Annotated[str, AfterValidator(check_text), Field(json_schema_extra={"pattern": _TEXT_PATTERN})]
"""Free text (notes, reasons, descriptions, scopes, addresses): may span lines."""

Line = Annotated[str, AfterValidator(check_line), Field(json_schema_extra={"pattern": _LINE_PATTERN})]
"""One line: names, codes, references, ids and keys."""

Email = Annotated[EmailStr, AfterValidator(check_line)]
"""An e-mail address, checked by ``email-validator`` through pydantic: syntax only, never DNS (pydantic
calls it with ``check_deliverability=False``; there is no network on the body's machines and an address
must not be refused because a resolver is down). Special-use domains that mail cannot reach (``.test``,
``.localhost``, ``.invalid``, ...) are refused; ``.example`` is not among them, so documentation-style
addresses such as ``manager@body.example`` are accepted. Pydantic returns the normalized address
(domain lower-cased, a ``Name <address>`` form reduced to the address)."""

Scrubbed = Annotated[str, AfterValidator(scrub_text)]
"""Text we produce rather than receive (error messages, replies of other systems): kept, made storable."""

JsonObject = Annotated[dict[Text, Any], AfterValidator(check_json_text)]
"""A JSON object of free shape (an application form as submitted, a task payload before its model is
known, an event's data): every key and string at any depth is :data:`Text`."""
