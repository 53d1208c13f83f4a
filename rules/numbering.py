"""Certificate numbers (R-10.3).

- R-10.3.1: one number per organization and certification; recertification keeps it (R-9.3 Decision).
- R-10.3.2: the body sets the numbering rule: a pattern in :class:`NumberingPolicy` (Decision:
  configurable), by default ``{body}-CCS-{year}-{seq:05d}``. Numbers are upper case without spaces,
  as the regulator's report needs them.
- R-10.3.3: a site's sub-certificate is the number plus ``-1``, ``-2``, …
- R-10.3.4: a reissue (change of name, address, scope …) keeps the number and validity; the reissue is
  noted. The marker ``/R1``, ``/R2``, … names the reissued document; it is not part of the number, and
  ``/`` never occurs in a number, so it cannot be confused with a site suffix.
- R-10.3.5: a withdrawn number is never used again. The sequence ``seq`` is allocated by the database
  (a sequence that never hands a value out twice, even on rollback) and written by an idempotent
  activity; nothing here allocates or frees one.

A pattern is refused when a number made from it could be read two ways: the base of every number has
the same shape, so the site suffix is always exactly the last ``-N`` after it.
"""

from __future__ import annotations

import re
from functools import cached_property
from string import Formatter
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from schemas.errors import InvalidInput, RuleViolation

_LITERAL_CHARS = re.compile(r"[A-Z0-9._-]*")
_SEQ_SPEC = re.compile(r"(?:0(?P<width>[1-9][0-9]?))?d?")
_SAMPLE_SEQS = (1, 12, 99999, 1234567)
_SAMPLE_YEARS = (2026, 2099)


