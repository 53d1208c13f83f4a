"""Why an audit has no proposal: the first rule, in this order, that stops it, and the resource short.

1. no shape reaches the audit time with 80 % on site (R-A.n1a, R-9.1.2.7);
2. no start in its window once the plan's notice is kept (R-9.1.6);
3. no auditor holds both proofs over the dates (R-7.auditor);
4. too few are left once conflicts are taken out (R-9.1.4);
5. too few are free after absences, bookings and monthly caps (R-7.team);
6. no mystery shopper can visit a site before the audit (R-3.10);
7. else the people who could do it are taken by the plan's other audits (R-9.1.3, the programme's resources).
"""

from __future__ import annotations

from uuid import UUID

from planning.eligibility import Job, Person
from planning.fit import first_fit
from planning.ledger import Ledger
from planning.problem import Placement, Problem
from planning.shape import no_shape_reason
from schemas.scheduling import Unplaced

MAX_NAMED = 8


def _names(people: list[Person]) -> str:
    names = sorted(p.name for p in people)
    more = f" and {len(names) - MAX_NAMED} more" if len(names) > MAX_NAMED else ""
    return ", ".join(names[:MAX_NAMED]) + more


def explain(problem: Problem, job: Job, placements: list[Placement]) -> Unplaced:
    """The explanation of ``job`` left out of ``placements``."""
    d = job.demand

    def out(rule: str, resource: str, reason: str) -> Unplaced:
        return Unplaced(key=d.key, rule_id=rule, resource=resource, reason=reason)

    if job.shape is None:
        return out("R-A.n1a", "audit time", no_shape_reason(d, problem.policy))
    if not job.starts:
        return out("R-9.1.6", f"the window {d.earliest} – {d.latest}", _window_reason(problem, job))
    size = job.shape.team_size
    qualified = _qualified(problem, job)
    if not qualified:
        return out("R-7.auditor", "auditors", f"no auditor holds both a valid training certificate and "
                   f"competence evaluation on the {job.shape.onsite_days} on-site day(s) of any start from "
                   f"{_day(problem, job.starts[0])} to {_day(problem, job.starts[-1])}")
    clear = [p for p in qualified if not p.conflicted(d.credit_code)]
    if len(clear) < size:
        conflicted = [p for p in qualified if p.conflicted(d.credit_code)]
        if conflicted:
            return out("R-9.1.4", f"auditors: {_names(conflicted)}",
                       f"{_names(conflicted)} have a declared conflict of interest with {d.organization_name or d.key}"
                       f"; {len(clear)} qualified auditor(s) are left and the audit needs {size}")
        return out("R-7.auditor", "auditors", f"only {len(clear)} auditor(s) are qualified over the dates "
                   f"(R-7.auditor) and the audit needs a team of {size}")
    alone = Ledger(problem)
    if first_fit(problem, alone, job, visits=False) is None:
        taken = [p for p in clear if p.id not in job.members or _away_in_window(problem, job, p)]
        return out("R-7.team", f"auditors: {_names(taken)} on leave/booked",
                   f"a team of {size} with a leader{' free for stage 1' if d.stage1 else ''} is not free for any "
                   f"start from {_day(problem, job.starts[0])} to {_day(problem, job.starts[-1])}: {_names(taken)} "
                   f"are on leave, booked or at their monthly cap then")
    if first_fit(problem, alone, job) is None:
        site = _site_without_shopper(problem, job)
        return out("R-3.10", f"mystery shopper for {site}",
                   f"no mystery shopper without a conflict of interest is free to visit {site} in the "
                   f"{problem.policy.visit_window_working_days} working days before any possible start")
    busy = _busy(problem, job, placements)
    return out("R-9.1.3", f"auditors: {_names(busy)}" if busy else "auditors and shoppers",
               f"the audit fits alone but not with the plan's other audits: {_names(busy) or 'its people'} "
               f"are taken by them in the window {d.earliest} – {d.latest}")


def _day(problem: Problem, i: int) -> str:
    return problem.days.working[i].isoformat()


def _window_reason(problem: Problem, job: Job) -> str:
    days, d = problem.days, job.demand
    if days.earliest_start >= len(days):
        return "the working-day calendar ends before the plan's notice (R-9.1.6) can be kept"
    first = days.working[days.earliest_start]
    if d.latest < first:
        return (f"the window for the on-site start closes on {d.latest}, before {first}: the plan goes out on "
                f"{days.plan_sent_on()} at the earliest and must reach the auditee "
                f"{problem.policy.plan_notice_working_days} working days before the audit (R-9.1.6)")
    return (f"no start from {max(d.earliest, first)} to {d.latest} fits {job.shape.onsite_days if job.shape else '?'} "
            f"working days in one calendar month within the planning horizon (ending {days.working[-1]})")


def _qualified(problem: Problem, job: Job) -> list[Person]:
    assert job.shape is not None
    last = job.shape.onsite_days - 1
    w = problem.days.working
    return [p for p in problem.people.values() if p.auditor
            and any(p.qualified(w[s], w[s + last]) for s in job.starts)]


def _away_in_window(problem: Problem, job: Job, person: Person) -> bool:
    assert job.shape is not None
    lo, hi = job.starts[0], job.starts[-1] + job.shape.onsite_days - 1
    months = {problem.days.months[s] for s in job.starts}
    return (any(person.blocked[i] for i in range(lo, hi + 1))
            or any(person.month_room(m) < 2 * job.shape.onsite_days for m in months))


def _site_without_shopper(problem: Problem, job: Job) -> str:
    days, window = problem.days, problem.policy.visit_window_working_days
    for site in job.demand.sites:
        if not any(not problem.people[p].blocked[i] for p in job.shoppers for s in job.starts
                   for i in range(max(days.first_after_today, s - window), s)):
            return site.name
    return job.demand.sites[0].name if job.demand.sites else "its sites"


def _busy(problem: Problem, job: Job, placements: list[Placement]) -> list[Person]:
    assert job.shape is not None
    lo, hi = job.starts[0], job.starts[-1] + job.shape.onsite_days - 1
    ids: set[UUID] = set()
    for placement in placements:
        if placement.start <= hi and placement.end >= lo:
            ids.update(p for p in placement.team if p in job.members)
    return [problem.people[p] for p in ids]
