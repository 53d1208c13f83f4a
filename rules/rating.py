"""The service rating of R-6: compliant (达标级, CC-CMM L2), three-star (L3), four-star (L4), five-star (L5).

The item catalogue and the thresholds are data, not code (R-6.result Decision), so that the body can
review them and replace them without a release:

- ``rules/data/catalogue_illustrative.json``: the real CC-CMM 2018 catalogue is not public, so the
  project ships an ILLUSTRATIVE one (``"illustrative": true``; invented item ids, titles and maxima)
  whose maxima let every threshold be reached. A rating made with it says so
  (:attr:`RatingResult.illustrative_catalogue`).
- ``rules/data/rating_thresholds.json``: each level is a list of generic conditions (metric, a named
  scope of sections, pooled or each section, minimum). The R-6.L2L3 Decision, L2/L3 totals counted over
  1.0–4.0, is the ``l2_l3_total`` scope there.

Rates are decided with exact fractions, never floats: 90 % of 10 items means 9 items, and 8.999… is
not 9.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from enum import StrEnum
from fractions import Fraction
from functools import cache, partial
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from schemas.errors import InvalidInput, RuleViolation

DATA_DIR = Path(__file__).parent / "data"
CATALOGUE_FILE = DATA_DIR / "catalogue_illustrative.json"
THRESHOLDS_FILE = DATA_DIR / "rating_thresholds.json"

SectionId = Literal["1.0", "2.0", "3.0", "4.0", "5.0"]


class Level(StrEnum):
    """Rating levels, lowest first; the order is the ranking."""

    COMPLIANT = "compliant"  # 达标级, CC-CMM L2 (R-6.L2)
    THREE_STAR = "three_star"  # 三星级, CC-CMM L3 (R-6.L3)
    FOUR_STAR = "four_star"  # 四星级, CC-CMM L4 (R-6.L4)
    FIVE_STAR = "five_star"  # 五星级, CC-CMM L5 (R-6.L5)


LEVEL_RANK: dict[Level, int] = {level: rank for rank, level in enumerate(Level)}


class Metric(StrEnum):
    METHOD_RATE = "method_rate"  # % of items method compliant (方法合规)
    EXECUTION_RATE = "execution_rate"  # % of items with execution in place (执行到位)
    TOTAL_SCORE = "total_score"  # sum of method and execution scores


class Aggregation(StrEnum):
    POOLED = "pooled"  # all items of the scope's sections counted together (R-6.L4 "1.0~4.0 中")
    EACH = "each"  # every section of the scope on its own (R-6.L5 "每一部分")


_FROZEN = ConfigDict(frozen=True, extra="forbid")


# --- catalogue ---------------------------------------------------------------------------------------


class CatalogueItem(BaseModel):
    model_config = _FROZEN

    id: str = Field(min_length=1)
    section: SectionId
    title: str
    max_method: Decimal = Field(gt=0)
    max_execution: Decimal = Field(gt=0)


class Catalogue(BaseModel):
    """The items (control points) an on-site audit scores, each in one section (R-6)."""

    model_config = _FROZEN

    illustrative: bool
    note: str = ""
    version: str
    sections: dict[SectionId, str] = Field(default_factory=dict)
    items: tuple[CatalogueItem, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_unique(self) -> Catalogue:
        duplicates = sorted(i for i, n in Counter(item.id for item in self.items).items() if n > 1)
        if duplicates:
            raise ValueError(f"catalogue item ids must be unique; repeated: {', '.join(duplicates)}")
        return self

    def by_id(self) -> dict[str, CatalogueItem]:
        return {item.id: item for item in self.items}

    def max_total(self, sections: Iterable[str]) -> Decimal:
        wanted = set(sections)
        return sum((i.max_method + i.max_execution for i in self.items if i.section in wanted), Decimal(0))


# --- thresholds --------------------------------------------------------------------------------------


class Condition(BaseModel):
    model_config = _FROZEN

    rule_id: str
    metric: Metric
    scope: str
    aggregation: Aggregation = Aggregation.POOLED
    minimum: Decimal = Field(ge=0)
    description: str


class LevelThresholds(BaseModel):
    model_config = _FROZEN

    level: Level
    cc_cmm: str
    rule_id: str
    conditions: tuple[Condition, ...] = Field(min_length=1)


class RatingThresholds(BaseModel):
    """R-6's conditions per level, as reviewed data; ``scopes`` names sets of sections."""

    model_config = _FROZEN

    note: str = ""
    decisions: dict[str, str] = Field(default_factory=dict)
    scopes: dict[str, tuple[SectionId, ...]]
    levels: tuple[LevelThresholds, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> RatingThresholds:
        ranks = [LEVEL_RANK[lt.level] for lt in self.levels]
        if ranks != sorted(set(ranks)):
            raise ValueError("levels must be listed once each, lowest first")
        for lt in self.levels:
            for cond in lt.conditions:
                if not self.scopes.get(cond.scope):
                    raise ValueError(f"{lt.level}: unknown or empty scope {cond.scope!r}")
                if cond.metric is not Metric.TOTAL_SCORE and cond.minimum > 100:
                    raise ValueError(f"{lt.level}: a rate cannot require more than 100 %")
        return self


# --- item results and outcome ------------------------------------------------------------------------


class ItemResult(BaseModel):
    """One item as the on-site audit assessed it. Ranges depend on the catalogue, so :func:`rate`
    checks them, all at once."""

    model_config = _FROZEN

    item_id: str
    method_compliant: bool
    executed: bool
    method_score: Decimal
    execution_score: Decimal


class ConditionOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    rule_id: str
    description: str
    metric: Metric
    sections: tuple[SectionId, ...]
    required: Decimal  # % for rates, points for totals
    actual: Decimal  # % rounded down to 0.01 for display (the decision is exact), or points
    items_met: int | None = None  # rates: items meeting the criterion ...
    items_total: int | None = None  # ... out of the items in these sections
    passed: bool


class LevelOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    level: Level
    cc_cmm: str
    rule_id: str
    reached: bool
    conditions: tuple[ConditionOutcome, ...]

    @property
    def failed(self) -> tuple[ConditionOutcome, ...]:
        return tuple(c for c in self.conditions if not c.passed)


class RatingResult(BaseModel):
    """What the decision maker sees (R-9.1.9): the level, and for every level not reached why not."""

    model_config = ConfigDict(frozen=True)

    level: Level | None
    cc_cmm: str | None
    summary: str
    levels: tuple[LevelOutcome, ...]
    illustrative_catalogue: bool
    catalogue_version: str

    @property
    def not_reached(self) -> tuple[LevelOutcome, ...]:
        return tuple(lo for lo in self.levels if not lo.reached)


class RatingPolicy(BaseModel):
    """R-6.result Decision: without a level, granting is refused unless the body allows it."""

    model_config = _FROZEN

    allow_grant_without_level: bool = False
    # Decision: a surveillance rates a sample of the items; the certificate may be
    # maintained only at a level its sample reaches, unless the body leaves that to the decision maker.
    maintain_only_at_sampled_level: bool = True


DEFAULT_RATING_POLICY = RatingPolicy()  # the scheme's defaults; frozen, so one instance serves every caller


# --- loading -----------------------------------------------------------------------------------------


@cache
def default_catalogue() -> Catalogue:
    return Catalogue.model_validate_json(CATALOGUE_FILE.read_text(encoding="utf-8"))


@cache
def default_thresholds() -> RatingThresholds:
    return RatingThresholds.model_validate_json(THRESHOLDS_FILE.read_text(encoding="utf-8"))


# --- rating ------------------------------------------------------------------------------------------


def _validated_results(
    results: Iterable[ItemResult | Mapping[str, Any]], catalogue: Catalogue, *, sample: bool = False
) -> dict[str, ItemResult]:
    """Refuse the whole set with every problem listed, so the auditor fixes them in one go."""
    items = catalogue.by_id()
    parsed: list[ItemResult] = []
    malformed: list[str] = []
    for position, raw in enumerate(results):
        try:
            parsed.append(raw if isinstance(raw, ItemResult) else ItemResult.model_validate(raw))
        except ValidationError as exc:
            malformed.extend(f"#{position} {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())

    counts = Counter(r.item_id for r in parsed)
    problems: dict[str, list[Any]] = {
        "malformed": malformed,
        "unknown_items": sorted({r.item_id for r in parsed if r.item_id not in items}),
        "duplicate_items": sorted(i for i, n in counts.items() if n > 1),
        "out_of_range": [],
        "not_assessed": [] if sample else [item.id for item in catalogue.items if item.id not in counts],
    }
    for r in parsed:
        item = items.get(r.item_id)
        if item is None:
            continue
        for field, value, maximum in (
            ("method_score", r.method_score, item.max_method),
            ("execution_score", r.execution_score, item.max_execution),
        ):
            if not value.is_finite() or not 0 <= value <= maximum:
                problems["out_of_range"].append(
                    {"item_id": r.item_id, "field": field, "value": str(value), "maximum": str(maximum)}
                )
    problems = {k: v for k, v in problems.items() if v}
    if problems:
        listed = "; ".join(
            f"{k.replace('_', ' ')}: "
            + ", ".join(p if isinstance(p, str) else f"{p['item_id']}.{p['field']}={p['value']}" for p in v)
            for k, v in problems.items()
        )
        raise InvalidInput(f"the item results cannot be rated: {listed}", details=problems, rule_id="R-6")
    return {r.item_id: r for r in parsed}


def _percent_for_display(met: int, total: int) -> Decimal:
    return (Decimal(met) * 100 / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)


def _evaluate(
    cond: Condition,
    sections: tuple[SectionId, ...],
    catalogue: Catalogue,
    results: Mapping[str, ItemResult],
    sampled_from: Catalogue | None = None,
) -> ConditionOutcome:
    """One condition over the items of ``sections``; with ``sampled_from`` (R-9.2.6), over the sampled
    items only: a rate over those of the sections, a total against the minimum pro rata of the sampled
    items' maxima, and a section left out of the sample is not held against it."""
    in_scope = [results[item.id] for item in catalogue.items if item.section in sections]
    outcome = partial(ConditionOutcome, rule_id=cond.rule_id, description=cond.description, metric=cond.metric,
                      sections=sections)
    if cond.metric is Metric.TOTAL_SCORE:
        total = sum((r.method_score + r.execution_score for r in in_scope), Decimal(0))
        required = cond.minimum
        if sampled_from is not None:
            share = catalogue.max_total(sections) / sampled_from.max_total(sections)
            required = (cond.minimum * share).quantize(Decimal("0.01"), rounding=ROUND_CEILING)
        return outcome(required=required, actual=total, passed=total >= required)
    if not in_scope and sampled_from is not None:
        return outcome(required=cond.minimum, actual=Decimal(0), items_met=0, items_total=0, passed=True)
    if not in_scope:
        raise InvalidInput(f"the catalogue has no items in section(s) {', '.join(sections)} to rate {cond.description}")
    met = sum(1 for r in in_scope if (r.method_compliant if cond.metric is Metric.METHOD_RATE else r.executed))
    passed = Fraction(met, len(in_scope)) * 100 >= Fraction(cond.minimum)
    return outcome(
        required=cond.minimum,
        actual=_percent_for_display(met, len(in_scope)),
        items_met=met,
        items_total=len(in_scope),
        passed=passed,
    )


def rate(
    results: Iterable[ItemResult | Mapping[str, Any]],
    catalogue: Catalogue | None = None,
    thresholds: RatingThresholds | None = None,
    *,
    sample: bool = False,
) -> RatingResult:
    """R-6: the level the assessed items reach.

    R-6.result Decision: the highest level whose every condition holds (R-6.L2 … R-6.L5, as data);
    lower levels are reported but not required in addition. Every item of the catalogue must have been
    assessed exactly once with scores within its maxima, else :class:`InvalidInput` lists them all.
    With ``sample`` (a surveillance, R-9.2.6), the items assessed are a sample: each at most once, and
    the level is the one the sample reaches (:func:`_evaluate`; R-9.2.6 Decision, README).
    """
    catalogue = catalogue or default_catalogue()
    thresholds = thresholds or default_thresholds()
    by_id = _validated_results(results, catalogue, sample=sample)
    sampled_from = None
    if sample:
        if not by_id:
            raise InvalidInput("a surveillance assesses at least one item of the catalogue (R-9.2.6)")
        sampled_from = catalogue
        catalogue = catalogue.model_copy(update={"items": tuple(i for i in catalogue.items if i.id in by_id)})

    outcomes: list[LevelOutcome] = []
    for lt in thresholds.levels:
        conditions: list[ConditionOutcome] = []
        for cond in lt.conditions:
            scope = thresholds.scopes[cond.scope]
            groups = [scope] if cond.aggregation is Aggregation.POOLED else [(s,) for s in scope]
            conditions.extend(_evaluate(cond, group, catalogue, by_id, sampled_from) for group in groups)
        outcomes.append(
            LevelOutcome(
                level=lt.level,
                cc_cmm=lt.cc_cmm,
                rule_id=lt.rule_id,
                reached=all(c.passed for c in conditions),
                conditions=tuple(conditions),
            )
        )

    reached = [lo for lo in outcomes if lo.reached]
    best = reached[-1] if reached else None
    if best is None:
        summary = "the organization reaches no rating level (R-6.result)"
    else:
        summary = f"rating: {best.level.value} (CC-CMM {best.cc_cmm}, {best.rule_id})"
    if sampled_from is not None:  # a sample
        summary += f"; over a sample of {len(by_id)} of {len(sampled_from.items)} items (R-9.2.6)"
    if catalogue.illustrative:
        summary += "; rated against the ILLUSTRATIVE catalogue, not the CC-CMM one"
    result = RatingResult(level=best.level if best else None, cc_cmm=best.cc_cmm if best else None, summary=summary,
                          levels=tuple(outcomes), illustrative_catalogue=catalogue.illustrative,
                          catalogue_version=catalogue.version)
    # The decision maker and the organization see what the next level up lacks.
    above = [lo for lo in result.not_reached if best is None or LEVEL_RANK[lo.level] > LEVEL_RANK[best.level]]
    if above:
        missed = "; ".join(dict.fromkeys(c.description for c in above[0].failed))
        result = result.model_copy(update={"summary": f"{summary}; {above[0].level.value} not reached: {missed}"})
    return result


def check_level_decided(
    decided: Level | str, computed: Level | str | None, policy: RatingPolicy = DEFAULT_RATING_POLICY
) -> None:
    """R-6.result Decision, for every decision that fixes the service level: the grant (R-9.1.9 a) and
    the renewal (R-9.3), which is decided like the initial one. The level decided is never above the one
    the audit computed; when the audit computed none, the decision is refused unless the body's policy
    allows granting without a level (``allow_grant_without_level``), and then any level may be named."""
    if computed is None:
        if not policy.allow_grant_without_level:
            raise RuleViolation("R-6.result", "the audit reached no level, so certification cannot be granted")
        return
    if LEVEL_RANK[Level(decided)] > LEVEL_RANK[Level(computed)]:
        raise RuleViolation("R-6.result", f"the level decided ({Level(decided).value}) may not be above the level "
                            f"the audit computed ({Level(computed).value})")
