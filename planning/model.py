"""The CP-SAT model of a planning problem, in working-day indices (``Days``).

Per audit: a presence literal (placed or not), an on-site start over the starts its window, R-9.1.6 and the
horizon allow (``Job.starts``), one literal per candidate auditor (on the team) and per candidate leader,
a stage-1 day (R-9.1.5) and a visit day per site (R-3.10) with one literal per candidate shopper.
Per person: the on-site days, stage-1 days and visits are optional intervals that may not overlap (a
cumulative of ``visits_per_shopper_day`` units a day when they make visits: a visit takes one unit, an
audit day all), and their days in a month stay under their cap (``planning.ledger.charges``).

Pruning (so that 500 audits × 50 people solve in a minute on two cores): each audit offers the solver its
``candidates`` best eligible auditors (lowest travel and decider cost, then fewest audits offered so far, then a seeded
order) and each site its ``shopper_candidates`` best shoppers, plus the people of the greedy plan, which
is given as a hint: the solver starts from the greedy plan and never returns a worse one.

Objective: ``penalty`` × audits left unplaced (more than any travel or balance an audit can cost) +
``travel_weight`` × people travelling + ``decider_weight`` × decision makers on teams (R-9.1.9.n1) +
``balance_weight`` × (most − least half-days among auditors) − 1
for each member of the audit's ``team_hint`` on its team (a tie-break: the last team is kept when it
costs nothing else).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from uuid import UUID

from ortools.sat.python import cp_model

from planning.days import runs
from planning.eligibility import Job
from planning.problem import Placement, Problem

STATUS = {"OPTIMAL": "optimal", "FEASIBLE": "feasible", "INFEASIBLE": "infeasible"}  # else "unknown"


@dataclass
class AuditVars:
    job: Job
    placed: cp_model.IntVar
    start: cp_model.IntVar
    members: dict[UUID, cp_model.IntVar]
    leaders: dict[UUID, cp_model.IntVar]
    stage1: cp_model.IntVar | None = None
    visits: list[tuple[str, cp_model.IntVar, dict[UUID, cp_model.IntVar]]] = field(default_factory=list)


class PlanModel:
    def __init__(self, problem: Problem, hint: list[Placement], *, candidates: int = 12,
                 shopper_candidates: int = 6) -> None:
        self.problem, self.model = problem, cp_model.CpModel()
        self.candidates, self.shopper_candidates = candidates, shopper_candidates
        self.hint = {p.job.key: p for p in hint}
        self.audits: list[AuditVars] = []
        self.intervals: dict[UUID, list[tuple[cp_model.IntervalVar, int]]] = defaultdict(list)
        self.month_terms: dict[tuple[UUID, int], list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
        self.load_terms: dict[UUID, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
        self.cost_terms: list[tuple[int, cp_model.IntVar]] = []
        self.offered: dict[UUID, int] = defaultdict(int)
        self._domains: dict[tuple[str, UUID], cp_model.Domain] = {}
        self._ands: list[tuple[cp_model.IntVar, cp_model.IntVar, cp_model.IntVar]] = []
        self._months_of: dict[str, dict[int, cp_model.IntVar]] = {}
        self._balance: tuple[cp_model.IntVar, cp_model.IntVar, list[UUID]] | None = None
        for job in sorted(problem.jobs, key=lambda j: (j.demand.latest, j.key)):
            if job.shape is not None and len(job.members) >= job.shape.team_size:
                self._add_audit(job)
        self._add_people()
        self._add_objective()

    # --- variables and constraints --------------------------------------------------------------------

    def _domain(self, kind: str, person: UUID) -> cp_model.Domain:
        """Working indices a person is free ("free") or qualified ("qualified") on, as a CP-SAT domain."""
        if (kind, person) not in self._domains:
            who = self.problem.people[person]
            indices = who.free_indices() if kind == "free" else who.qualified_indices()
            self._domains[kind, person] = cp_model.Domain.FromIntervals(runs(indices))
        return self._domains[kind, person]

    def _pick(self, pool: list[UUID], cost: dict[UUID, int], count: int, hinted: list[UUID]) -> list[UUID]:
        order = sorted(pool, key=lambda p: (cost[p], self.offered[p], self.problem.tie_break[p]))
        chosen = list(dict.fromkeys([*order[:count], *(p for p in hinted if p in cost)]))
        for p in chosen:
            self.offered[p] += 1
        return chosen

    def _add_audit(self, job: Job) -> None:
        assert job.shape is not None
        m = self.model
        hint = self.hint.get(job.key)
        size, length, capacity = job.shape.team_size, job.shape.onsite_days, self.problem.capacity
        placed = m.NewBoolVar(f"placed {job.key}")
        start = m.NewIntVarFromDomain(cp_model.Domain.FromValues(job.starts), f"start {job.key}")
        months = self._months(job, placed, start)
        preferred = [p for p in job.demand.team_hint if p in job.members]  # e.g. the last audit's team
        costs = {p: self.problem.member_cost(job, p) for p in job.members}
        team = self._pick(list(job.members), costs, self.candidates, [*(hint.team if hint else []), *preferred])
        members = {p: m.NewBoolVar(f"member {job.key} {p}") for p in team}
        leaders = {p: m.NewBoolVar(f"leader {job.key} {p}") for p in team}
        m.Add(sum(members.values()) == size * placed)
        m.Add(sum(leaders.values()) == placed)
        for p in team:
            m.AddImplication(leaders[p], members[p])
            m.AddLinearExpressionInDomain(start, cp_model.Domain.FromValues(job.members[p])).OnlyEnforceIf(members[p])
            self.intervals[p].append((m.NewOptionalFixedSizeIntervalVar(start, length, members[p], ""), capacity))
            self._charge(p, months, {mo: [mo] for mo in months}, 2 * length, members[p])
            self.load_terms[p].append((2 * length, members[p]))
            self.cost_terms.append((costs[p] - (p in preferred), members[p]))
        audit = AuditVars(job, placed, start, members, leaders)
        if job.demand.stage1:
            audit.stage1 = self._add_stage1(job, audit, months)
        if job.demand.visits:
            for n, site in enumerate(job.demand.sites):
                audit.visits.append(self._add_visit(job, audit, months, n, site.name))
        self._penalise(job, placed)
        self.audits.append(audit)
        self._months_of[job.key] = months

    def _months(self, job: Job, placed: cp_model.IntVar, start: cp_model.IntVar) -> dict[int, cp_model.IntVar]:
        """A literal per calendar month the on-site audit may fall in (it never spans two)."""
        spans = job.month_spans(self.problem.days)
        if len(spans) == 1:
            return {month: placed for month in spans}
        literals = {month: self.model.NewBoolVar("") for month in spans}
        self.model.Add(sum(literals.values()) == placed)
        for month, (lo, hi) in spans.items():
            self.model.Add(start >= lo).OnlyEnforceIf(literals[month])
            self.model.Add(start <= hi).OnlyEnforceIf(literals[month])
        return literals

    def _charge(self, person: UUID, months: dict[int, cp_model.IntVar], charged: dict[int, list[int]],
                half_days: int, literal: cp_model.IntVar) -> None:
        """``half_days`` to each month in ``charged[m]`` when ``literal`` holds and the audit is in month m."""
        for month, in_month in months.items():
            both = literal
            if len(months) > 1:
                both = self.model.NewBoolVar("")
                # both = literal ∧ in_month, exactly: with only the first clause, presolve's dual reductions
                # broke the greedy hint (CP-SAT then found no solution at 500 audits in 60 s).
                self.model.AddBoolOr([literal.Not(), in_month.Not(), both])
                self.model.AddImplication(both, literal)
                self.model.AddImplication(both, in_month)
                self._ands.append((both, literal, in_month))
            for target in charged[month]:
                self.month_terms[person, target].append((half_days, both))

    def _prep_day(self, job: Job, audit: AuditVars, window: int, name: str) -> cp_model.IntVar:
        """A working day in the ``window`` days before the start, not before the first one after today."""
        days = self.problem.days
        day = self.model.NewIntVar(days.first_after_today, max(days.first_after_today, job.starts[-1] - 1), name)
        self.model.Add(day <= audit.start - 1).OnlyEnforceIf(audit.placed)
        self.model.Add(day >= audit.start - window).OnlyEnforceIf(audit.placed)
        return day

    def _add_stage1(self, job: Job, audit: AuditVars, months: dict[int, cp_model.IntVar]) -> cp_model.IntVar:
        """R-9.1.5 stage 1 by the leader; every member qualified on its day too (R-7.auditor, audit_dates)."""
        m, window = self.model, self.problem.policy.stage1_window_working_days
        day = self._prep_day(job, audit, window, f"stage1 {job.key}")
        # the leader sends the plan once stage 1 is done, at least the notice before the audit.
        m.Add(day <= audit.start - self.problem.policy.plan_notice_working_days).OnlyEnforceIf(audit.placed)
        charged = {mo: job.prep_months(self.problem.days, mo, window) for mo in months}
        for p, member in audit.members.items():
            m.AddLinearExpressionInDomain(day, self._domain("qualified", p)).OnlyEnforceIf(member)
            leader = audit.leaders[p]
            m.AddLinearExpressionInDomain(day, self._domain("free", p)).OnlyEnforceIf(leader)
            self.intervals[p].append((m.NewOptionalFixedSizeIntervalVar(day, 1, leader, ""), self.problem.capacity))
            self._charge(p, months, charged, 2, leader)
            self.load_terms[p].append((2, leader))
        return day

    def _add_visit(self, job: Job, audit: AuditVars, months: dict[int, cp_model.IntVar], n: int,
                   site: str) -> tuple[str, cp_model.IntVar, dict[UUID, cp_model.IntVar]]:
        """R-3.10: one half-day visit to the site by one shopper, before the on-site audit."""
        m, window = self.model, self.problem.policy.visit_window_working_days
        day = self._prep_day(job, audit, window, f"visit {job.key} {n}")
        hint = self.hint.get(job.key)
        hinted = [s for name, s, _d in hint.visits if name == site] if hint else []
        shoppers = self._pick(job.shoppers, job.site_travel[n], self.shopper_candidates, hinted)
        chosen = {p: m.NewBoolVar("") for p in shoppers}
        m.Add(sum(chosen.values()) == audit.placed)
        charged = {mo: job.prep_months(self.problem.days, mo, window) for mo in months}
        for p, literal in chosen.items():
            m.AddLinearExpressionInDomain(day, self._domain("free", p)).OnlyEnforceIf(literal)
            self.intervals[p].append((m.NewOptionalFixedSizeIntervalVar(day, 1, literal, ""), 1))
            self._charge(p, months, charged, 1, literal)
            self.load_terms[p].append((1, literal))
            self.cost_terms.append((self.problem.policy.travel_weight * job.site_travel[n][p], literal))
        return site, day, chosen

    def _penalise(self, job: Job, placed: cp_model.IntVar) -> None:
        assert job.shape is not None
        policy, shape, sites = self.problem.policy, job.shape, len(job.demand.sites)
        worst = (policy.travel_weight * (shape.team_size + sites) + policy.decider_weight * shape.team_size
                 + policy.balance_weight * (2 * shape.person_days + sites))
        self.cost_terms.append((-(1000 + worst), placed))  # a placed audit earns more than it can cost

    def _add_people(self) -> None:
        m, capacity = self.model, self.problem.capacity
        for entries in self.intervals.values():
            if all(units == capacity for _iv, units in entries) or capacity == 1:
                m.AddNoOverlap([iv for iv, _units in entries])
            else:
                m.AddCumulative([iv for iv, _u in entries], [u for _iv, u in entries], capacity)
        for (person, month), terms in self.month_terms.items():
            room = self.problem.people[person].month_room(month)
            if sum(c for c, _lit in terms) > room:
                m.Add(sum(c * lit for c, lit in terms) <= room)

    def _add_objective(self) -> None:
        m, policy = self.model, self.problem.policy
        objective = sum(c * lit for c, lit in self.cost_terms if c)
        auditors = [p.id for p in self.problem.people.values() if p.auditor]
        if auditors and policy.balance_weight:
            bound = 2 * 31 * 12 * 2
            most, least = m.NewIntVar(0, bound, "most"), m.NewIntVar(0, bound, "least")
            for p in auditors:
                load = sum(c * lit for c, lit in self.load_terms.get(p, []))
                m.Add(most >= load)
                m.Add(least <= load)
            objective += policy.balance_weight * (most - least)
            self._balance = (most, least, auditors)
        m.Minimize(objective)
        self._add_hint()

    def _add_hint(self) -> None:
        """The greedy plan as a complete hint (every variable), so CP-SAT starts from a solution."""
        values: dict[int, int] = {}
        for audit in self.audits:
            self._hint_audit(audit, self.hint.get(audit.job.key), values)
        for both, literal, in_month in self._ands:
            values[both.Index()] = values[literal.Index()] & values[in_month.Index()]
        if self._balance is not None:
            most, least, auditors = self._balance
            loads = [sum(c * values[lit.Index()] for c, lit in self.load_terms.get(p, [])) for p in auditors]
            values[most.Index()], values[least.Index()] = max(loads), min(loads)
        for index, value in values.items():
            self.model.AddHint(self.model.GetIntVarFromProtoIndex(index), value)

    def _hint_audit(self, audit: AuditVars, hint: Placement | None, values: dict[int, int]) -> None:
        days, months = self.problem.days, self._months_of[audit.job.key]
        values[audit.placed.Index()] = 1 if hint else 0
        values[audit.start.Index()] = hint.start if hint else audit.job.starts[0]
        for month, literal in months.items():
            values[literal.Index()] = 1 if hint and days.months[hint.start] == month else 0
        for p, literal in audit.members.items():
            values[literal.Index()] = 1 if hint and p in hint.team else 0
            values[audit.leaders[p].Index()] = 1 if hint and p == hint.team[0] else 0
        if audit.stage1 is not None:
            on = hint.stage1 if hint and hint.stage1 is not None else None
            values[audit.stage1.Index()] = on if on is not None else int(audit.stage1.Proto().domain[0])
        visits = hint.visits if hint else [None] * len(audit.visits)
        for (_site, day, chosen), visit in zip(audit.visits, visits, strict=True):
            values[day.Index()] = visit[2] if visit else int(day.Proto().domain[0])
            for p, literal in chosen.items():
                values[literal.Index()] = 1 if visit and p == visit[1] else 0

    # --- solving ---------------------------------------------------------------------------------------

    def solve(self, seconds: float) -> tuple[str, list[Placement] | None]:
        """The status and the placements found in ``seconds`` (None when the solver found none)."""
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 2  # the machine's two cores
        solver.parameters.random_seed = self.problem.request.seed
        solver.parameters.max_time_in_seconds = seconds
        solver.parameters.cp_model_probing_level = 0  # probing took most of the presolve, for nothing here
        code = solver.Solve(self.model)
        status = STATUS.get(solver.StatusName(code), "unknown")
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return status, None
        return status, [self._read(solver, a) for a in self.audits if solver.BooleanValue(a.placed)]

    @staticmethod
    def _read(solver: cp_model.CpSolver, audit: AuditVars) -> Placement:
        leader = next(p for p, lit in audit.leaders.items() if solver.BooleanValue(lit))
        team = [leader, *(p for p, lit in audit.members.items() if p != leader and solver.BooleanValue(lit))]
        visits = [(site, next(p for p, lit in chosen.items() if solver.BooleanValue(lit)), solver.Value(day))
                  for site, day, chosen in audit.visits]
        stage1 = solver.Value(audit.stage1) if audit.stage1 is not None else None
        return Placement(audit.job, solver.Value(audit.start), team, stage1, visits)
