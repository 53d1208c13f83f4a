"""The regulator's monthly report (CNCA): which certificates it lists for a month, and what it says of each.

The month is an Asia/Shanghai calendar month ("Dates" in RULES.md): a date column of the register
(``issued_on``, ``reissued_on``, ``valid_to``) is already a Shanghai date, and an event belongs to the
day its ``occurred_at`` falls on in Shanghai. A report of a month reads only what was in force by its
last day (issue 12, "the register forgets"): drawn again after a later renewal, reissue or withdrawal
it is the same, byte for byte. It reads two sources, both append-only:

* ``certificate_versions`` (migration 0005): what each certificate said from each day on, including its
  holder's name and credit code as certified. The version in force at the month's end gives the columns.
* ``events``: the dated log. An event is a certificate's when its ``subject`` is the certificate number,
  or its application id (``certificate.expired`` is recorded under the application id by the
  certification workflow) and its kind is one of ``_EVENT_KINDS``.

Columns (``CncaRow``):

* number, organization name, credit code, scope, star level, issue date, reissue date, valid from/to:
  the version in force at the end of the month (number in upper case without spaces).
* status: the status at the end of the month (``_status_on``): the last status recorded by then by a
  version or a status event. Past ``valid_to`` a certificate that was not withdrawn is expired (R-10.1).
* happenings (in date order; one per kind and day):
    - issued: a version's ``issued_on`` (the first issue, or a recertification's, R-9.3), or a
      ``certificate.granted``/``certificate.recertified`` event;
    - reissued: a version's ``reissued_on``, a scope-reduced version, or a ``certificate.reissued``/
      ``certificate.scope_reduced`` event (a change, 变更, R-10.3.4, R-9.6.6);
    - suspended / withdrawn: such a version, or a ``certificate.suspended`` / ``certificate.withdrawn`` event;
    - expired (注销): the day after ``valid_to`` (R-10.1) unless the certificate was withdrawn or
      cancelled by then; an expiry (version or event) dated on or before ``valid_to`` is a
      cancellation before the end of the validity, dated by itself; one dated after ``valid_to`` is
      the workflow recording the natural end and adds nothing (a late worker does not move the month).
* event of the month: the last happening (ties: issued, reissued, suspended, withdrawn, expired), dated.
  With none, the certificate is listed as ``valid`` (no date) when it was valid (or valid with a reduced
  scope) at the start or the end of the month, as ``suspended`` (no date) when it stayed suspended the
  whole month (the suspension is public, R-9.6.4), and not at all otherwise (withdrawn or expired before).

A certificate first issued after the month is not listed; "first issued" is the earliest of its first
version's ``issued_on`` and its ``certificate.granted`` events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from schemas.certificate_versions import CertificateVersion, VersionChange, version_on
from schemas.certificates import CertStatus
from schemas.errors import InvalidInput
from schemas.reports import CncaRow, MonthEvent, MonthHappening, month_end, month_label
from store._sql import Db
from store.certificate_versions import versions_of_many

SHANGHAI = ZoneInfo("Asia/Shanghai")

# kind → (what the regulator counts it as, the status it leaves the certificate in); None: nothing.
# certificate.granted and .expired are written today; the others are the names the certificate's life
# (suspension, withdrawal, reissue, scope reduction, recertification, reinstatement) is to write.
_EVENT_KINDS: dict[str, tuple[MonthEvent | None, CertStatus | None]] = {
    "certificate.granted": (MonthEvent.ISSUED, CertStatus.VALID),
    "certificate.recertified": (MonthEvent.ISSUED, CertStatus.VALID),
    "certificate.reissued": (MonthEvent.REISSUED, None),
    "certificate.scope_reduced": (MonthEvent.REISSUED, CertStatus.SCOPE_REDUCED),
    "certificate.suspended": (MonthEvent.SUSPENDED, CertStatus.SUSPENDED),
    "certificate.reinstated": (None, CertStatus.VALID),
    "certificate.withdrawn": (MonthEvent.WITHDRAWN, CertStatus.WITHDRAWN),
    "certificate.expired": (MonthEvent.EXPIRED, CertStatus.EXPIRED),
}
_ORDER = {event: rank for rank, event in enumerate(MonthEvent)}
_ISSUES = (VersionChange.ISSUED, VersionChange.RENEWED, VersionChange.CARRIED_OVER)
_VERSION_EVENTS = {
    VersionChange.SCOPE_REDUCED: MonthEvent.REISSUED, VersionChange.SUSPENDED: MonthEvent.SUSPENDED,
    VersionChange.WITHDRAWN: MonthEvent.WITHDRAWN, VersionChange.EXPIRED: MonthEvent.EXPIRED,
}
_LISTED_AS_VALID = (CertStatus.VALID, CertStatus.SCOPE_REDUCED)


@dataclass(frozen=True)
class _Logged:
    on: date  # the Shanghai day it occurred on
    kind: str

    @property
    def event(self) -> MonthEvent | None:
        return _EVENT_KINDS[self.kind][0]

    @property
    def status(self) -> CertStatus | None:
        return _EVENT_KINDS[self.kind][1]


async def cnca_rows(db: Db, month: date, *, as_of: date | None = None) -> list[CncaRow]:
    """The report for ``month`` (any day of it), one row per certificate, by number.

    ``as_of`` is the caller's today (Asia/Shanghai): a month still running is reported up to that day,
    a month not yet begun is ``InvalidInput``. Without it the whole month is reported. Only what was in
    force by the last day reported is read, so drawn again later the report is the same.
    """
    if isinstance(month, datetime) or not isinstance(month, date):
        raise InvalidInput("the month is a date (any day of the month)")
    start = month.replace(day=1)
    end = month_end(start)
    if as_of is not None:
        if as_of < start:
            raise InvalidInput(f"{month_label(start)} has not begun (today is {as_of}): there is nothing to report yet",
                               details={"month": month_label(start)})
        end = min(end, as_of)
    numbers = [r["certificate_number"] for r in await db.fetch(
        """SELECT certificate_number FROM certificate_versions
           GROUP BY certificate_number HAVING min(in_force_from) <= $1 ORDER BY certificate_number""", end)]
    versions = await versions_of_many(db, numbers)
    logs = await _logs(db, numbers)
    rows = []
    for number in numbers:
        known = [v for v in versions[number] if v.in_force_from <= end]
        row = _row(known, [e for e in logs.get(number, []) if e.on <= end], start, end)
        if row is not None:
            rows.append(row)
    return rows


async def _logs(db: Db, numbers: list[str]) -> dict[str, list[_Logged]]:
    """Each certificate's events of the kinds the report knows, in the order they happened."""
    found = await db.fetch(
        """SELECT c.number, e.id, e.kind, e.occurred_at
           FROM certificates c JOIN events e ON e.subject = c.number
           WHERE c.number = ANY($1) AND e.kind = ANY($2)
           UNION
           SELECT c.number, e.id, e.kind, e.occurred_at
           FROM certificates c JOIN events e ON e.subject = c.application_id::text
           WHERE c.number = ANY($1) AND e.kind = ANY($2)
           ORDER BY occurred_at, id""",
        numbers, list(_EVENT_KINDS),
    )
    logs: dict[str, list[_Logged]] = {}
    for r in found:
        logs.setdefault(r["number"], []).append(_Logged(r["occurred_at"].astimezone(SHANGHAI).date(), r["kind"]))
    return logs


