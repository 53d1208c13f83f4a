"""The regulator's monthly report (CNCA): which certificates it lists for a month, and what it says of each.

The month is an Asia/Shanghai calendar month ("Dates" in RULES.md): a date column of the register
(``issued_on``, ``reissued_on``, ``valid_to``) is already a Shanghai date, and an event belongs to the
day its ``occurred_at`` falls on in Shanghai. The report reads two sources:

* ``certificates`` (+ ``organizations``): the current state of each certificate. It keeps the current
  validity cycle only: a recertification overwrites issue date and validity (R-9.3 Decision), a reissue
  overwrites the reissue date and scope (R-10.3.4), ``status`` is the status now (R-9.6.8).
* ``events``, append-only: the dated history. An event is a certificate's when its ``subject`` is the
  certificate number, or its application id (``certificate.expired`` is recorded under the application
  id by the certification workflow today) and its kind is one of ``_EVENT_KINDS``.

Columns (``CncaRow``):

* number, organization name, credit code, scope, star level, issue date, reissue date, valid from/to:
  the register's current values (number in upper case without spaces).
* status: the status at the end of the month (``_status_on``): the register's status when no status
  event is dated after the month and the dates agree with it; otherwise replayed from the log up to the
  month's end. Past ``valid_to`` a certificate that was not withdrawn is expired (R-10.1), whatever
  the log says.
* happenings (in date order; one per kind and day):
    - issued: ``issued_on`` in the month (the first issue, or a recertification's, R-9.3), or a
      ``certificate.granted``/``certificate.recertified`` event;
    - reissued: ``reissued_on`` in the month, or a ``certificate.reissued``/``certificate.scope_reduced``
      event (a change, 变更, R-10.3.4, R-9.6.6);
    - suspended / withdrawn: a ``certificate.suspended`` / ``certificate.withdrawn`` event;
    - expired (注销): the day after ``valid_to`` (R-10.1) unless the certificate was withdrawn or
      cancelled by then; a ``certificate.expired`` event dated on or before ``valid_to`` is a
      cancellation before the end of the validity, dated by the event; one dated after ``valid_to`` is
      the workflow recording the natural end and adds nothing (a late worker does not move the month).
* event of the month: the last happening (ties: issued, reissued, suspended, withdrawn, expired), dated.
  With none, the certificate is listed as ``valid`` (no date) when it was valid (or valid with a reduced
  scope) at the start or the end of the month, as ``suspended`` (no date) when it stayed suspended the
  whole month (the suspension is public, R-9.6.4), and not at all otherwise (withdrawn or expired before).

A certificate first issued after the month is not listed; "first issued" is the earliest of ``issued_on``
and its ``certificate.granted`` events, so that a recertification after the month (which moves
``issued_on``) does not take the certificate out of the month it was valid in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from schemas.certificates import CertStatus, StarLevel
from schemas.errors import InvalidInput
from schemas.reports import CncaRow, MonthEvent, MonthHappening, month_end, month_label
from store._sql import Db

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
    a month not yet begun is ``InvalidInput``. Without it the whole month is reported.
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
    certificates = await db.fetch(
        """SELECT c.number, c.application_id, c.status, c.star_level, c.scope, c.issued_on, c.reissued_on,
                  c.valid_from, c.valid_to, o.name AS organization_name, o.credit_code
           FROM certificates c JOIN organizations o ON o.id = c.organization_id
           WHERE c.valid_to >= $1::date - 1
              OR EXISTS (SELECT 1 FROM events e
                         WHERE e.subject IN (c.number, c.application_id::text) AND e.kind = ANY($2)
                           AND e.occurred_at >= $3)
           ORDER BY c.number""",
        start, list(_EVENT_KINDS), datetime.combine(start, time(0), tzinfo=SHANGHAI),
    )
    logs = await _logs(db, [c["number"] for c in certificates])
    rows = []
    for c in certificates:
        row = _row(c, logs.get(c["number"], []), start, end)
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


def _row(c: asyncpg.Record, log: list[_Logged], start: date, end: date) -> CncaRow | None:
    first_issued = min([c["issued_on"], *(e.on for e in log if e.kind == "certificate.granted")])
    if first_issued > end:
        return None  # not issued yet in this month
    happened = _happenings(c, log, start, end)
    status_at_end = _status_on(c, log, end)
    if happened:
        event, event_on = happened[-1].event, happened[-1].on
    elif status_at_end in _LISTED_AS_VALID or (
            first_issued < start and _status_on(c, log, start - timedelta(days=1)) in _LISTED_AS_VALID):
        event, event_on = MonthEvent.VALID, None
    elif status_at_end is CertStatus.SUSPENDED:
        event, event_on = MonthEvent.SUSPENDED, None
    else:
        return None  # withdrawn or expired before the month
    return CncaRow(
        number=c["number"], organization_name=c["organization_name"], credit_code=c["credit_code"],
        scope=c["scope"], star_level=StarLevel(c["star_level"]), issued_on=c["issued_on"],
        reissued_on=c["reissued_on"], valid_from=c["valid_from"], valid_to=c["valid_to"], status=status_at_end,
        event=event, event_on=event_on, happenings=tuple(happened),
    )


def _happenings(c: asyncpg.Record, log: list[_Logged], start: date, end: date) -> list[MonthHappening]:
    valid_to: date = c["valid_to"]
    found: set[tuple[date, MonthEvent]] = set()
    found.add((c["issued_on"], MonthEvent.ISSUED))
    if c["reissued_on"] is not None:
        found.add((c["reissued_on"], MonthEvent.REISSUED))
    for e in log:
        if e.event is MonthEvent.EXPIRED and e.on > valid_to:
            continue  # the natural end, dated below from valid_to
        if e.event is not None:
            found.add((e.on, e.event))
    if _status_on(c, log, valid_to) not in (CertStatus.WITHDRAWN, CertStatus.EXPIRED):
        found.add((valid_to + timedelta(days=1), MonthEvent.EXPIRED))  # the first day not valid
    in_month = sorted((on, _ORDER[event], event) for on, event in found if start <= on <= end)
    return [MonthHappening(event=event, on=on) for on, _, event in in_month]


def _status_on(c: asyncpg.Record, log: list[_Logged], day: date) -> CertStatus:
    """The status at the end of ``day`` (R-9.6.8).

    The register's status is now's; it held on ``day`` too unless a status event is dated after
    ``day``, or it says expired while ``day`` is still within the validity. Then the log is replayed up
    to ``day``, from valid (a certificate is valid when issued). Past ``valid_to`` a certificate not
    withdrawn is expired (R-10.1).
    """
    current = CertStatus(c["status"])
    changes = [e for e in log if e.status is not None]
    if any(e.on > day for e in changes) or (current is CertStatus.EXPIRED and c["valid_to"] >= day):
        status = CertStatus.VALID
        for e in changes:
            if e.on <= day:
                status = e.status
    else:
        status = current
    if c["valid_to"] < day and status is not CertStatus.WITHDRAWN:
        status = CertStatus.EXPIRED
    return status
