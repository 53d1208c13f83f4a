"""``scheduling``: the audit planner (issue 18) on a generated year — 500 audits × 40 auditors and 10
mystery shoppers over 12 months at scale 1 — solved by CP-SAT within ``policy.time_limit_seconds`` (60 s
at scale 1) and by the greedy baseline in the same run; the quality (people travelling, the spread of
half-days between the busiest and the least busy auditor) is reported against the greedy plan's.
``cp_sat_start`` is the best of the greedy plans CP-SAT starts from (planning.solver.SHARES), so that the
share of the gain the search itself makes shows; ``objective`` is travel and spread as the model weighs them.

The instance is seeded, so runs compare: cities, qualifications with gaps, leave, monthly caps and
conflicts of interest for the people; initial audits (stage 1, visits), surveillances and
recertifications with their windows for the audits. Working days are Monday to Friday.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from bench.harness import Run, bench, ratio
from planning.greedy import solve_greedy
from planning.solver import SHARES, solve
from schemas.audits import AuditKind
from schemas.scheduling import (
    AuditDemand,
    DateSpan,
    PlanPerson,
    PlanRequest,
    PlanResult,
    SchedulingPolicy,
    SiteDemand,
)
from schemas.staff import Role
from schemas.tasking import QualificationPeriod

CITIES = ("上海", "北京", "深圳", "广州", "杭州", "成都", "武汉", "南京")
TODAY = date(2027, 1, 4)
HORIZON_DAYS = 365


def _proofs(rng: random.Random, first: date, last: date) -> list[QualificationPeriod]:
    """Both R-7.auditor proofs over the year, for one auditor in five with a gap of a few weeks."""
    if rng.random() < 0.2:
        gap = first + timedelta(days=rng.randint(60, 300))
        spans = [(first - timedelta(days=400), gap), (gap + timedelta(days=rng.randint(10, 40)), last)]
    else:
        spans = [(first - timedelta(days=400), last + timedelta(days=400))]
    return [QualificationPeriod(kind=kind, valid_from=lo, valid_to=hi)
            for lo, hi in spans for kind in ("training_certificate", "competence_evaluation")]


def _leave(rng: random.Random, first: date) -> list[DateSpan]:
    out = []
    for _ in range(rng.randint(0, 3)):
        start = first + timedelta(days=rng.randint(0, HORIZON_DAYS - 20))
        out.append(DateSpan(starts_on=start, ends_on=start + timedelta(days=rng.randint(1, 12))))
    return out


def _person(rng: random.Random, n: int, role: Role, codes: list[str]) -> PlanPerson:
    last = TODAY + timedelta(days=HORIZON_DAYS)
    auditor = role == Role.AUDITOR
    return PlanPerson(
        staff_id=uuid.UUID(int=rng.getrandbits(128)), name=f"{'auditor' if auditor else 'shopper'} {n:02d}",
        roles=[role], qualifications=_proofs(rng, TODAY, last) if auditor else [],
        home_city=rng.choice(CITIES), max_audit_days_per_month=rng.choice((8, 10, 12, 12)),
        unavailable=_leave(rng, TODAY), conflicts=rng.sample(codes, k=2) if rng.random() < 0.3 else [])


def _audit(rng: random.Random, n: int, codes: list[str]) -> AuditDemand:
    kind = rng.choices((AuditKind.INITIAL, AuditKind.SURVEILLANCE, AuditKind.RECERTIFICATION), weights=(3, 5, 2))[0]
    city = rng.choice(CITIES)
    sites = [SiteDemand(name=f"site {n}-{s}", city=rng.choice((city, city, rng.choice(CITIES))))
             for s in range(rng.choice((1, 1, 2, 3)))]
    if kind == AuditKind.INITIAL:
        earliest = TODAY + timedelta(days=rng.randint(7, HORIZON_DAYS - 60))
        latest, days, stage1 = earliest + timedelta(days=rng.randint(20, 45)), rng.choice(("3.5", "4.5", "5.5")), True
    else:
        due = TODAY + timedelta(days=rng.randint(30, HORIZON_DAYS - 10))
        earliest, latest, stage1 = due - timedelta(days=90), due - timedelta(days=21), False
        days = rng.choice(("1", "1.5", "2", "3")) if kind == AuditKind.SURVEILLANCE else rng.choice(("2.5", "3", "4"))
    return AuditDemand(key=f"audit-{n:03d}", kind=kind, organization_name=f"org {n}", credit_code=rng.choice(codes),
                       city=city, sites=sites, earliest=max(earliest, TODAY), latest=latest,
                       person_days=Decimal(days), stage1=stage1, visits=kind != AuditKind.SURVEILLANCE)


def generate(audits: int, auditors: int, shoppers: int, *, seed: int = 7, time_limit: float = 60.0) -> PlanRequest:
    """A seeded year of audits and the people to place them."""
    rng = random.Random(seed)
    codes = [f"9131{n:014d}" for n in range(max(20, audits // 5))]
    people = ([_person(rng, n, Role.AUDITOR, codes) for n in range(auditors)]
              + [_person(rng, n, Role.MYSTERY_SHOPPER, codes) for n in range(shoppers)])
    working = [TODAY + timedelta(days=n) for n in range(HORIZON_DAYS) if (TODAY + timedelta(days=n)).weekday() < 5]
    return PlanRequest(today=TODAY, working_days=working, audits=[_audit(rng, n, codes) for n in range(audits)],
                       people=people, policy=SchedulingPolicy(time_limit_seconds=time_limit), seed=seed)


def figures(result: PlanResult) -> dict[str, Any]:
    return {"status": result.status, "placed": len(result.proposals), "unplaced": len(result.unplaced),
            "travel": result.travel, "load_spread": result.load_spread, "wall_seconds": result.wall_seconds}


@bench("scheduling", "the audit planner: 500 audits × 40 auditors over 12 months by CP-SAT against a greedy baseline")
async def scheduling(run: Run) -> dict[str, Any]:
    request = generate(run.count(500, 4), run.count(40, 3), run.count(10, 2),
                       time_limit=max(2.0, round(60 * run.scale, 1)))
    policy = request.policy
    with run.progress("greedy, then CP-SAT", len(SHARES) + 1) as advance:
        starts = {}
        for share in SHARES:  # the greedy plans CP-SAT starts from (the baseline is share None)
            starts[share] = await asyncio.to_thread(solve_greedy, request, share=share)
            advance()
        cp_sat = await asyncio.to_thread(solve, request)
        advance()
    greedy = starts[None]
    start = min(starts.values(), key=lambda r: (-len(r.proposals), policy.travel_weight * r.travel
                                                + policy.balance_weight * r.load_spread))
    objective = {name: policy.travel_weight * r.travel + policy.balance_weight * r.load_spread
                 for name, r in (("cp_sat", cp_sat), ("cp_sat_start", start), ("greedy", greedy))}
    unplaced_rules: dict[str, int] = {}
    for u in cp_sat.unplaced:
        unplaced_rules[u.rule_id] = unplaced_rules.get(u.rule_id, 0) + 1
    return {"audits": len(request.audits), "people": len(request.people),
            "time_limit_seconds": request.policy.time_limit_seconds,
            "cp_sat": figures(cp_sat), "greedy": figures(greedy), "cp_sat_start": figures(start),
            "cp_sat_unplaced_by_rule": unplaced_rules,
            "objective": objective,
            "travel_ratio": ratio(cp_sat.travel, greedy.travel),
            "spread_ratio": ratio(cp_sat.load_spread, greedy.load_spread),
            "ratio": ratio(objective["cp_sat"], objective["greedy"])}  # the model's own measure of quality
