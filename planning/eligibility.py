"""Who may do what, on which days: the facts the solver, the greedy baseline and the explanations share.

- R-7.auditor: a team member holds a valid training certificate and competence evaluation on every day
  ``rules.programme.audit_dates`` names (each calendar day of the on-site audit, and stage 1's day).
- Roles: auditors form teams, mystery shoppers make the visits (R-3.10); technical experts are never
  proposed (R-7.expert: they never count as auditors).
- R-9.1.4: a person whose conflicts hold the auditee's credit code is never proposed for its audit.
- Absences (``unavailable``), days already ``booked`` and the days of ``fixed`` proposals are taken.
- Monthly caps: audit days a month, in half-days (a visit is 0.5 person-day, R-3.10; stage 1 one day).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from planning.cities import travels
from planning.days import Days, month_of
from planning.shape import Shape, audit_shapes
from schemas.scheduling import AuditDemand, PlanPerson, PlanRequest, ProposedAudit
from schemas.staff import Role

PROOFS = frozenset({"training_certificate", "competence_evaluation"})  # R-7.auditor


@dataclass
class Person:
    plan: PlanPerson
    days: Days
    blocked: list[bool]  # per working index: on leave, booked, or taken by a fixed proposal
    month_used: dict[int, int] = field(default_factory=dict)  # half-days already spent, by month
    on_leave: set[int] = field(default_factory=set)  # working indices of absences (for explanations)
    _free_prefix: list[int] = field(default_factory=list)
    _lacking_prefix: list[int] = field(default_factory=list)  # calendar days lacking a proof, from today

    def __post_init__(self) -> None:
        self._free_prefix = _prefix(self.blocked)
        last = self.days.working[-1] if self.days.working else self.days.today
        span = (last - self.days.today).days + 1
        lacking = [not self._qualified_on(self.days.today + timedelta(days=n)) for n in range(max(span, 0))]
        self._lacking_prefix = _prefix(lacking)

    @property
    def id(self) -> UUID:
        return self.plan.staff_id

    @property
    def name(self) -> str:
        return self.plan.name

    @property
    def auditor(self) -> bool:
        return Role.AUDITOR in self.plan.roles

    @property
    def decider(self) -> bool:
        """May decide on certifications: on an audit's team, not on that one (R-9.1.9.n1)."""
        return Role.DECISION_MAKER in self.plan.roles

    @property
    def shopper(self) -> bool:
        return Role.MYSTERY_SHOPPER in self.plan.roles

    def _qualified_on(self, day: date) -> bool:
        kinds = {q.kind for q in self.plan.qualifications if q.valid_from <= day <= q.valid_to}
        return kinds >= PROOFS

    def qualified(self, first: date, last: date) -> bool:
        """Both R-7.auditor proofs valid on every calendar day from ``first`` to ``last``."""
        lo, hi = (first - self.days.today).days, (last - self.days.today).days
        if lo < 0 or hi >= len(self._lacking_prefix):
            return all(self._qualified_on(first + timedelta(days=n)) for n in range((last - first).days + 1))
        return self._lacking_prefix[hi + 1] - self._lacking_prefix[lo] == 0

    def free(self, lo: int, hi: int) -> bool:
        """No absence, booking or fixed proposal on working indices ``lo``..``hi``."""
        return self._free_prefix[hi + 1] - self._free_prefix[lo] == 0

    def free_indices(self) -> list[int]:
        return [i for i, taken in enumerate(self.blocked) if not taken]

    def qualified_indices(self) -> list[int]:
        return [i for i, day in enumerate(self.days.working) if self.qualified(day, day)]

    def conflicted(self, credit_code: str) -> bool:
        """R-9.1.4: a declared conflict with this organization."""
        return bool(credit_code) and credit_code in self.plan.conflicts

    def month_room(self, month: int) -> int:
        """Half-days left in ``month`` under the person's cap (never below 0)."""
        return max(0, 2 * self.plan.max_audit_days_per_month - self.month_used.get(month, 0))


def _prefix(flags: list[bool]) -> list[int]:
    out = [0]
    for flag in flags:
        out.append(out[-1] + (1 if flag else 0))
    return out


