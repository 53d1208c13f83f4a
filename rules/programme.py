"""Checks of a certification programme (R-9.1.3) before it is accepted: the team (R-7), the
mystery-shopper visits (R-3.10), the audit time (R-9.1.2.7, R-A.n1a) and the dates.

Pure: the facts about people (roles, qualifications) come in as data, read from the register by the
API when the programme is submitted, so a workflow's Update validator can run these checks.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from rules.audit_time import check_onsite_days
from schemas.errors import InvalidInput, RuleViolation
from schemas.payloads import Programme
from schemas.staff import Role
from schemas.tasking import StaffFacts

MIN_VISIT_DAYS = Decimal("0.5")  # at least 0.5 person-day per site


def audit_dates(programme: Programme) -> list[date]:
    """Every day a team member works on the audit: stage 1 and each on-site day (R-7.auditor Decision)."""
    days = (programme.onsite_end - programme.onsite_start).days
    stage1 = {programme.stage1_on} if programme.stage1_on else set()
    return sorted(stage1 | {programme.onsite_start + timedelta(days=n) for n in range(days + 1)})


def qualified_on(person: StaffFacts, dates: list[date]) -> list[date]:
    """The dates on which ``person`` lacks one of R-7.auditor's two proofs (empty = qualified)."""
    lacking = []
    for day in dates:
        kinds = {q.kind for q in person.qualifications if q.valid_from <= day <= q.valid_to}
        if not {"training_certificate", "competence_evaluation"} <= kinds:
            lacking.append(day)
    return lacking


def check_programme(
    programme: Programme,
    *,
    site_names: list[str],
    minimum_person_days: Decimal,
    staff: dict[str, StaffFacts],
    today: date,
    stage1: bool = True,
    visits_required: bool = True,
    minimum_rule: str = "R-9.1.2.7",
) -> None:
    """``stage1``: the audit has a separate stage 1 (initial, R-9.1.5; recertification after a major
    change, R-9.3). ``visits_required``: every site gets a mystery-shopper visit (R-3.10: initial and
    recertification; optional per surveillance, a Decision) — visits planned are always checked."""
    p = programme
    if stage1 and p.stage1_on is None:
        raise RuleViolation("R-9.1.5", "this audit has a separate stage 1: give its date (stage1_on)")
    if p.stage1_on is not None:
        if p.stage1_on < today:
            raise RuleViolation("R-9.1.3", f"stage 1 on {p.stage1_on} is in the past (today is {today})")
        if p.stage1_on > p.onsite_start:
            raise RuleViolation("R-9.1.5",
                                f"stage 1 ({p.stage1_on}) must come before the on-site audit ({p.onsite_start})")
    elif p.onsite_start < today:
        raise RuleViolation("R-9.1.3", f"the on-site audit on {p.onsite_start} is in the past (today is {today})")
    _check_team(p, staff)
    _check_visits(p, site_names, staff, today, required=visits_required)
    if p.person_days < minimum_person_days:
        raise RuleViolation(
            minimum_rule,
            f"the programme plans {p.person_days} person-days, below the minimum of {minimum_person_days}",
        )
    try:
        check_onsite_days(p.person_days, p.onsite_days)  # R-A.n1a
    except InvalidInput as exc:
        raise RuleViolation("R-A.n1a", exc.message) from None


def _person(staff: dict[str, StaffFacts], staff_id) -> StaffFacts:
    person = staff.get(str(staff_id))
    if person is None:
        raise RuleViolation("R-7.team", f"{staff_id} is not a member of the body's staff")
    if not person.active:
        raise RuleViolation("R-7.team", f"{person.name} is no longer active")
    if person.conflicts:  # the team is formed for this auditee; no one tied to it audits it
        raise RuleViolation("R-9.1.4", f"{person.name} has a declared conflict of interest with this "
                                       f"organization: {'; '.join(person.conflicts)}")
    return person


def _check_team(p: Programme, staff: dict[str, StaffFacts]) -> None:
    ids = [m.staff_id for m in p.team]
    if len(set(ids)) != len(ids):
        raise RuleViolation("R-7.team", "each person appears once in the team")
    leaders = [m for m in p.team if m.role == "leader"]
    if len(leaders) != 1:
        raise RuleViolation("R-7.team", f"a team has exactly one team leader, this one has {len(leaders)}")
    dates = audit_dates(p)
    for member in p.team:
        person = _person(staff, member.staff_id)
        if member.role == "expert":
            # R-7.expert: works under an auditor's supervision, never counts as an auditor.
            if Role.TECHNICAL_EXPERT not in person.roles:
                raise RuleViolation("R-7.expert", f"{person.name} is not registered as a technical expert")
            continue
        if Role.AUDITOR not in person.roles:
            raise RuleViolation("R-7.auditor", f"{person.name} is not an auditor"
                                + (" (a technical expert never counts as an auditor, R-7.expert)"
                                   if Role.TECHNICAL_EXPERT in person.roles else ""))
        lacking = qualified_on(person, dates)
        if lacking:
            raise RuleViolation(
                "R-7.auditor",
                f"{person.name} does not hold a valid training certificate and competence evaluation on "
                + ", ".join(d.isoformat() for d in lacking),
            )


def _check_visits(p: Programme, site_names: list[str], staff: dict[str, StaffFacts], today: date, *,
                  required: bool = True) -> None:
    planned = {v.site for v in p.visits}
    unknown = planned - set(site_names)
    if unknown:
        raise RuleViolation("R-3.10", f"visits planned to sites not in the application: {', '.join(sorted(unknown))}")
    missing = [s for s in site_names if s not in planned]
    if missing and required:
        raise RuleViolation("R-3.10", f"every site gets a mystery-shopper visit; none planned for {', '.join(missing)}")
    for v in p.visits:
        if v.person_days < MIN_VISIT_DAYS:
            raise RuleViolation("R-3.10", f"the visit to {v.site} is {v.person_days} person-day; at least 0.5 per site")
        if v.planned_on >= p.onsite_start:
            raise RuleViolation("R-3.10", f"the visit to {v.site} on {v.planned_on} must come before the on-site "
                                f"audit starting {p.onsite_start}")
        if v.planned_on < today:
            raise RuleViolation("R-9.1.3", f"the visit to {v.site} on {v.planned_on} is in the past")
        shopper = _person(staff, v.shopper_id)
        if Role.MYSTERY_SHOPPER not in shopper.roles:
            raise RuleViolation("R-3.10", f"{shopper.name} is not a mystery shopper")
