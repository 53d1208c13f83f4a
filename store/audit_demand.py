"""The audits the body will have to hold between today and a horizon (issue 18), read from the register:
what the planner places (``planning/``) and what the forecast weighs against capacity.

Four sources, each an :class:`~schemas.scheduling.AuditDemand` with its window for the on-site start:

- **surveillance** (R-9.2.1): certificates in force whose next thing due is a surveillance, due by the
  horizon; person-days R-A.n1b (1/3 of the initial time, at least 1 day).
- **recertification** (R-9.3): certificates in force expiring soon enough that their window opens by
  the horizon, with no recertification already under way, declined or refused this cycle; person-days
  R-A.n1c (2/3 of the initial time, at least 2 days).
- **initial** (R-9.1.3): applications accepted (contract under way), not yet audited; the accepted audit
  time (R-9.1.2.7, the ``application.accepted`` event the workflow records).
- **open programme tasks**: audits a programme manager is planning right now (any of the four kinds,
  special audits R-9.4 only from here); they win over the sources above for the same process and kind.

"In force" is status valid or scope_reduced (a reduced certificate keeps its surveillance, R-9.6.6). An
audit already programmed (its row in ``audits`` not concluded) is no demand: its days are the team's
``booked`` days (store/planning_people.py).

**Decisions** (the scheme is silent): the window of a surveillance opens ``window_months_before_due``
months before its due date and closes ``decision_margin_working_days`` working days before it (time for
the report and the decision, R-9.1.9); a recertification's closes the margin before the expiry and opens
the same months earlier; an initial audit's runs from today (the planner adds the plan notice, R-9.1.6)
to three months from today; a special audit's (R-9.4) from today to one month from today. A window
already closed (a late surveillance) is kept as today alone, so the planner explains what it cannot
keep rather than dropping the audit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from planning.cities import city_of_address
from rules.audit_time import (
    RECERTIFICATION_FLOOR,
    SURVEILLANCE_FLOOR,
    recertification_days,
    surveillance_days,
    table_audit_time,
)
from rules.calendar import HolidayTable, add_working_days
from rules.lifecycle import add_months
from schemas.audits import AuditKind
from schemas.scheduling import AuditDemand, SchedulingPolicy, SiteDemand
from store._sql import Db

IN_FORCE = ("valid", "scope_reduced")
INITIAL_WINDOW_MONTHS = 3  # Decision: an accepted application's audit within three months of today
SPECIAL_WINDOW_MONTHS = 1  # Decision: a special audit within a month of its order
SPECIAL_MINIMUM = Decimal("0.5")  # the least a special programme may plan (workflows/special_audit.py)

# The programme task of each kind of audit (workflows/initial.py, surveillance.py, recertification.py,
# special_audit.py).
PROGRAMME_TASKS: dict[str, AuditKind] = {
    "programme": AuditKind.INITIAL, "surveillance_programme": AuditKind.SURVEILLANCE,
    "recertification_programme": AuditKind.RECERTIFICATION, "special_programme": AuditKind.SPECIAL,
}

@dataclass
class _Subject:
    """Who an audit is of: the organization and its sites, and the initial audit time (R-A.n1b/c's base)."""

    workflow_id: str
    organization_name: str
    credit_code: str
    registered_address: str
    sites: list[SiteDemand] = field(default_factory=list)
    initial_days: Decimal | None = None
    headcount: int = 0

    def demand(self, key: str, kind: AuditKind, **fields: Any) -> AuditDemand:
        city = next((s.city for s in self.sites if s.city), "") or city_of_address(self.registered_address)
        return AuditDemand(key=key, workflow_id=self.workflow_id, kind=kind, organization_name=self.organization_name,
                           credit_code=self.credit_code, city=city, sites=self.sites, **fields)


async def audits_due(conn: Db, today: date, until: date, policy: SchedulingPolicy,
                     calendar: HolidayTable) -> list[AuditDemand]:
    """Every audit to hold from ``today`` to ``until``, once each (by process and kind; an open programme
    task first), in the order their windows close."""
    found: dict[tuple[str, str], AuditDemand] = {}
    sources = (_from_tasks(conn, today, policy, calendar), _surveillances(conn, today, until, policy, calendar),
               _recertifications(conn, today, until, policy, calendar), _initials(conn, today))
    for source in sources:
        for demand in await source:
            found.setdefault((demand.workflow_id, demand.kind.value), demand)
    return sorted(found.values(), key=lambda d: (d.latest, d.key))


# --- windows (pure) ----------------------------------------------------------------------------------

def _window(today: date, opens: date, closes: date) -> tuple[date, date]:
    """(earliest, latest) of an on-site start: never before today; a closed window is today alone."""
    earliest = max(today, opens)
    return earliest, max(closes, earliest)


def surveillance_window(today: date, due: date, policy: SchedulingPolicy, calendar: HolidayTable) -> tuple[date, date]:
    """R-9.2.1: from ``window_months_before_due`` months before the due date to the decision margin
    (working days) before it."""
    closes = add_working_days(due, -policy.decision_margin_working_days, calendar).date
    return _window(today, add_months(due, -policy.window_months_before_due), closes)


def recertification_window(today: date, valid_to: date, policy: SchedulingPolicy,
                           calendar: HolidayTable) -> tuple[date, date]:
    """R-9.3: the on-site audit before the certificate expires, the decision margin before it."""
    closes = add_working_days(valid_to, -policy.decision_margin_working_days, calendar).date
    return _window(today, add_months(closes, -policy.window_months_before_due), closes)


def _days(value: object) -> Decimal | None:
    """Person-days as a task's context or an event carries them ("4.5"); None when absent or not a number."""
    try:
        days = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return days if days.is_finite() and days > 0 else None


def _least(subject: _Subject, kind: AuditKind) -> Decimal:
    """R-A.n1b / R-A.n1c from the initial time; the floor alone when the register does not know it."""
    if kind is AuditKind.SURVEILLANCE:
        return surveillance_days(subject.initial_days) if subject.initial_days else SURVEILLANCE_FLOOR
    return recertification_days(subject.initial_days) if subject.initial_days else RECERTIFICATION_FLOOR


# --- the register's subjects -------------------------------------------------------------------------

_INITIAL_DAYS = """coalesce(
    (SELECT (e.data->>'person_days')::numeric FROM events e
     WHERE e.kind = 'application.accepted' AND e.subject = a.id::text
       AND e.data->>'person_days' ~ '^[0-9]{1,4}(\\.[0-9]{1,2})?$'
     ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1),
    (SELECT i.person_days FROM audits i WHERE i.workflow_id = a.workflow_id AND i.kind = 'initial'
       AND i.person_days IS NOT NULL ORDER BY i.created_at LIMIT 1))"""


async def _subjects(conn: Db, application_ids: list[Any]) -> dict[Any, _Subject]:
    """By application id: the organization, its sites (the certificate's in force, else those applied
    for) and the initial audit time (the accepted time recorded by the workflow, else the initial audit's)."""
    rows = await conn.fetch(
        f"""SELECT a.id, a.workflow_id, a.data, o.name, o.credit_code, o.registered_address,
                   (SELECT c.number FROM certificates c WHERE c.application_id = a.id
                    ORDER BY c.issued_on DESC LIMIT 1) AS number,
                   {_INITIAL_DAYS} AS initial_days
            FROM applications a JOIN organizations o ON o.id = a.organization_id
            WHERE a.id = ANY($1::uuid[])""", application_ids)
    certified = await _certified_sites(conn, [r["number"] for r in rows if r["number"]])
    subjects = {}
    for r in rows:
        applied = _applied_sites(r["data"])
        subjects[r["id"]] = _Subject(
            workflow_id=r["workflow_id"], organization_name=r["name"], credit_code=r["credit_code"],
            registered_address=r["registered_address"], sites=certified.get(r["number"]) or applied[0],
            initial_days=r["initial_days"], headcount=applied[1])
    return subjects


async def _certified_sites(conn: Db, numbers: list[str]) -> dict[str, list[SiteDemand]]:
    rows = await conn.fetch(
        """SELECT cs.certificate_number, s.name, s.address FROM certificate_sites cs JOIN sites s ON s.id = cs.site_id
           WHERE cs.certificate_number = ANY($1::text[]) AND cs.removed_on IS NULL
           ORDER BY cs.certificate_number, cs.site_index""", numbers)
    sites: dict[str, list[SiteDemand]] = {}
    for r in rows:
        sites.setdefault(r["certificate_number"], []).append(
            SiteDemand(name=r["name"], city=city_of_address(r["address"])))
    return sites


def _applied_sites(data: Any) -> tuple[list[SiteDemand], int]:
    """The sites of the application form as submitted (schemas.intake.ApplicationSubmission), and their
    total headcount."""
    listed = data.get("sites") if isinstance(data, dict) else None
    sites, headcount = [], 0
    for s in listed if isinstance(listed, list) else []:
        if isinstance(s, dict) and str(s.get("name") or "").strip():
            sites.append(SiteDemand(name=str(s["name"]), city=city_of_address(str(s.get("address") or ""))))
            headcount += s["headcount"] if isinstance(s.get("headcount"), int) else 0
    if not headcount and isinstance(data, dict) and isinstance(data.get("headcount"), int):
        headcount = data["headcount"]
    return sites, headcount


# --- the sources -------------------------------------------------------------------------------------

_PROGRAMMED = """EXISTS (SELECT 1 FROM audits x WHERE x.workflow_id = c.workflow_id AND x.kind = $2
                         AND x.status <> 'concluded')"""


async def _surveillances(conn: Db, today: date, until: date, policy: SchedulingPolicy,
                         calendar: HolidayTable) -> list[AuditDemand]:
    """R-9.2.1: the next surveillance of each certificate in force, due by ``until``, not yet programmed."""
    rows = await conn.fetch(
        f"""SELECT c.application_id, c.workflow_id, c.next_due_on FROM certificates c
            WHERE c.status = ANY($3::text[]) AND c.next_due_what = 'surveillance' AND c.next_due_on <= $1
              AND NOT {_PROGRAMMED}""", until, AuditKind.SURVEILLANCE.value, list(IN_FORCE))
    subjects = await _subjects(conn, [r["application_id"] for r in rows])
    found = []
    for r in rows:
        subject, due = subjects[r["application_id"]], r["next_due_on"]
        earliest, latest = surveillance_window(today, due, policy, calendar)
        found.append(subject.demand(
            f"{r['workflow_id']}/surveillance/{due.isoformat()}", AuditKind.SURVEILLANCE, earliest=earliest,
            latest=latest, window_rule="R-9.2.1", person_days=_least(subject, AuditKind.SURVEILLANCE),
            stage1=False, visits=policy.surveillance_visits))  # Decision: visits optional here
    return found


async def _recertifications(conn: Db, today: date, until: date, policy: SchedulingPolicy,
                            calendar: HolidayTable) -> list[AuditDemand]:
    """R-9.3: certificates in force whose recertification window opens by ``until``, with none under way,
    done, declined or refused since their (re)issue."""
    rows = await conn.fetch(
        f"""SELECT c.application_id, c.workflow_id, c.valid_to FROM certificates c
            WHERE c.status = ANY($3::text[]) AND c.valid_to <= $1
              AND NOT {_PROGRAMMED}
              AND NOT EXISTS (SELECT 1 FROM audits x WHERE x.workflow_id = c.workflow_id AND x.kind = $2
                              AND (x.created_at AT TIME ZONE 'Asia/Shanghai')::date >= c.issued_on)
              AND NOT EXISTS (SELECT 1 FROM events e WHERE e.workflow_id = c.workflow_id
                              AND e.kind IN ('recertification.declined', 'recertification.refused')
                              AND (e.occurred_at AT TIME ZONE 'Asia/Shanghai')::date >= c.issued_on)""",
        _expiring_by(until, policy, calendar), AuditKind.RECERTIFICATION.value, list(IN_FORCE))
    subjects = await _subjects(conn, [r["application_id"] for r in rows])
    found = []
    for r in rows:
        earliest, latest = recertification_window(today, r["valid_to"], policy, calendar)
        if earliest > until:
            continue
        subject = subjects[r["application_id"]]
        found.append(subject.demand(
            f"{r['workflow_id']}/recertification/{r['valid_to'].isoformat()}", AuditKind.RECERTIFICATION,
            earliest=earliest, latest=latest, window_rule="R-9.3",
            person_days=_least(subject, AuditKind.RECERTIFICATION), stage1=False, visits=True))
    return found


def _expiring_by(until: date, policy: SchedulingPolicy, calendar: HolidayTable) -> date:
    """A bound on the expiry of a certificate whose recertification window can open by ``until`` (the
    window's months and the margin after it, a month to spare); the exact test follows in Python."""
    after = add_working_days(add_months(until, policy.window_months_before_due), policy.decision_margin_working_days,
                             calendar).date
    return add_months(after, 1)


async def _initials(conn: Db, today: date) -> list[AuditDemand]:
    """R-9.1.3: accepted applications, their contract under way: the audit at the accepted time."""
    ids = [r["id"] for r in await conn.fetch("SELECT id FROM applications WHERE status = 'accepted'")]
    found = []
    for subject in (await _subjects(conn, ids)).values():
        found.append(_initial(subject, today, subject.initial_days))
    return found


def _initial(subject: _Subject, today: date, days: Decimal | None) -> AuditDemand:
    """The initial audit (R-9.1.5 stage 1 apart, R-3.10 visits); without a recorded time, the R-A.table
    value for the headcount applied for."""
    person_days = days or table_audit_time(max(subject.headcount, 1)).days
    return subject.demand(f"{subject.workflow_id}/initial", AuditKind.INITIAL, earliest=today,
                          latest=add_months(today, INITIAL_WINDOW_MONTHS), window_rule="R-9.1.3",
                          person_days=person_days, stage1=True, visits=True)


async def _from_tasks(conn: Db, today: date, policy: SchedulingPolicy, calendar: HolidayTable) -> list[AuditDemand]:
    """The programmes being planned now (open programme tasks), each from what its task's context says."""
    rows = await conn.fetch(
        """SELECT t.id, t.workflow_id, t.kind, t.context, a.id AS application_id FROM tasks t
           JOIN applications a ON a.workflow_id = t.workflow_id
           WHERE t.status = 'open' AND t.kind = ANY($1::text[]) ORDER BY t.opened_at, t.id""", list(PROGRAMME_TASKS))
    subjects = await _subjects(conn, [r["application_id"] for r in rows])
    found = []
    for r in rows:
        context = r["context"] if isinstance(r["context"], dict) else {}
        found.append(_task_demand(subjects[r["application_id"]], r["id"], PROGRAMME_TASKS[r["kind"]], context,
                                  today, policy, calendar))
    return found


def _task_demand(subject: _Subject, task_id: str, kind: AuditKind, context: dict[str, Any], today: date,
                 policy: SchedulingPolicy, calendar: HolidayTable) -> AuditDemand:
    wf, minimum = subject.workflow_id, _days(context.get("minimum_person_days"))
    if kind is AuditKind.INITIAL:
        return _initial(subject, today, minimum or subject.initial_days)
    if kind is AuditKind.SPECIAL:  # ordered by a person, at the least a special programme may plan
        return subject.demand(f"{wf}/special/{task_id.rsplit('/', 1)[-1]}", kind, earliest=today,
                              latest=add_months(today, SPECIAL_WINDOW_MONTHS), window_rule="R-9.4",
                              person_days=SPECIAL_MINIMUM, stage1=False, visits=False)
    if kind is AuditKind.RECERTIFICATION:
        valid_to = _day(context.get("valid_to"))
        earliest, latest = (recertification_window(today, valid_to, policy, calendar) if valid_to
                            else (today, add_months(today, policy.window_months_before_due)))
        return subject.demand(f"{wf}/recertification/{valid_to.isoformat() if valid_to else 'open'}", kind,
                              earliest=earliest, latest=latest, window_rule="R-9.3",
                              person_days=minimum or _least(subject, kind),
                              stage1=context.get("separate_stage1") is True, visits=True)
    return _surveillance_task(subject, task_id, context, minimum, today, policy, calendar)


def _surveillance_task(subject: _Subject, task_id: str, context: dict[str, Any], minimum: Decimal | None,
                       today: date, policy: SchedulingPolicy, calendar: HolidayTable) -> AuditDemand:
    """A planned surveillance (its due date, R-9.2.1) or one a person added (no due date): R-A.n1b less
    what the year's other surveillances already planned, when the task says so."""
    due = _day(context.get("surveillance_due_on"))
    person_days = minimum or _least(subject, AuditKind.SURVEILLANCE)
    spent = _days(context.get("surveillance_year_person_days"))
    if spent:
        person_days = max(person_days - spent, SPECIAL_MINIMUM)
    earliest, latest = (surveillance_window(today, due, policy, calendar) if due
                        else (today, add_months(today, policy.window_months_before_due)))
    key = f"{subject.workflow_id}/surveillance/{due.isoformat() if due else 'added-' + task_id.rsplit('/', 1)[-1]}"
    return subject.demand(key, AuditKind.SURVEILLANCE, earliest=earliest, latest=latest, window_rule="R-9.2.1",
                          person_days=person_days, stage1=False, visits=policy.surveillance_visits)


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
