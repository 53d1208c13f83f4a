"""One planning problem as the solver, the greedy baseline and the explanations all see it, and a
placement (one audit's team and days) in working-day indices before it becomes a ``ProposedAudit``."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from uuid import UUID

from planning.days import Days
from planning.eligibility import Job, Person, build_job, build_people
from schemas.scheduling import PlanRequest, SchedulingPolicy


@dataclass
class Placement:
    job: Job
    start: int
    team: list[UUID]  # the leader first
    stage1: int | None = None
    visits: list[tuple[str, UUID, int]] = field(default_factory=list)  # site, shopper, working index

    @property
    def end(self) -> int:
        assert self.job.shape is not None
        return self.start + self.job.shape.onsite_days - 1


@dataclass
class Problem:
    request: PlanRequest
    days: Days
    people: dict[UUID, Person]
    jobs: list[Job]
    tie_break: dict[UUID, float]  # a seeded order among equals, so that runs repeat

    @property
    def policy(self) -> SchedulingPolicy:
        return self.request.policy

    @property
    def capacity(self) -> int:
        """A person's units a day: a visit takes one, an audit or stage-1 day all of them (R-3.10's
        ``visits_per_shopper_day`` half-day visits)."""
        return self.request.policy.visits_per_shopper_day

    def member_cost(self, job: Job, person: UUID) -> int:
        """What putting ``person`` on ``job``'s team costs: their travel, and a decision maker's absence
        from the people who may decide it (R-9.1.9.n1)."""
        policy = self.request.policy
        return policy.travel_weight * job.travel[person] + policy.decider_weight * self.people[person].decider


def prepare(request: PlanRequest) -> Problem:
    """The problem of ``request``; audits whose key a fixed proposal already holds are not placed again."""
    days = Days(request.today, list(request.working_days), request.policy)
    people = build_people(request, days)
    fixed = {f.key for f in request.fixed}
    jobs = [build_job(d, request, days, people) for d in request.audits if d.key not in fixed]
    rng = random.Random(request.seed)
    tie_break = {p.staff_id: rng.random() for p in request.people}
    return Problem(request, days, people, jobs, tie_break)
