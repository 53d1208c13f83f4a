"""The shape of an audit: how many auditors (team leader included) for how many on-site working days.

Whole person-days are proposed: the smallest total ``k × D`` (+ 1 day for the leader's separate stage 1)
that reaches the demand's minimum audit time (R-9.1.2.7, R-A.n1b, R-A.n1c), with at least 80 % of it on
site (R-A.n1a), at most ``max_team_size`` auditors for at most ``max_onsite_days`` days; among equal
totals the smallest team (a smaller team travels less and leaves more auditors free).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rules.audit_time import check_onsite_days
from schemas.errors import InvalidInput, RuleViolation
from schemas.scheduling import AuditDemand, SchedulingPolicy

STAGE1_DAYS = 1  # the leader's stage 1: one person-day, off site


@dataclass(frozen=True)
class Shape:
    team_size: int  # k, the leader included
    onsite_days: int  # D, consecutive working days on site
    stage1: bool

    @property
    def onsite_person_days(self) -> int:
        return self.team_size * self.onsite_days

    @property
    def person_days(self) -> int:
        return self.onsite_person_days + (STAGE1_DAYS if self.stage1 else 0)


def _keeps_onsite_share(total: int, onsite: int) -> bool:
    """R-A.n1a through the rule's own check, so the planner and the programme check cannot disagree."""
    try:
        check_onsite_days(Decimal(total), Decimal(onsite))
    except (InvalidInput, RuleViolation):
        return False
    return True


def audit_shapes(demand: AuditDemand, policy: SchedulingPolicy) -> list[Shape]:
    """Every shape that keeps the rules, the preferred first: the least time, then the smallest team.
    Each team size appears once, with the fewest days that reach the minimum (more only adds time)."""
    shapes = []
    for size in range(1, policy.max_team_size + 1):
        for days in range(1, policy.max_onsite_days + 1):
            shape = Shape(size, days, demand.stage1)
            if shape.person_days >= demand.person_days and _keeps_onsite_share(shape.person_days,
                                                                                shape.onsite_person_days):
                shapes.append(shape)
                break
    return sorted(shapes, key=lambda s: (s.person_days, s.team_size))


def audit_shape(demand: AuditDemand, policy: SchedulingPolicy) -> Shape | None:
    """The preferred shape of ``demand``, or None when no team of at most ``max_team_size`` for at most
    ``max_onsite_days`` days reaches its minimum with 80 % on site."""
    shapes = audit_shapes(demand, policy)
    return shapes[0] if shapes else None


def no_shape_reason(demand: AuditDemand, policy: SchedulingPolicy) -> str:
    """Why :func:`audit_shape` found nothing, in the manager's words."""
    most = policy.max_team_size * policy.max_onsite_days
    stage1 = " plus 1 day of stage 1" if demand.stage1 else ""
    return (f"the minimum audit time is {demand.person_days} person-days; a team of at most "
            f"{policy.max_team_size} auditors for at most {policy.max_onsite_days} on-site days gives at most "
            f"{most} person-days on site{stage1}, and at least 80 % must be on site (R-A.n1a): raise the "
            f"scheduling policy's max_team_size or max_onsite_days, or plan this audit by hand")
