"""Audit time in person-days: Appendix A of the scheme (R-A.*) and its adjustment (R-9.1.2.7).

The scheme gives a reference table by effective headcount (R-A.table) and lets the body adjust it for
size, complexity, scope and risk, provided the adjusted value and the reasons are recorded in the
programme (R-9.1.2.7). Surveillance and recertification time follow from the initial time (R-A.n1b,
R-A.n1c), and most of any audit must be spent on site (R-A.n1a).

Person-days are counted in half days. **Decision**: computed values are rounded *up* to the next
step (``AuditTimePolicy.day_step``, 0.5 by default); up, because the minimums of R-A.n1a/b/c would
be broken by rounding down. Arithmetic is exact (``Fraction``), so 2/3 of 4.5 is exactly 3.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from bisect import bisect_left
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from schemas.errors import InvalidInput, RuleViolation

DATA_FILE = Path(__file__).resolve().parent / "data" / "audit_time.json"

# Scheme numbers, not Decisions: Appendix A note 1 a)–e).
ONSITE_SHARE = Fraction(4, 5)  # R-A.n1a
SURVEILLANCE_SHARE, SURVEILLANCE_FLOOR = Fraction(1, 3), Decimal(1)  # R-A.n1b
RECERTIFICATION_SHARE, RECERTIFICATION_FLOOR = Fraction(2, 3), Decimal(2)  # R-A.n1c


class AuditTimeBand(BaseModel):
    model_config = ConfigDict(frozen=True)

    lower: int = Field(ge=1)
    upper: int
    days: Decimal = Field(gt=0)
    source: str = ""


class AuditTimeTable(BaseModel):
    """The R-A.table rows as data, so the body can review and change them without touching code.

    ``beyond_width``/``beyond_step`` are the **Decision** for "then the same progression" above the last
    row: each further started block of ``beyond_width`` employees adds ``beyond_step`` person-days.
    """

    model_config = ConfigDict(frozen=True)

    bands: tuple[AuditTimeBand, ...] = Field(min_length=1)
    beyond_width: int = Field(gt=0)
    beyond_step: Decimal = Field(ge=0)

    @model_validator(mode="after")
    def _contiguous_and_monotone(self) -> Self:
        # A gap or an overlap would leave a headcount with no answer or two; falling days would
        # make a larger organization cheaper to audit.
        if self.bands[0].lower != 1:
            raise ValueError("the first band must start at headcount 1")
        for prev, band in itertools.pairwise(self.bands):
            if band.lower != prev.upper + 1:
                raise ValueError(f"band {band.lower}-{band.upper} does not follow {prev.lower}-{prev.upper}")
            if band.days < prev.days:
                raise ValueError(f"band {band.lower}-{band.upper} has fewer days than the one before")
        for band in self.bands:
            if band.upper < band.lower:
                raise ValueError(f"band {band.lower}-{band.upper} is empty")
        return self

    @classmethod
    def default(cls) -> AuditTimeTable:
        return _load_default_table()


@functools.cache
def _load_default_table() -> AuditTimeTable:
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"), parse_float=Decimal)
    return AuditTimeTable(
        bands=raw["bands"], beyond_width=raw["beyond"]["width"], beyond_step=raw["beyond"]["step"]
    )


class AuditTimePolicy(BaseModel):
    """The body's **Decisions** on audit time, with the defaults RULES.md records; override per call."""

    model_config = ConfigDict(frozen=True)

    table: AuditTimeTable = Field(default_factory=AuditTimeTable.default)
    # R-A.table Decision: rows beyond the scheme's own are ours, so a manager confirms them.
    manager_confirmation_above: int = 1175
    # R-9.1.2.7 Decision: bounds of the net adjustment, in % of the table value (IAF MD 5 caps reductions at 30 %).
    max_reduction_percent: Decimal = Field(default=Decimal(30), ge=0, lt=100)
    max_increase_percent: Decimal = Field(default=Decimal(50), ge=0)
    # Decision: the unit person-days are rounded up to.
    day_step: Decimal = Field(default=Decimal("0.5"), gt=0)
    # R-A.n1b Decision: "a year's surveillance" is the surveillance period counted from the last planned
    # surveillance (or the cycle's decision) to the next one; the audits a person adds in it count towards
    # its total, checked when the planned one that closes it is programmed. "each_audit": every
    # surveillance audit reaches the minimum alone.
    surveillance_year: Literal["since_last_surveillance", "each_audit"] = "since_last_surveillance"

    @model_validator(mode="after")
    def _step_divides_floors(self) -> Self:
        # The 1-day and 2-day floors of R-A.n1b/c must be expressible in steps.
        if Decimal(1) % self.day_step != 0:
            raise ValueError("day_step must divide one day")
        return self