class NumberingPolicy(BaseModel):
    """R-10.3.2 Decision: the body's numbering rule. Fields: ``{body}`` (the body code), ``{year}``
    (four digits, the year of the certification decision), ``{seq}`` (required; ``{seq:05d}`` pads)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    body_code: str = Field("CFB", description="the body's code: an upper-case letter, then letters or digits")
    pattern: str = "{body}-CCS-{year}-{seq:05d}"
    revision_marker: str = Field("/R", description="R-10.3.4: separates a reissue's revision from the number")

    @field_validator("body_code")
    @classmethod
    def _body_code_shape(cls, code: str) -> str:
        # A letter first: a digits-only code at the end of a pattern would read like a site suffix.
        if not re.fullmatch(r"[A-Z][A-Z0-9]{0,15}", code):
            raise RuleViolation(
                "R-10.3.2", f"the body code must be an upper-case letter then up to 15 letters or digits, not {code!r}"
            )
        return code

    @field_validator("revision_marker")
    @classmethod
    def _marker_shape(cls, marker: str) -> str:
        if not re.fullmatch(r"/[A-Z]{1,3}", marker):
            raise RuleViolation(
                "R-10.3.4", f"the revision marker must be '/' and 1-3 upper-case letters, not {marker!r}"
            )
        return marker

    @model_validator(mode="after")
    def _pattern_is_usable(self) -> NumberingPolicy:
        self._base_regex  # noqa: B018 - parses and checks the pattern
        for seq in _SAMPLE_SEQS:
            for year in _SAMPLE_YEARS:
                text = self._render(seq, year)
                if text != text.upper() or any(ch.isspace() for ch in text):
                    raise RuleViolation("R-10.3.2", f"numbers must be upper case without spaces, got {text!r}")
        return self

    @cached_property
    def _base_regex(self) -> str:
        """The pattern as a regular expression; refuses anything that could make a number ambiguous."""
        parts: list[str] = []
        seen: set[str] = set()
        for literal, field, spec, conversion in Formatter().parse(self.pattern):
            if not _LITERAL_CHARS.fullmatch(literal):
                raise RuleViolation(
                    "R-10.3.2",
                    f"the pattern may only contain upper-case letters, digits, '.', '_' and '-' outside its "
                    f"fields (numbers are upper case without spaces, and '/' marks reissues); found {literal!r}",
                )
            parts.append(re.escape(literal))
            if field is None:
                continue
            if field in seen or conversion:
                raise RuleViolation("R-10.3.2", f"field {{{field}}} is repeated or has a conversion")
            seen.add(field)
            if field == "seq" and (m := _SEQ_SPEC.fullmatch(spec or "")):
                width = m["width"]
                parts.append(rf"(?P<seq>[0-9]{{{width},}})" if width else r"(?P<seq>[1-9][0-9]*)")
            elif field == "year" and spec in ("", "d"):
                parts.append(r"(?P<year>[1-9][0-9]{3})")
            elif field == "body" and not spec:
                parts.append(re.escape(self.body_code))
            else:
                shown = f"{{{field}:{spec}}}" if spec else f"{{{field}}}"
                raise RuleViolation(
                    "R-10.3.2", f"unknown field or format {shown}; use {{body}}, {{year}}, {{seq}} or {{seq:0Nd}}"
                )
        if "seq" not in seen:
            raise RuleViolation(
                "R-10.3.2", "the pattern must contain {seq}: without it numbers would repeat, against R-10.3.1"
            )
        self._check_ending()
        return "".join(parts)

    def _check_ending(self) -> None:
        # a site certificate is the number plus "-N". A base that starts or ends with "-", has
        # an empty segment, or ends in a digits-only literal segment ("...-01") would itself look like a
        # site certificate of a shorter number.
        if self.pattern.startswith("-") or "--" in self.pattern or not re.search(r"[A-Z0-9}]$", self.pattern):
            raise RuleViolation(
                "R-10.3.3",
                "the pattern must not start with '-', contain '--', or end in anything but a field, letter or digit",
            )
        last_segment = self.pattern.rsplit("-", 1)[-1]
        if "{" not in last_segment and not re.search(r"[A-Z]", last_segment):
            raise RuleViolation(
                "R-10.3.3", f"the pattern ends in {last_segment!r}, which reads like a site suffix '-N'"
            )

    @cached_property
    def _number_regex(self) -> re.Pattern[str]:
        return re.compile(
            rf"(?P<base>{self._base_regex})"
            r"(?:-(?P<site>[1-9][0-9]*))?"
            rf"(?:{re.escape(self.revision_marker)}(?P<revision>[1-9][0-9]*))?"
        )

    def _render(self, seq: int, year: int) -> str:
        return self.pattern.format(body=self.body_code, year=year, seq=seq)


DEFAULT_POLICY = NumberingPolicy()


class ParsedNumber(NamedTuple):
    base: str  # the certificate number proper
    site_index: int | None  # sub-certificate, 1-based
    revision: int | None  # reissue, 1-based


def certificate_number(seq: int, year: int, policy: NumberingPolicy = DEFAULT_POLICY) -> str:
    """R-10.3.2: the number for a sequence value the database allocated (R-10.3.5) and the year."""
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise InvalidInput(f"the sequence number must be a positive integer, not {seq!r}")
    if isinstance(year, bool) or not isinstance(year, int) or not 1000 <= year <= 9999:
        raise InvalidInput(f"the year must have four digits, not {year!r}")
    return policy._render(seq, year)


def parse_number(text: str, policy: NumberingPolicy = DEFAULT_POLICY) -> ParsedNumber:
    """Split a number as printed into the certificate number, the site index (R-10.3.3) and the reissue
    revision (R-10.3.4). Strict: lower case, spaces or a non-canonical sequence (``00012`` where the
    pattern pads to 5 is fine, ``012`` where it does not pad is not) are refused, so one certificate
    has exactly one spelling in the register. Callers that accept typed input normalise it first."""
    if not isinstance(text, str):
        raise InvalidInput(f"a certificate number is text, not {type(text).__name__}")
    match = policy._number_regex.fullmatch(text)
    if match is None:
        raise InvalidInput(
            f"{text!r} is not a certificate number of the pattern {policy.pattern!r}",
            details={"number": text, "pattern": policy.pattern},
        )
    groups = match.groupdict()
    year = int(groups["year"]) if groups.get("year") else 1000  # any year renders the same without {year}
    if policy._render(int(match["seq"]), year) != match["base"]:
        raise InvalidInput(f"{text!r} is not written the way the pattern writes it", details={"number": text})
    site, revision = match["site"], match["revision"]
    return ParsedNumber(match["base"], int(site) if site else None, int(revision) if revision else None)


def site_certificate_number(number: str, site_index: int, policy: NumberingPolicy = DEFAULT_POLICY) -> str:
    """R-10.3.3: the sub-certificate of one site: the certificate number plus ``-`` and the site's index."""
    if isinstance(site_index, bool) or not isinstance(site_index, int) or site_index < 1:
        raise InvalidInput(f"site indexes start at 1, not {site_index!r}")
    parsed = parse_number(number, policy)
    if parsed.site_index is not None or parsed.revision is not None:
        raise InvalidInput(f"{number!r} is already a site or reissue number; pass the certificate number itself")
    return f"{parsed.base}-{site_index}"


def with_revision(number: str, revision: int, policy: NumberingPolicy = DEFAULT_POLICY) -> str:
    """R-10.3.4: the reference of a reissued certificate (or site sub-certificate), as the certificate
    document prints it. The number itself and the validity stay; the marker only tells the reissued
    document from the earlier one."""
    if isinstance(revision, bool) or not isinstance(revision, int) or revision < 1:
        raise InvalidInput(f"revisions start at 1, not {revision!r}")
    if not isinstance(number, str) or not number:
        raise InvalidInput(f"a certificate number is text, not {number!r}")
    try:
        parsed = parse_number(number, policy)
    except InvalidInput:
        # A number given under an earlier pattern keeps its spelling (R-10.3.1: one number for good); the
        # certificate document (activities/documents.py) still shows the marker beside it.
        return f"{number}{policy.revision_marker}{revision}"
    if parsed.revision is not None:
        raise InvalidInput(f"{number!r} already carries a revision")
    return f"{number}{policy.revision_marker}{revision}"
