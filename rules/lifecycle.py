"""Calendar deadlines of a certificate's life: validity (R-10.1), surveillance (R-9.2.1), suspension
(R-9.6.3) and recertification (R-9.3).

The scheme counts these in calendar months and years, on Asia/Shanghai dates ("Dates" in RULES.md),
unlike the working-day deadlines of ``rules/calendar.py``. Nothing here reads a clock: a workflow
passes dates it derived from ``workflow.now()`` (through :func:`shanghai_date`), so a replay computes
the same deadlines.

Where the scheme leaves a choice open (the **Decision**s of RULES.md) the choice is a default of
:class:`LifecyclePolicy`, which a body overrides by passing its own policy; the scheme's hard limits
(12 months between surveillances, 6 months of suspension, 3 years of validity) bound what a policy
may say.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from datetime import MAXYEAR, MINYEAR, date, datetime, timedelta
from enum import StrEnum
from functools import cache
from math import ceil
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from schemas.errors import DataMissing, InvalidInput, RuleViolation

SCHEME_TIMEZONE = "Asia/Shanghai"

# The scheme's own ceilings; a policy may be stricter, never looser.
MAX_VALIDITY_YEARS = 3
MAX_SURVEILLANCE_INTERVAL_MONTHS = 12
MAX_SUSPENSION_MONTHS = 6


class RenewalStart(StrEnum):
    """Where a recertified certificate's new validity starts (R-9.3 Decision)."""

    AFTER_PREVIOUS_VALIDITY = "after_previous_validity"  # ISO/IEC 17021-1 style: no gap, no overlap
    ON_DECISION = "on_decision"  # the new three years start with the recertification decision