class TableAuditTime(BaseModel):
    """The R-A.table starting point for one headcount, with the band it came from."""

    model_config = ConfigDict(frozen=True)

    headcount: int
    days: Decimal
    lower: int
    upper: int
    source: str
    needs_manager_confirmation: bool


class Adjustment(BaseModel):
    """One reason the body departs from the table value (R-9.1.2.7), in person-days."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    kind: Literal["reduction", "increase"]
    days: Decimal = Field(gt=0)
    reason: str

    @property
    def signed_days(self) -> Decimal:
        return self.days if self.kind == "increase" else -self.days


class AdjustedAuditTime(BaseModel):
    """What the programme records (R-9.1.2.7): the table value, the adjusted value and why."""

    model_config = ConfigDict(frozen=True)

    table_days: Decimal
    adjusted_days: Decimal
    net_change_days: Decimal
    adjustments: tuple[Adjustment, ...] = ()

    @computed_field  # type: ignore[prop-decorator]
    @property
    def reasons(self) -> list[str]:
        return [a.reason for a in self.adjustments]


def table_audit_time(headcount: int, policy: AuditTimePolicy | None = None) -> TableAuditTime:
    """Look the effective headcount up in Appendix A (R-A.table), continued beyond it by Decision."""
    _check_headcount(headcount)
    policy = _policy(policy)
    bands = policy.table.bands
    i = bisect_left([b.upper for b in bands], headcount)
    if i < len(bands):
        band = bands[i]
        lower, upper, days, source = band.lower, band.upper, band.days, band.source
    else:
        last, width = bands[-1], policy.table.beyond_width
        blocks = -(-(headcount - last.upper) // width)  # started blocks beyond the last row
        lower, upper = last.upper + (blocks - 1) * width + 1, last.upper + blocks * width
        days = last.days + blocks * policy.table.beyond_step
        source = "Decision: progression beyond the table"
    return TableAuditTime(
        headcount=headcount,
        days=days,
        lower=lower,
        upper=upper,
        source=source,
        needs_manager_confirmation=headcount > policy.manager_confirmation_above,
    )


def adjust_audit_time(
    table_days: Decimal | int,
    adjustments: Sequence[Adjustment],
    policy: AuditTimePolicy | None = None,
) -> AdjustedAuditTime:
    """Apply the body's adjustments to the table value (R-9.1.2.7).

    Each needs a reason, because the programme must say why the time departs from the table. The
    policy bounds the *net* change, as IAF MD 5 bounds the overall reduction whatever the factors.
    The bound is checked on the change as asked; rounding up to ``day_step`` comes after, so the
    result may exceed the increase bound by less than one step (never the reduction bound).
    """
    policy = _policy(policy)
    base = _days(table_days, "table_days")
    items = tuple(adjustments)
    for n, item in enumerate(items, 1):
        if not isinstance(item, Adjustment):
            raise InvalidInput(f"adjustment {n} must be an Adjustment, not {type(item).__name__}")
        if not item.reason:
            raise RuleViolation("R-9.1.2.7", f"adjustment {n} ({item.kind} of {item.days} person-days) has no reason")
    net = sum((a.signed_days for a in items), Decimal(0))
    percent = Fraction(net) / Fraction(base) * 100  # exact, so a change of exactly the bound passes
    details = {"table_days": str(base), "net_change_days": str(net)}
    if -percent > policy.max_reduction_percent:
        raise RuleViolation(
            "R-9.1.2.7",
            f"the adjustments reduce the audit time by {float(-percent):.1f} %, more than the "
            f"{policy.max_reduction_percent} % allowed",
            details=details,
        )
    if percent > policy.max_increase_percent:
        raise RuleViolation(
            "R-9.1.2.7",
            f"the adjustments increase the audit time by {float(percent):.1f} %, more than the "
            f"{policy.max_increase_percent} % allowed",
            details=details,
        )
    return AdjustedAuditTime(
        table_days=base,
        adjusted_days=_round_up(Fraction(base + net), policy),
        net_change_days=net,
        adjustments=items,
    )


def confirmed_audit_time(
    proposed: Decimal | int,
    *,
    change: bool,
    person_days: Decimal | int | None,
    reason: str,
    policy: AuditTimePolicy | None = None,
) -> Decimal:
    """R-A.table Decision: the time a manager confirms for a headcount beyond the scheme's own rows.

    Those rows are our continuation of Appendix A, so a manager either confirms the time the review set
    or sets another, in the policy's steps and with a reason, since R-9.1.2.7 records every departure
    from the table value with its reasons. The review's bounds on adjustments do not apply: correcting
    the continued table value itself is what the manager is asked for.
    """
    policy, base = _policy(policy), _days(proposed, "proposed")
    if not change:
        return base
    if person_days is None:
        raise RuleViolation("R-A.table", "a changed audit time gives the person-days (person_days)")
    days = _days(person_days, "person_days")
    if days % policy.day_step:
        raise RuleViolation("R-A.table", f"audit time is set in steps of {_show(policy.day_step)} person-days, "
                            f"not {_show(days)}")
    if days == base:
        raise RuleViolation("R-A.table", f"{_show(days)} person-days is the time proposed: confirm it instead")
    if not reason.strip():
        raise RuleViolation("R-9.1.2.7", "a changed audit time gives its reason: it is recorded with the time")
    return days


def minimum_onsite_days(total: Decimal | int, policy: AuditTimePolicy | None = None) -> Decimal:
    """The least on-site time, in steps, for a total audit time (R-A.n1a: at least 80 %): what a
    refusal of :func:`check_onsite_days` tells the programme manager to plan.

    **Decision** (RULES.md R-A.n1a): the scheme's "audit time" there is read, as in IAF MD 5, as time
    on site; the rest may be off-site work such as document review and reporting.
    """
    return _round_up(Fraction(_days(total, "total")) * ONSITE_SHARE, _policy(policy))


def check_onsite_days(total: Decimal | int, onsite: Decimal | int, policy: AuditTimePolicy | None = None) -> None:
    """Refuse a plan whose on-site time is under 80 % of the total audit time (R-A.n1a), saying the least
    on-site time in steps that would pass."""
    whole, part = _days(total, "total"), _days(onsite, "onsite", allow_zero=True)
    if part > whole:
        raise InvalidInput(f"on-site time {part} cannot exceed the total audit time {whole}")
    if Fraction(part) < Fraction(whole) * ONSITE_SHARE:
        least = minimum_onsite_days(whole, policy)
        raise RuleViolation(
            "R-A.n1a",
            f"on-site time {_show(part)} person-days is under 80 % of the total audit time {_show(whole)}: "
            f"plan at least {_show(least)} on site",
            details={"total": _show(whole), "onsite": _show(part), "minimum_onsite": _show(least)},
        )


def surveillance_days(initial: Decimal | int, policy: AuditTimePolicy | None = None) -> Decimal:
    """The least person-days of one year's surveillance: 1/3 of the initial time, at least 1 day (R-A.n1b)."""
    minimum = _round_up(Fraction(_days(initial, "initial")) * SURVEILLANCE_SHARE, _policy(policy))
    return max(minimum, SURVEILLANCE_FLOOR)