def build_people(request: PlanRequest, days: Days) -> dict[UUID, Person]:
    """Every person with their taken days and the half-days their months already hold."""
    people: dict[UUID, Person] = {}
    taken: dict[UUID, dict[int, int]] = defaultdict(dict)  # working index → half-days
    used: dict[UUID, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for fixed in request.fixed:
        _take_fixed(fixed, days, taken, used)
    for plan in request.people:
        blocked = [False] * len(days)
        leave: set[int] = set()
        for span in plan.unavailable:
            lo, hi = days.span(span.starts_on, span.ends_on)
            leave.update(range(lo, hi + 1))
        for day in plan.booked:
            used[plan.staff_id][month_of(day)] += 2
            if day in days.index:
                blocked[days.index[day]] = True
        for i in leave | set(taken[plan.staff_id]):
            blocked[i] = True
        people[plan.staff_id] = Person(plan, days, blocked, dict(used[plan.staff_id]), leave)
    return people


def _take_fixed(fixed: ProposedAudit, days: Days, taken: dict[UUID, dict[int, int]],
                used: dict[UUID, dict[int, int]]) -> None:
    """A fixed proposal's days are its people's: on-site days for the team, stage 1 for the leader, the
    visit's day for its shopper (a whole day: simpler, and never more than the shopper can do)."""
    lo, hi = days.span(fixed.onsite_start, fixed.onsite_end)
    for member in fixed.team:
        for i in range(lo, hi + 1):
            taken[member.staff_id][i] = 2
            used[member.staff_id][days.months[i]] += 2
        if member.role == "leader" and fixed.stage1_on is not None:
            used[member.staff_id][month_of(fixed.stage1_on)] += 2
            if fixed.stage1_on in days.index:
                taken[member.staff_id][days.index[fixed.stage1_on]] = 2
    for visit in fixed.visits:
        used[visit.shopper_id][month_of(visit.planned_on)] += 1
        if visit.planned_on in days.index:
            taken[visit.shopper_id][days.index[visit.planned_on]] = 1


@dataclass
class Job:
    """One audit to place, with everything about it that does not depend on the other audits."""

    demand: AuditDemand
    shape: Shape | None
    window: tuple[int, int]  # working indices of earliest..latest (empty when lo > hi)
    starts: list[int]  # on-site starts that keep the window, R-9.1.6, the horizon and one calendar month
    members: dict[UUID, list[int]]  # auditor → the starts they are qualified and free for
    shoppers: list[UUID]  # mystery shoppers without a conflict
    travel: dict[UUID, int]  # auditor → 1 when they travel to the audit's city
    site_travel: list[dict[UUID, int]]  # per site: shopper → 1 when they travel to the site's city

    @property
    def key(self) -> str:
        return self.demand.key

    def needs_prep_day(self) -> bool:
        return self.demand.stage1 or (self.demand.visits and bool(self.demand.sites))

    def month_spans(self, days: Days) -> dict[int, tuple[int, int]]:
        """Calendar month → first and last start in it."""
        spans: dict[int, tuple[int, int]] = {}
        for s in self.starts:
            m = days.months[s]
            spans[m] = (spans[m][0], s) if m in spans else (s, s)
        return spans

    def prep_months(self, days: Days, month: int, window: int) -> list[int]:
        """The months a stage 1 or a visit (``window`` working days before the start) can fall in when the
        on-site audit starts in ``month``: the monthly cap charges it to each (sound, a little cautious)."""
        lo, hi = self.month_spans(days)[month]
        first = max(days.first_after_today, lo - window)
        return sorted({days.months[i] for i in range(first, hi)})


def build_job(demand: AuditDemand, request: PlanRequest, days: Days, people: dict[UUID, Person]) -> Job:
    """The job in the preferred shape the body's auditors can fill: a body of three auditors gets three
    for three days rather than four for two (the shapes in order, the first with enough people)."""
    shapes = audit_shapes(demand, request.policy)
    preferred = _job_in_shape(demand, shapes[0] if shapes else None, days, people)
    if preferred.shape is None or len(preferred.members) >= preferred.shape.team_size:
        return preferred
    for shape in shapes[1:]:
        job = _job_in_shape(demand, shape, days, people)
        if len(job.members) >= shape.team_size:
            return job
    return preferred  # nobody can fill any: explained in the preferred shape


def _job_in_shape(demand: AuditDemand, shape: Shape | None, days: Days, people: dict[UUID, Person]) -> Job:
    window = days.span(demand.earliest, demand.latest)
    job = Job(demand, shape, window, [], {}, [], {}, [])
    if shape is None:
        return job
    D = shape.onsite_days
    lowest = max(window[0], days.earliest_start, days.first_after_today + (1 if job.needs_prep_day() else 0))
    job.starts = [s for s in range(lowest, min(window[1], len(days) - D) + 1)
                  if days.months[s] == days.months[s + D - 1]]
    for person in people.values():
        if person.conflicted(demand.credit_code):
            continue
        if person.auditor:
            allowed = [s for s in job.starts
                       if person.free(s, s + D - 1) and person.qualified(days.working[s], days.working[s + D - 1])]
            if allowed:
                job.members[person.id] = allowed
                job.travel[person.id] = _travel(person.plan.home_city, demand.city)
        if person.shopper:
            job.shoppers.append(person.id)
    job.site_travel = [{p: _travel(people[p].plan.home_city, site.city) for p in job.shoppers}
                       for site in demand.sites]
    return job


def _travel(home: str, city: str) -> int:
    return 1 if travels(home, city) else 0