class LifecyclePolicy(BaseModel):
    """The body's choices for calendar deadlines; every default is a Decision of RULES.md or the
    scheme's own value, and the validators refuse a policy that would break the scheme."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    validity_years: int = Field(MAX_VALIDITY_YEARS, ge=1, description="R-10.1: 3 years")
    surveillance_interval_months: int = Field(
        MAX_SURVEILLANCE_INTERVAL_MONTHS,
        ge=1,
        description="R-9.2.1: at most 12 months between surveillances; any shorter value allowed (Decision)",
    )
    surveillances_per_cycle: int = Field(
        2, ge=1, description="R-9.2.1 Decision: two surveillances per validity cycle"
    )
    suspension_max_months: int = Field(
        MAX_SUSPENSION_MONTHS, ge=1, description="R-9.6.3: a suspension lasts at most 6 months"
    )
    recertification_invitation_months: int = Field(
        6, ge=1, description="R-9.3 Decision: invite the organization to recertify this long before expiry"
    )
    renewal_start: RenewalStart = Field(
        RenewalStart.AFTER_PREVIOUS_VALIDITY, description="R-9.3 Decision: where the new validity starts"
    )

    @field_validator("validity_years")
    @classmethod
    def _validity_within_scheme(cls, years: int) -> int:
        if years > MAX_VALIDITY_YEARS:
            raise RuleViolation("R-10.1", f"a certificate is valid for at most {MAX_VALIDITY_YEARS} years, not {years}")
        return years

    @field_validator("surveillance_interval_months")
    @classmethod
    def _interval_within_scheme(cls, months: int) -> int:
        if months > MAX_SURVEILLANCE_INTERVAL_MONTHS:
            raise RuleViolation(
                "R-9.2.1",
                f"surveillances may be at most {MAX_SURVEILLANCE_INTERVAL_MONTHS} months apart, not {months}",
            )
        return months

    @field_validator("suspension_max_months")
    @classmethod
    def _suspension_within_scheme(cls, months: int) -> int:
        if months > MAX_SUSPENSION_MONTHS:
            raise RuleViolation("R-9.6.3", f"a suspension lasts at most {MAX_SUSPENSION_MONTHS} months, not {months}")
        return months

    @model_validator(mode="after")
    def _plan_covers_the_cycle(self) -> LifecyclePolicy:
        # With surveillances every `interval` months and the recertification audit before expiry, fewer
        # than ceil(validity / interval) - 1 surveillances would leave a gap longer than the interval
        # before the recertification audit: a plan that breaks from the day it is made.
        cycle_months = self.validity_years * 12
        needed = ceil(cycle_months / self.surveillance_interval_months) - 1
        if self.surveillances_per_cycle < needed:
            raise RuleViolation(
                "R-9.2.1",
                f"{self.surveillances_per_cycle} surveillance(s) every {self.surveillance_interval_months} months "
                f"leave a longer gap in a {cycle_months}-month cycle; at least {needed} are needed",
            )
        if self.recertification_invitation_months >= cycle_months:
            raise InvalidInput(
                f"the recertification invitation ({self.recertification_invitation_months} months before expiry) "
                f"must fall inside the {cycle_months}-month validity"
            )
        return self


DEFAULT_POLICY = LifecyclePolicy()


class RecertificationWindow(BaseModel):
    """When to invite the organization to recertify and the last day a decision can keep the
    certificate alive without a gap (R-9.3)."""

    model_config = ConfigDict(frozen=True)

    invitation_date: date
    decision_deadline: date


# --- date arithmetic -------------------------------------------------------------------------------


def add_months(d: date, n: int) -> date:
    """Calendar-month arithmetic for the scheme's month deadlines; a day that does not exist in the
    target month is clamped to its last day (2024-01-31 + 1 month = 2024-02-29), so a deadline never
    spills into the month after and is never later than ``n`` months allow."""
    index = d.year * 12 + (d.month - 1) + n
    year, month_index = divmod(index, 12)
    if not MINYEAR <= year <= MAXYEAR:
        raise InvalidInput(f"{d.isoformat()} plus {n} months is outside the calendar", details={"date": d, "months": n})
    month = month_index + 1
    last_day = _stdlib_calendar.monthrange(year, month)[1]
    return date(year, month, min(d.day, last_day))


def _anniversary(d: date, years: int) -> date:
    # 29 February rolls forward to 1 March in a common year, so that the day before an anniversary
    # (the last day of validity) is 28 February and two issue dates never share a last day.
    year = d.year + years
    if not MINYEAR <= year <= MAXYEAR:
        raise InvalidInput(f"{d.isoformat()} plus {years} years is outside the calendar", details={"date": d})
    try:
        return d.replace(year=year)
    except ValueError:
        return date(year, 3, 1)


@cache
def _scheme_zone() -> ZoneInfo:
    try:
        return ZoneInfo(SCHEME_TIMEZONE)
    except ZoneInfoNotFoundError as exc:  # e.g. a slim image without /usr/share/zoneinfo nor `tzdata`
        raise DataMissing(f"time zone data for {SCHEME_TIMEZONE} is not installed") from exc


def shanghai_date(moment: datetime) -> date:
    """The scheme's calendar date of an instant ("Dates": Asia/Shanghai). A naive datetime is refused
    because its date would depend on the machine it runs on."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput("a naive datetime has no Asia/Shanghai date; pass an aware one", details={"moment": moment})
    return moment.astimezone(_scheme_zone()).date()


# --- validity (R-10.1) -----------------------------------------------------------------------------


def certificate_validity(issued: date, policy: LifecyclePolicy = DEFAULT_POLICY) -> tuple[date, date]:
    """R-10.1: valid from the issue date for ``validity_years`` years, the last day being the day before
    the anniversary (issued 2019-05-01 -> valid to 2022-04-30, the scheme's own example).

    Leap days: issued 2020-02-29 -> valid to 2023-02-28 (the anniversary of 29 February in a common
    year is taken as 1 March); issued 2021-03-01 -> valid to 2024-02-29.
    """
    return issued, _anniversary(issued, policy.validity_years) - timedelta(days=1)


# --- surveillance (R-9.2.1) ------------------------------------------------------------------------