def check_surveillance_year(
    initial: Decimal | int,
    planned: Decimal | int,
    earlier_in_year: Decimal | int = 0,
    policy: AuditTimePolicy | None = None,
) -> None:
    """Refuse a surveillance programme whose year falls short of R-A.n1b's minimum.

    R-A.n1b lets a year's surveillance be one audit or several and applies the minimum to their total,
    so ``planned`` (this programme) counts together with ``earlier_in_year``, what the year's other
    surveillance audits already planned; the refusal says what the total is and what is missing, so
    the programme manager knows how much to add. With ``surveillance_year="each_audit"`` the others
    are not counted (the stricter reading).
    """
    policy = _policy(policy)
    base = _days(initial, "initial")
    this = _days(planned, "planned", allow_zero=True)
    earlier = _days(earlier_in_year, "earlier_in_year", allow_zero=True)
    if policy.surveillance_year == "each_audit":
        earlier = Decimal(0)
    minimum, total = surveillance_days(base, policy), this + earlier
    if total < minimum:
        raise RuleViolation(
            "R-A.n1b",
            f"this surveillance year's audits total {_show(total)} person-days ({_show(this)} in this "
            f"programme, {_show(earlier)} in the year's other surveillance audits), below the minimum of "
            f"{_show(minimum)} (1/3 of the initial {_show(base)}, at least {SURVEILLANCE_FLOOR} day): "
            f"{_show(minimum - total)} person-days missing",
            details={"initial": _show(base), "minimum": _show(minimum), "year_total": _show(total),
                     "missing": _show(minimum - total)},
        )


