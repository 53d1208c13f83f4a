"""What a surveillance samples: clauses and departments (R-9.2.5, with the coverage of R-9.2.1).

The scheme asks that the surveillances of one validity cycle together cover every clause and every
department (R-9.2.1, R-9.2.5 (1)); that decisive clauses and departments are in every surveillance
(R-9.2.5 (2)); that departments with many findings last time are in this one (R-9.2.5 (3)); and that
clauses the team deems important are considered (R-9.2.5 (4)).

:func:`propose_sampling` computes a proposal the team sees and may change; :func:`check_sampling`
refuses a sample that breaks one of those rules, with the rule id. Both are pure: the workflow passes
what earlier surveillances covered and found.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from math import ceil

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.errors import InvalidInput, RuleViolation

# a–g: what an on-site audit evaluates; a surveillance samples among them.
AUDIT_CLAUSES: tuple[str, ...] = (
    "context",  # a
    "leadership",  # b
    "planning",  # c
    "support",  # d
    "operation",  # e
    "performance_evaluation",  # f
    "improvement",  # g
)

# what every surveillance looks at, whatever is sampled.
EVERY_SURVEILLANCE_TOPICS: tuple[str, ...] = (
    "internal audit and management review",
    "the last audit's nonconformities",
    "complaints",
    "effectiveness of the service system",
    "continual improvement",
    "operational control",
    "changes",
    "use of the certificate and mark",
)


class SamplingPolicy(BaseModel):
    """The body's choices for sampling; every default is a Decision (the scheme names no figures)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    clauses: tuple[str, ...] = Field(AUDIT_CLAUSES, min_length=1, description="R-9.1.7 a–g")
    decisive_clauses: tuple[str, ...] = Field(
        ("operation", "performance_evaluation"),
        description="R-9.2.5 (2) Decision: service delivery and its measurement are decisive",
    )
    many_findings_threshold: int = Field(
        2, ge=1, description="R-9.2.5 (3) Decision: this many findings last time makes a department a must"
    )

    @model_validator(mode="after")
    def _decisive_are_clauses(self) -> SamplingPolicy:
        unknown = [c for c in self.decisive_clauses if c not in self.clauses]
        if unknown:
            raise ValueError(f"decisive clauses not among the clauses: {', '.join(unknown)}")
        if len(set(self.clauses)) != len(self.clauses):
            raise ValueError("clauses must not repeat")
        return self


class SamplingProposal(BaseModel):
    """What the team is shown: the sample, why each item is in it, and what is left for later."""

    clauses: list[str]
    departments: list[str]
    reasons: dict[str, str] = Field(description="clause or department → why it is sampled")
    topics: list[str] = Field(default_factory=lambda: list(EVERY_SURVEILLANCE_TOPICS))
    remaining_clauses: list[str] = Field(description="not yet covered in this cycle after this sample")
    remaining_departments: list[str]


def _ordered(items: Iterable[str], order: Sequence[str]) -> list[str]:
    chosen = set(items)
    return [x for x in order if x in chosen]


def _must(
    *, departments: Sequence[str], decisive_departments: Iterable[str], findings_by_department: Mapping[str, int],
    important_clauses: Iterable[str], policy: SamplingPolicy,
) -> tuple[dict[str, str], dict[str, str]]:
    """The clauses and departments this surveillance must include, each with its reason."""
    _known(important_clauses, policy.clauses, "clause")
    _known(decisive_departments, departments, "department")
    clauses: dict[str, str] = {}
    for c in policy.decisive_clauses:
        clauses[c] = "decisive clause: in every surveillance (R-9.2.5 (2))"
    for c in important_clauses:
        clauses.setdefault(c, "deemed important by the team (R-9.2.5 (4))")
    depts: dict[str, str] = {}
    for d in decisive_departments:
        depts[d] = "decisive department: in every surveillance (R-9.2.5 (2))"
    for d in departments:
        n = findings_by_department.get(d, 0)
        if n >= policy.many_findings_threshold:
            depts.setdefault(d, f"{n} findings last time (R-9.2.5 (3))")
    return clauses, depts


def _known(items: Iterable[str], population: Sequence[str], what: str) -> None:
    unknown = sorted(set(items) - set(population))
    if unknown:
        raise InvalidInput(f"unknown {what}(s): {', '.join(unknown)}; choose among: {', '.join(population)}")