def _row(known: list[CertificateVersion], log: list[_Logged], start: date, end: date) -> CncaRow | None:
    """``known``: the versions in force by ``end``; ``log``: the events dated by ``end``."""
    first_issued = min([known[0].issued_on, *(e.on for e in log if e.kind == "certificate.granted")])
    if first_issued > end:
        return None  # not issued yet in this month
    shown = version_on(known, end)
    assert shown is not None
    happened = _happenings(known, shown, log, start, end)
    status_at_end = _status_on(known, log, end)
    if happened:
        event, event_on = happened[-1].event, happened[-1].on
    elif status_at_end in _LISTED_AS_VALID or (
            first_issued < start and _status_on(known, log, start - timedelta(days=1)) in _LISTED_AS_VALID):
        event, event_on = MonthEvent.VALID, None
    elif status_at_end is CertStatus.SUSPENDED:
        event, event_on = MonthEvent.SUSPENDED, None
    else:
        return None  # withdrawn or expired before the month
    return CncaRow(
        number=shown.number, organization_name=shown.organization.name, credit_code=shown.organization.credit_code,
        scope=shown.scope, star_level=shown.star_level, issued_on=shown.issued_on, reissued_on=shown.reissued_on,
        valid_from=shown.valid_from, valid_to=shown.valid_to, status=status_at_end,
        event=event, event_on=event_on, happenings=tuple(happened),
    )


def _happenings(known: list[CertificateVersion], shown: CertificateVersion, log: list[_Logged],
                start: date, end: date) -> list[MonthHappening]:
    valid_to = shown.valid_to
    found: set[tuple[date, MonthEvent]] = set()
    for v in known:
        if v.change in _ISSUES:
            found.add((v.issued_on, MonthEvent.ISSUED))
        if v.reissued_on is not None:
            found.add((v.reissued_on, MonthEvent.REISSUED))
        dated = _VERSION_EVENTS.get(v.change)
        if dated is MonthEvent.EXPIRED and v.in_force_from > v.valid_to:
            continue  # the natural end, dated below from valid_to
        if dated is not None:
            found.add((v.in_force_from, dated))
    for e in log:
        if e.event is MonthEvent.EXPIRED and e.on > valid_to:
            continue  # the natural end, dated below from valid_to
        if e.event is not None:
            found.add((e.on, e.event))
    if _status_on(known, log, valid_to) not in (CertStatus.WITHDRAWN, CertStatus.EXPIRED):
        found.add((valid_to + timedelta(days=1), MonthEvent.EXPIRED))  # the first day not valid
    in_month = sorted((on, _ORDER[event], event) for on, event in found if start <= on <= end)
    return [MonthHappening(event=event, on=on) for on, _, event in in_month]


def _status_on(known: list[CertificateVersion], log: list[_Logged], day: date) -> CertStatus:
    """The status at the end of ``day`` (R-9.6.8): the last status recorded by then, by a version (in
    force from its day) or a status event of the log (on its day; a version wins a tie, being the
    register's own record of the change). A certificate carried over by migration 0005 holds its
    status only from its last status event on: before that the log tells. Past the end of every
    validity in force by then, a certificate not withdrawn is expired (R-10.1)."""
    last_logged = max((e.on for e in log if e.status is not None), default=date.min)
    facts = [(e.on, 0, i, e.status) for i, e in enumerate(log) if e.status is not None and e.on <= day]
    for v in known:
        since = max(v.in_force_from, last_logged) if v.change is VersionChange.CARRIED_OVER else v.in_force_from
        if since <= day:
            facts.append((since, 1, v.version, v.status))
    status = max(facts, key=lambda f: f[:3])[3] if facts else CertStatus.VALID
    in_force = [v.valid_to for v in known if v.in_force_from <= day] or [known[0].valid_to]
    if max(in_force) < day and status is not CertStatus.WITHDRAWN:
        status = CertStatus.EXPIRED
    return status
