"""Certificate numbers: R-10.3.1 one number, R-10.3.2 the body's pattern, R-10.3.3 site suffixes,
R-10.3.4 reissues (same number, revision marker)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from rules.numbering import (
    DEFAULT_POLICY,
    NumberingPolicy,
    ParsedNumber,
    certificate_number,
    parse_number,
    site_certificate_number,
    with_revision,
)
from schemas.errors import InvalidInput

GOOD_PATTERNS = [
    "{body}-CCS-{year}-{seq:05d}",
    "{body}-{year}-{seq}",
    "{body}{year}{seq:06d}",
    "CCS-{seq:04d}-{body}",
    "{body}-{seq:05d}-{year}",
    "{year}.{body}.{seq}",
    "{body}_{seq:03d}_A",
    "{seq:08d}",
]


def _rule_of(exc: ValidationError) -> str:
    return exc.errors()[0]["ctx"]["error"].rule_id


# --- pattern ---------------------------------------------------------------------------------


def test_r_10_3_2_default_pattern() -> None:
    assert certificate_number(12, 2026) == "CFB-CCS-2026-00012"
    assert certificate_number(123456, 2026) == "CFB-CCS-2026-123456"  # padding is a minimum width


def test_r_10_3_2_pattern_and_body_code_are_configurable() -> None:
    policy = NumberingPolicy(body_code="ZX9", pattern="{body}{year}{seq:06d}")
    assert certificate_number(7, 2027, policy) == "ZX92027000007"


@pytest.mark.parametrize("pattern", GOOD_PATTERNS)
def test_r_10_3_2_good_patterns_accepted(pattern: str) -> None:
    number = certificate_number(42, 2026, NumberingPolicy(pattern=pattern))
    assert number == number.upper() and " " not in number


@pytest.mark.parametrize(
    ("pattern", "rule_id"),
    [
        ("{body}-{year}", "R-10.3.2"),  # no {seq}
        ("{body}-ccs-{seq}", "R-10.3.2"),  # lower case
        ("{body} CCS {seq}", "R-10.3.2"),  # spaces
        ("{body}/{seq}", "R-10.3.2"),  # '/' is the reissue marker
        ("{body}-{seq}-{seq}", "R-10.3.2"),  # field repeated
        ("{body}-{seq!r}", "R-10.3.2"),  # conversion
        ("{body}-{seq:x}", "R-10.3.2"),  # unknown format
        ("{body}-{year:02d}-{seq}", "R-10.3.2"),
        ("{org}-{seq}", "R-10.3.2"),  # unknown field
        ("{body}-{}", "R-10.3.2"),
        ("{body}-{seq}-", "R-10.3.3"),  # a trailing '-' merges with the site suffix
        ("-{body}-{seq}", "R-10.3.3"),
        ("{body}--{seq}", "R-10.3.3"),
        ("{body}-{seq:05d}-01", "R-10.3.3"),  # every number would look like a site certificate
        ("{body}-{seq}-7", "R-10.3.3"),
        ("{body}-{seq}.", "R-10.3.3"),
    ],
)
def test_r_10_3_2_bad_patterns_refused(pattern: str, rule_id: str) -> None:
    with pytest.raises(ValidationError) as info:
        NumberingPolicy(pattern=pattern)
    assert _rule_of(info.value) == rule_id
    assert rule_id in str(info.value)


@pytest.mark.parametrize("code", ["cfb", "C B", "C-B", "", "ABCDEFGHIJKLMNOPQ", "123"])
def test_r_10_3_2_bad_body_codes_refused(code: str) -> None:
    with pytest.raises(ValidationError) as info:
        NumberingPolicy(body_code=code)
    assert _rule_of(info.value) == "R-10.3.2"


@pytest.mark.parametrize("marker", ["-R", "R", "/r", "/", "/REVS", "/R1"])
def test_r_10_3_4_bad_revision_markers_refused(marker: str) -> None:
    with pytest.raises(ValidationError):
        NumberingPolicy(revision_marker=marker)


@pytest.mark.parametrize(("seq", "year"), [(0, 2026), (-1, 2026), (True, 2026), (1, 999), (1, 10000), (1.0, 2026)])
def test_r_10_3_2_bad_sequence_or_year_refused(seq: int, year: int) -> None:
    with pytest.raises(InvalidInput):
        certificate_number(seq, year)


def test_r_10_3_1_number_depends_only_on_sequence_and_year() -> None:
    """R-10.3.1 / R-10.3.5: distinct sequence values (the database never reuses one) give distinct numbers."""
    numbers = {certificate_number(seq, 2026) for seq in range(1, 2001)}
    assert len(numbers) == 2000


# --- site sub-certificates -------------------------------------------------------------------


def test_r_10_3_3_site_suffix() -> None:
    assert site_certificate_number("CFB-CCS-2026-00012", 1) == "CFB-CCS-2026-00012-1"
    assert site_certificate_number("CFB-CCS-2026-00012", 12) == "CFB-CCS-2026-00012-12"
    assert parse_number("CFB-CCS-2026-00012-3") == ParsedNumber("CFB-CCS-2026-00012", 3, None)


@pytest.mark.parametrize("index", [0, -1, True, 1.5])
def test_r_10_3_3_site_index_starts_at_one(index: int) -> None:
    with pytest.raises(InvalidInput):
        site_certificate_number("CFB-CCS-2026-00012", index)


def test_r_10_3_3_no_site_of_a_site_nor_of_a_reissue() -> None:
    with pytest.raises(InvalidInput):
        site_certificate_number("CFB-CCS-2026-00012-1", 2)
    with pytest.raises(InvalidInput):
        site_certificate_number("CFB-CCS-2026-00012/R1", 2)


def test_r_10_3_3_unpadded_pattern_site_suffix_is_the_extra_segment() -> None:
    policy = NumberingPolicy(pattern="{body}-{year}-{seq}")
    assert parse_number("CFB-2026-12", policy) == ParsedNumber("CFB-2026-12", None, None)
    assert parse_number("CFB-2026-12-1", policy) == ParsedNumber("CFB-2026-12", 1, None)


# --- reissue ---------------------------------------------------------------------------------


def test_r_10_3_4_revision_marker_keeps_the_number() -> None:
    reissued = with_revision("CFB-CCS-2026-00012", 1)
    assert reissued == "CFB-CCS-2026-00012/R1"
    assert parse_number(reissued) == ParsedNumber("CFB-CCS-2026-00012", None, 1)


def test_r_10_3_4_site_certificate_reissued() -> None:
    number = with_revision(site_certificate_number("CFB-CCS-2026-00012", 2), 3)
    assert number == "CFB-CCS-2026-00012-2/R3"
    assert parse_number(number) == ParsedNumber("CFB-CCS-2026-00012", 2, 3)


def test_r_10_3_4_revision_and_site_not_confusable() -> None:
    base = "CFB-CCS-2026-00012"
    site, revision = site_certificate_number(base, 1), with_revision(base, 1)
    assert site != revision
    assert parse_number(site).revision is None and parse_number(site).site_index == 1
    assert parse_number(revision).site_index is None and parse_number(revision).revision == 1


def test_r_10_3_4_bad_revisions_refused() -> None:
    with pytest.raises(InvalidInput):
        with_revision("CFB-CCS-2026-00012", 0)
    with pytest.raises(InvalidInput):
        with_revision("CFB-CCS-2026-00012/R1", 2)  # no revision of a revision


def test_r_10_3_4_a_number_of_an_earlier_pattern_keeps_its_spelling_with_the_marker() -> None:
    """R-10.3.1 / R-10.3.4: a number the current pattern does not describe (given under an earlier one) is
    never rewritten; its reissued document shows the marker beside it."""
    assert with_revision("CCS-DOC-001", 1) == "CCS-DOC-001/R1"
    with pytest.raises(InvalidInput):
        with_revision("", 1)


def test_r_10_3_4_revision_marker_configurable() -> None:
    policy = NumberingPolicy(revision_marker="/REV")
    number = with_revision(certificate_number(5, 2026, policy), 2, policy)
    assert number == "CFB-CCS-2026-00005/REV2"
    assert parse_number(number, policy) == ParsedNumber("CFB-CCS-2026-00005", None, 2)
    with pytest.raises(InvalidInput):
        parse_number("CFB-CCS-2026-00005/R2", policy)


# --- parsing ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "cfb-ccs-2026-00012",  # lower case
        " CFB-CCS-2026-00012",  # spaces
        "CFB-CCS-2026-00012 ",
        "CFB-CCS-2026-0012",  # too short for the padding
        "CFB-CCS-2026-000012",  # not the way the pattern writes 12
        "XYZ-CCS-2026-00012",  # another body
        "CFB-CCS-26-00012",  # year not four digits
        "CFB-CCS-2026-00012-0",  # site 0
        "CFB-CCS-2026-00012-01",  # site with a leading zero
        "CFB-CCS-2026-00012-",
        "CFB-CCS-2026-00012/R0",
        "CFB-CCS-2026-00012/R",
        "CFB-CCS-2026-00012/R1-1",  # revision before site
        "CFB-CCS-2026-00012-1-2",  # site of a site
        "CFB-CCS-2026-00012/R1/R2",
    ],
)
def test_r_10_3_parse_refuses_malformed_numbers(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_number(text)


def test_r_10_3_parse_refuses_non_text() -> None:
    with pytest.raises(InvalidInput):
        parse_number(12)  # type: ignore[arg-type]


# --- round trips --------------------------------------------------------------------------------------

policies = st.builds(
    NumberingPolicy,
    body_code=st.from_regex(r"[A-Z][A-Z0-9]{0,5}", fullmatch=True),
    pattern=st.sampled_from(GOOD_PATTERNS),
    revision_marker=st.sampled_from(["/R", "/REV", "/V"]),
)


@given(
    policies,
    st.integers(min_value=1, max_value=10**9),
    st.integers(min_value=1000, max_value=9999),
    st.none() | st.integers(min_value=1, max_value=999),
    st.none() | st.integers(min_value=1, max_value=99),
)
def test_r_10_3_property_round_trip(
    policy: NumberingPolicy, seq: int, year: int, site: int | None, revision: int | None
) -> None:
    """R-10.3.2–R-10.3.4: every number made is parsed back into the same parts."""
    base = certificate_number(seq, year, policy)
    number = base if site is None else site_certificate_number(base, site, policy)
    if revision is not None:
        number = with_revision(number, revision, policy)
    assert parse_number(number, policy) == ParsedNumber(base, site, revision)
    assert number == number.upper() and not any(ch.isspace() for ch in number)


@given(policies, st.integers(min_value=1, max_value=10**9), st.integers(min_value=1000, max_value=9999),
       st.integers(min_value=1, max_value=99))
def test_r_10_3_property_site_and_revision_never_confused(
    policy: NumberingPolicy, seq: int, year: int, n: int
) -> None:
    base = certificate_number(seq, year, policy)
    site, revision = site_certificate_number(base, n, policy), with_revision(base, n, policy)
    assert parse_number(site, policy) == ParsedNumber(base, n, None)
    assert parse_number(revision, policy) == ParsedNumber(base, None, n)
    assert parse_number(base, policy) == ParsedNumber(base, None, None)


@given(policies, st.integers(min_value=1, max_value=10**6), st.integers(min_value=1, max_value=10**6),
       st.integers(min_value=1000, max_value=9999))
def test_r_10_3_1_property_distinct_sequences_distinct_numbers(
    policy: NumberingPolicy, a: int, b: int, year: int
) -> None:
    assert (certificate_number(a, year, policy) == certificate_number(b, year, policy)) == (a == b)


def test_default_policy_is_frozen() -> None:
    with pytest.raises(ValidationError):
        DEFAULT_POLICY.pattern = "{seq}"  # type: ignore[misc]
