"""The audit planner's activities (issue 18): a proposal for the programme task about to open, and the
re-plan of the proposals an absence or a decided programme touches.

The solver (planning/solver.py, OR-Tools CP-SAT) runs in a thread with its time limit, so the worker's
event loop keeps serving while it thinks. What it is given comes from the register as it is now: the
people (store/planning_people.py), the other open proposals, whose days it keeps, and the working days;
what it proposes is stored as a new version (store/audit_proposals.py), never over an earlier one.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import asyncpg
from pydantic import BaseModel, Field
from temporalio import activity

from activities.calendar import current_table
from planning.cities import city_of_address
from rules.calendar import HolidayTable
from rules.lifecycle import add_months
from schemas.audits import AuditKind
from schemas.scheduling import (
    AuditDemand,
    DateSpan,
    PlanRequest,
    PlanResult,
    ProposedAudit,
    SchedulingPolicy,
    SiteDemand,
    StoredProposal,
    Unplaced,
)
from store import audit_proposals
from store.audit_demand import audits_due
from store.planning_people import planning_people

# How far after its window an audit's people are read (their absences, caps): the on-site audit and its
# visits fall inside the window, the margin covers its last days.
_PEOPLE_MARGIN = timedelta(days=31)
# Decisions (the scheme sets no window for these): an initial audit is proposed within three months of
# its programme; a special audit, with short notice, within one.
_OPEN_WINDOW = {AuditKind.INITIAL: timedelta(days=92), AuditKind.SPECIAL: timedelta(days=31)}


class ProposalAsk(BaseModel):
    """What the process knows when its programme task is about to open; the rest is in the register."""

    key: str  # the programme task's id: the proposal is stored and shown under it
    workflow_id: str
    audit_kind: AuditKind
    today: date
    minimum_person_days: Decimal
    stage1: bool
    visits: bool
    site_names: list[str]
    end_by: date | None = None  # the on-site audit ends by this day (R-9.2.1 due date, R-9.3 expiry)
    window_rule: str = "R-9.1.3"


class ProposalMade(BaseModel):
    key: str
    version: int
    placed: bool
    rule_id: str | None = None  # the rule that kept it from being placed


class ReplanAsk(BaseModel):
    """Re-plan the open proposals that ``staff_id``'s absence over ``span`` touches; with neither, every
    open proposal. ``made_by``: this request's step, so a retry adds no second version."""

    made_by: str
    today: date
    reason: str
    staff_id: UUID | None = None
    span: DateSpan | None = None
    keys: list[str] = Field(default_factory=list)  # besides: these proposals, touched or not
    decided: ProposedAudit | None = None  # a programme in force: kept, and what clashes with it re-planned


class ReplanDone(BaseModel):
    replanned: list[str]
    unplaced: list[str]


class HorizonAsk(BaseModel):
    """Plan the audits due in the coming months (``SchedulingPolicy.horizon_months``) that no programme
    task asks for yet; ``made_by``: this request's step."""

    made_by: str
    today: date
    reason: str


class HorizonDone(BaseModel):
    audits: int  # due in the horizon and not yet being programmed
    placed: int
    unplaced: int


HEARTBEAT_EVERY = 5.0  # seconds between a solving activity's heartbeats


def load_solver() -> None:
    """Import the planner's solver (OR-Tools, with numpy and pandas) now. Not at import of this module: the
    workflows import it for its input models alone. Not at the first proposal either: measured on the grant
    path, that import took 3–4 CPU-seconds holding the worker's interpreter, while every other activity and
    workflow task of the worker waited (issue 17). An I/O worker calls this as it is built."""
    import planning.solver  # noqa: F401