def _share(uncovered: list[str], surveillances_left_after_this: int) -> list[str]:
    """This surveillance's fair share of what is still uncovered, so the rest can be done later."""
    if surveillances_left_after_this <= 0:
        return uncovered
    return uncovered[: ceil(len(uncovered) / (surveillances_left_after_this + 1))]


def propose_sampling(
    *,
    departments: Sequence[str],
    decisive_departments: Iterable[str] = (),
    covered_clauses: Iterable[str] = (),
    covered_departments: Iterable[str] = (),
    findings_by_department: Mapping[str, int] | None = None,
    important_clauses: Iterable[str] = (),
    surveillances_left_after_this: int,
    policy: SamplingPolicy,
) -> SamplingProposal:
    """R-9.2.5: the must-includes plus a fair share of what this cycle has not covered yet (all of it
    when this is the cycle's last surveillance, R-9.2.1)."""
    if not departments:
        raise InvalidInput("the organization has no departments to sample")
    departments = list(dict.fromkeys(departments))
    findings = dict(findings_by_department or {})
    important = list(important_clauses)
    must_c, must_d = _must(departments=departments, decisive_departments=decisive_departments,
                           findings_by_department=findings, important_clauses=important, policy=policy)
    covered_c, covered_d = set(covered_clauses), set(covered_departments)
    reasons = {**must_c, **must_d}

    open_c = [c for c in policy.clauses if c not in covered_c and c not in must_c]
    for c in _share(open_c, surveillances_left_after_this):
        reasons[c] = "not yet covered in this cycle (R-9.2.1, R-9.2.5 (1))"
    open_d = [d for d in departments if d not in covered_d and d not in must_d]
    for d in _share(open_d, surveillances_left_after_this):
        reasons[d] = "not yet covered in this cycle (R-9.2.5 (1))"

    clauses = _ordered(reasons, policy.clauses)
    depts = _ordered(reasons, departments)
    if not depts:  # everything covered and nothing is a must: still visit one department
        depts = [departments[0]]
        reasons[departments[0]] = "a surveillance visits at least one department"
    return SamplingProposal(
        clauses=clauses,
        departments=depts,
        reasons={k: reasons[k] for k in (*clauses, *depts)},
        remaining_clauses=[c for c in policy.clauses if c not in covered_c and c not in clauses],
        remaining_departments=[d for d in departments if d not in covered_d and d not in depts],
    )


def check_sampling(
    clauses: Sequence[str],
    sampled_departments: Sequence[str],
    /,
    *,
    departments: Sequence[str],
    decisive_departments: Iterable[str] = (),
    covered_clauses: Iterable[str] = (),
    covered_departments: Iterable[str] = (),
    findings_by_department: Mapping[str, int] | None = None,
    important_clauses: Iterable[str] = (),
    surveillances_left_after_this: int,
    policy: SamplingPolicy,
) -> None:
    """Refuse a sample the rules forbid: a missing must-include (R-9.2.5) or, on the cycle's last
    surveillance, a clause or department the cycle would never cover (R-9.2.1). The keywords are those
    of :func:`propose_sampling`; ``departments`` is the organization's whole list."""
    if not departments:
        raise InvalidInput("the organization's departments are needed to check the sample")
    everyone = list(dict.fromkeys(departments))
    _known(clauses, policy.clauses, "clause")
    _known(sampled_departments, everyone, "department")
    must_c, must_d = _must(departments=everyone, decisive_departments=decisive_departments,
                           findings_by_department=dict(findings_by_department or {}),
                           important_clauses=important_clauses, policy=policy)
    sampled = set(clauses) | set(sampled_departments)
    missing = {x: why for x, why in {**must_c, **must_d}.items() if x not in sampled}
    if missing:
        left_out = "; ".join(f"{x} ({why})" for x, why in missing.items())
        raise RuleViolation("R-9.2.5", f"the sample leaves out {left_out}", details={"missing": list(missing)})
    if surveillances_left_after_this <= 0:
        never_c = [c for c in policy.clauses if c not in set(covered_clauses) | set(clauses)]
        never_d = [d for d in everyone if d not in set(covered_departments) | set(sampled_departments)]
        if never_c or never_d:
            raise RuleViolation(
                "R-9.2.1",
                "this is the cycle's last surveillance and it leaves uncovered: " + ", ".join(never_c + never_d),
                details={"clauses": never_c, "departments": never_d},
            )