def next_surveillance_due(
    decision_date: date,
    last_surveillance_date: date | None,
    policy: LifecyclePolicy = DEFAULT_POLICY,
) -> date:
    """R-9.2.1: the last day on which the next surveillance may take place.

    "At most 12 months between" is read inclusively: a surveillance on the due date itself
    (``add_months(reference, interval)``) is in time; the day after is late (and R-9.6.2's Decision
    applies). The reference is the certification decision for the first surveillance of a cycle
    (Decision, as ISO/IEC 17021-1; after a recertification pass the recertification decision), then the
    date of the previous surveillance audit. Extra surveillances a person adds (R-9.2.1, R-11) count as
    the previous one like any other.
    """
    if last_surveillance_date is None:
        return add_months(decision_date, policy.surveillance_interval_months)
    if last_surveillance_date < decision_date:
        raise InvalidInput(
            "the previous surveillance precedes the certification decision of this cycle",
            details={"decision_date": decision_date, "last_surveillance_date": last_surveillance_date},
        )
    return add_months(last_surveillance_date, policy.surveillance_interval_months)


# --- suspension (R-9.6.3) --------------------------------------------------------------------------


def suspension_end(start: date, policy: LifecyclePolicy = DEFAULT_POLICY, *, months: int | None = None) -> date:
    """R-9.6.3: the day by which a suspension that began on ``start`` has ended at the latest, lifted
    or (R-9.6.5) turned into withdrawal or scope reduction.

    Counting ``start`` as the first suspended day, ``start`` up to the day before the returned date is
    exactly the allowed number of calendar months, like R-10.1's validity. ``months`` is the time the
    body sets for one case (R-9.6.5); it may be shorter than the policy, never longer.
    """
    limit = policy.suspension_max_months
    if months is None:
        months = limit
    if months < 1:
        raise InvalidInput("a suspension lasts at least one month", details={"months": months})
    if months > limit:
        raise RuleViolation("R-9.6.3", f"a suspension lasts at most {limit} months, not {months}")
    return add_months(start, months)


# --- recertification (R-9.3) -----------------------------------------------------------------------


def recertification_window(valid_to: date, policy: LifecyclePolicy = DEFAULT_POLICY) -> RecertificationWindow:
    """R-9.3: recertification happens before the certificate expires.

    The invitation goes out ``recertification_invitation_months`` before the day of expiry (Decision,
    default 6 months: time for the application, the audits and the decision); the decision deadline
    is ``valid_to`` itself, the last day the certificate is valid.
    """
    expiry = valid_to + timedelta(days=1)
    return RecertificationWindow(
        invitation_date=add_months(expiry, -policy.recertification_invitation_months),
        decision_deadline=valid_to,
    )


def renewed_validity(
    old_valid_to: date,
    policy: LifecyclePolicy = DEFAULT_POLICY,
    *,
    decision_date: date | None = None,
) -> tuple[date, date]:
    """R-9.3 Decision: a successful recertification keeps the certificate number (R-10.3.1) and by
    default runs the new validity for ``validity_years`` from the day after the old one ends, so that
    deciding early neither shortens nor lengthens the certification. The issue date printed is the
    decision date; that is the caller's, not a validity date.

    A decision after ``old_valid_to`` is no renewal: the certificate has expired (R-9.3).
    """
    if decision_date is not None and decision_date > old_valid_to:
        raise RuleViolation(
            "R-9.3",
            f"the recertification decision of {decision_date.isoformat()} comes after the certificate "
            f"expired ({old_valid_to.isoformat()} was its last day)",
        )
    if policy.renewal_start is RenewalStart.ON_DECISION:
        if decision_date is None:
            raise InvalidInput("this policy starts the new validity on the decision date; pass decision_date")
        return certificate_validity(decision_date, policy)
    if old_valid_to >= date.max:
        raise InvalidInput("no validity can follow the last representable date", details={"valid_to": old_valid_to})
    return certificate_validity(old_valid_to + timedelta(days=1), policy)