class SchedulingActivities:
    def __init__(self, pool: asyncpg.Pool, policy: SchedulingPolicy | None = None) -> None:
        self.pool = pool
        self.policy = policy or SchedulingPolicy()

    @activity.defn(name="propose_programme")
    async def propose_programme(self, ask: ProposalAsk) -> ProposalMade:
        """R-9.1.3, R-9.1.4: a team and dates that keep every rule the programme task checks."""
        demand = await self.demand_for(ask)
        others = await audit_proposals.in_force_for_open_tasks(self.pool, excluding=[ask.key])
        result = await self.solve([demand], [p.proposal for p in others if p.proposal is not None], ask.today)
        stored = await self.store(demand, result, task_id=ask.key, made_by=f"propose:{ask.key}", today=ask.today,
                                  reason="方案任务开启 (the programme task opened)")
        return ProposalMade(key=ask.key, version=stored.version, placed=stored.proposal is not None,
                            rule_id=stored.unplaced.rule_id if stored.unplaced else None)

    @activity.defn(name="replan_proposals")
    async def replan_proposals(self, ask: ReplanAsk) -> ReplanDone:
        """New absences or a decided programme: re-plan the open proposals they touch, keep the rest."""
        decided = ask.decided
        open_ones = [p for p in await audit_proposals.in_force_for_open_tasks(self.pool)
                     if decided is None or p.key != decided.key]
        touched = [p for p in open_ones if p.key in ask.keys or _touches(p, ask)]
        if not touched:
            return ReplanDone(replanned=[], unplaced=[])
        kept = [p.proposal for p in open_ones if p not in touched and p.proposal is not None]
        demands = [p.demand.model_copy(update={"earliest": max(p.demand.earliest, ask.today)}) for p in touched]
        result = await self.solve(demands, [*kept, *([decided] if decided else [])], ask.today)
        unplaced = []
        for p, demand in zip(touched, demands, strict=True):
            stored = await self.store(demand, result, task_id=p.task_id, made_by=f"{ask.made_by}:{p.key}",
                                      today=ask.today, reason=ask.reason)
            if stored.unplaced is not None:
                unplaced.append(p.key)
        return ReplanDone(replanned=[p.key for p in touched], unplaced=unplaced)

    @activity.defn(name="plan_horizon")
    async def plan_horizon(self, ask: HorizonAsk) -> HorizonDone:
        """Issue 18: every audit due in the coming months (surveillance windows R-9.2.1, recertification
        R-9.3, initial audits after the contract R-9.1.3) planned around the proposals of the programme
        tasks already open, which are kept; each plan stored as a new version of its audit's proposal."""
        table = await current_table(self.pool)
        until = add_months(ask.today, self.policy.horizon_months)
        async with self.pool.acquire() as conn:
            demands = await audits_due(conn, ask.today, until, self.policy, table)
        open_ones = await audit_proposals.in_force_for_open_tasks(self.pool)
        being_programmed = {(p.workflow_id, p.kind) for p in open_ones}
        demands = [d for d in demands if (d.workflow_id, d.kind) not in being_programmed]
        if not demands:
            return HorizonDone(audits=0, placed=0, unplaced=0)
        kept = [p.proposal for p in open_ones if p.proposal is not None]
        result = await self.solve(demands, kept, ask.today,
                                  time_limit=self.policy.horizon_time_limit_seconds)
        for demand in demands:
            await self.store(demand, result, task_id=None, made_by=f"{ask.made_by}:{demand.key}", today=ask.today,
                             reason=ask.reason)
        return HorizonDone(audits=len(demands), placed=len(result.proposals), unplaced=len(result.unplaced))

    # ------------------------------------------------------------------------------------------ parts
    async def demand_for(self, ask: ProposalAsk) -> AuditDemand:
        org = await self.pool.fetchrow(
            """SELECT o.name, o.credit_code, o.id FROM applications a JOIN organizations o ON o.id = a.organization_id
                WHERE a.workflow_id = $1""", ask.workflow_id)
        sites = [] if org is None else await self.pool.fetch(
            "SELECT name, address FROM sites WHERE organization_id = $1 ORDER BY name", org["id"])
        addresses = {s["name"]: s["address"] for s in sites}
        site_demands = [SiteDemand(name=n, city=city_of_address(addresses.get(n, ""))) for n in ask.site_names]
        table = await current_table(self.pool)
        latest = self.latest_start(ask, table)
        # The team the plan of the coming months had for this audit, if any: kept where it still fits.
        planned = await audit_proposals.upcoming_for(self.pool, ask.workflow_id, ask.audit_kind.value)
        hint = [m.staff_id for m in planned.proposal.team] if planned and planned.proposal else []
        return AuditDemand(
            key=ask.key, workflow_id=ask.workflow_id, kind=ask.audit_kind,
            organization_name=org["name"] if org else "", credit_code=org["credit_code"] if org else "",
            city=site_demands[0].city if site_demands else "", sites=site_demands, earliest=ask.today,
            latest=max(latest, ask.today), window_rule=ask.window_rule, person_days=ask.minimum_person_days,
            stage1=ask.stage1, visits=ask.visits, team_hint=hint)

    def latest_start(self, ask: ProposalAsk, table: HolidayTable) -> date:
        """The last day the on-site audit may start: its longest proposal still ends by ``end_by``."""
        if ask.end_by is None:
            return ask.today + _OPEN_WINDOW.get(ask.audit_kind, _OPEN_WINDOW[AuditKind.INITIAL])
        back, day = self.policy.max_onsite_days - 1, ask.end_by
        while back > 0 or not table.is_working_day(day):
            if table.is_working_day(day):
                back -= 1
            day -= timedelta(days=1)
        return day

    async def solve(self, demands: list[AuditDemand], kept: list[ProposedAudit], today: date, *,
                    time_limit: float | None = None) -> PlanResult:
        until = max(d.latest for d in demands) + _PEOPLE_MARGIN
        async with self.pool.acquire() as conn:
            people = await planning_people(conn, today, until, self.policy)
        table = await current_table(self.pool)
        days = [today + timedelta(days=n) for n in range((until - today).days + 1)]
        request = PlanRequest(
            today=today, working_days=[d for d in days if table.is_working_day(d)], audits=demands,
            people=people, fixed=kept,
            policy=self.policy.model_copy(update={"time_limit_seconds": time_limit}) if time_limit else self.policy,
            seed=1)
        from planning.solver import solve  # loaded when the worker started (load_solver), found at once

        # The solver thinks in a thread for up to its time limit; the activity beats meanwhile, so that one
        # whose completion was lost (a worker or a Temporal server gone at that moment) is retried after the
        # heartbeat timeout (workflows/programme_proposals.py), not after its start-to-close timeout.
        solving = asyncio.ensure_future(asyncio.to_thread(solve, request))
        while not solving.done():
            activity.heartbeat()
            await asyncio.wait({solving}, timeout=HEARTBEAT_EVERY)
        return solving.result()

    async def store(self, demand: AuditDemand, result: PlanResult, *, task_id: str | None, made_by: str,
                    today: date, reason: str) -> StoredProposal:
        proposal = next((p for p in result.proposals if p.key == demand.key), None)
        unplaced = None if proposal is not None else next(
            (u for u in result.unplaced if u.key == demand.key),
            Unplaced(key=demand.key, rule_id="R-9.1.3", resource="the planner",
                     reason=f"the planner found no plan in its time ({result.status})"))
        return await audit_proposals.add_version(self.pool, demand, task_id=task_id, made_by=made_by,
                                                 planned_on=today, proposal=proposal, unplaced=unplaced,
                                                 reason=reason)


def _touches(stored: StoredProposal, ask: ReplanAsk) -> bool:
    """Whether ``ask``'s absence, or its decided programme, falls on a day ``stored`` asks of someone."""
    if ask.decided is not None:
        return stored.proposal is None or bool(_person_days(stored.proposal) & _person_days(ask.decided))
    if ask.staff_id is None or ask.span is None:
        return not ask.keys  # neither a person nor keys: every open proposal
    if stored.proposal is None:
        return True  # an unplaced audit may fit now that someone's days changed
    span = ask.span
    return any(who == ask.staff_id and span.holds(day) for who, day in _person_days(stored.proposal))


def _person_days(p: ProposedAudit) -> set[tuple[UUID, date]]:
    """Every (person, day) a proposal asks for: on-site days, the leader's stage 1, each shopper's visit."""
    onsite = [p.onsite_start + timedelta(days=n) for n in range((p.onsite_end - p.onsite_start).days + 1)]
    taken = {(m.staff_id, day) for m in p.team for day in onsite}
    leader = next((m.staff_id for m in p.team if m.role == "leader"), None)
    if p.stage1_on is not None and leader is not None:
        taken.add((leader, p.stage1_on))
    return taken | {(v.shopper_id, v.planned_on) for v in p.visits}