def check_surveillance_programme(
    initial: Decimal | int,
    planned: Decimal | int,
    *,
    earlier_in_year: Decimal | int,
    closes_year: bool,
    policy: AuditTimePolicy | None = None,
) -> None:
    """R-A.n1b for one surveillance programme of a certificate's life.

    The planned surveillance closes its year, so the year's total is checked there. An extra one a
    person added (R-9.2.1, R-11) is part of a year still open: under the default Decision it is not held
    to the yearly minimum alone (it counts towards the year's total); under ``each_audit`` it is.
    """
    policy = _policy(policy)
    if policy.surveillance_year == "each_audit":
        check_surveillance_year(initial, planned, 0, policy)
    elif closes_year:
        check_surveillance_year(initial, planned, earlier_in_year, policy)


def recertification_days(initial: Decimal | int, policy: AuditTimePolicy | None = None) -> Decimal:
    """The least person-days of a recertification: 2/3 of the initial time, at least 2 days (R-A.n1c)."""
    minimum = _round_up(Fraction(_days(initial, "initial")) * RECERTIFICATION_SHARE, _policy(policy))
    return max(minimum, RECERTIFICATION_FLOOR)


@functools.cache
def _default_policy() -> AuditTimePolicy:
    return AuditTimePolicy()


def _policy(policy: AuditTimePolicy | None) -> AuditTimePolicy:
    if policy is None:
        return _default_policy()
    if not isinstance(policy, AuditTimePolicy):
        raise InvalidInput(f"policy must be an AuditTimePolicy, not {type(policy).__name__}")
    return policy


def _round_up(value: Fraction | Decimal, policy: AuditTimePolicy) -> Decimal:
    step = policy.day_step
    return math.ceil(Fraction(value) / Fraction(step)) * step


def _show(days: Decimal) -> str:
    """Person-days as people write them: 8, 2.5 (not 8.0, nor 1E+1)."""
    return format(days.normalize(), "f")


def _check_headcount(headcount: object) -> None:
    if isinstance(headcount, bool) or not isinstance(headcount, int):
        raise InvalidInput(
            f"effective headcount must be a whole number of people, not {headcount!r}",
            details={"headcount": repr(headcount)},
        )
    if headcount <= 0:
        raise InvalidInput(f"effective headcount must be at least 1, not {headcount}", details={"headcount": headcount})


def _days(value: object, name: str, *, allow_zero: bool = False) -> Decimal:
    # Floats are refused: 0.1 person-day is not 0.1 in binary, and these values are recorded.
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise InvalidInput(f"{name} must be an int or Decimal number of person-days, not {value!r}")
    days = Decimal(value)
    if not days.is_finite() or days < 0 or (days == 0 and not allow_zero):
        raise InvalidInput(f"{name} must be a positive number of person-days, not {value!r}")
    return days
