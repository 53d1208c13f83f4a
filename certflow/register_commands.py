"""The commands that read or change the register: ``migrate``, ``holidays``, ``staff`` and ``report``.

Each works on the running stack's register (certflow/register.py) and refuses to start one of its
own. Imports are made inside the commands, so that ``certflow --help`` and each command start quickly.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date

from certflow.register import with_register
from certflow.settings import get_settings

TOKEN_ACTIONS = {  # `certflow staff ACTION STAFF_ID`, run by certflow/token_commands.py
    "revoke": "stop a staff member's token from working at once (rotate gives them a new one)",
    "rotate": "give a staff member a new token (printed once); the old one stops working",
    "deactivate": "someone who left: no token of theirs works, and no task is given to them",
}


def cmd_migrate(args: argparse.Namespace) -> int:
    from store.migrate import migrate

    async def work(conn) -> None:
        applied = await migrate(conn)
        print(f"applied migrations: {applied}" if applied else "the register is up to date")

    return with_register(get_settings(), "migrate", work)


def cmd_holidays(args: argparse.Namespace) -> int:
    """The body's holiday table (R-dates): days off and make-up working days of years published after
    the shipped data, and the years declared complete."""
    from rules.calendar import HolidayTable
    from store import holidays

    async def work(conn) -> None:
        if args.action == "set":
            await holidays.set_holiday(conn, args.day, args.kind == "work", args.name)
            print(f"{args.day}: {'make-up working day' if args.kind == 'work' else 'day off'} {args.name}".rstrip())
        elif args.action == "declare-year":
            await holidays.declare_year(conn, args.year, source=args.source)
            print(f"{args.year} is declared complete: dates in it are no longer provisional")
        else:
            # The table the worker's calendar activities use (activities/calendar.py current_table),
            # built here without importing the Temporal SDK that module needs.
            years, days = await holidays.holiday_overrides(conn)
            table = HolidayTable.default().with_overrides(years=years, days=days)
            year = args.year
            known = "complete" if table.covers(year) else "NOT complete: dates in it are provisional"
            print(f"{year}: {known}")
            for day, name in sorted({**table.off_days, **table.working_days}.items()):
                if day.year == year:
                    kind = "working" if day in table.working_days else "off"
                    print(f"  {day}  {kind:7}  {name}")

    return with_register(get_settings(), "holidays", work)


def cmd_staff(args: argparse.Namespace) -> int:
    """The body's staff: who may act, in which roles, with which auditor qualifications (R-7)."""
    from datetime import timedelta
    from uuid import UUID

    from certflow.token_commands import run_token_action, token_lines
    from schemas.errors import CertflowError, InvalidInput
    from schemas.staff import Role
    from store import staff

    lifetime_days = get_settings().token_lifetime_days

    async def work(conn) -> None:
        if args.action == "add":
            person, token = await staff.add_staff(conn, args.name, [Role(r) for r in args.role], email=args.email,
                                                  manager_id=UUID(args.manager) if args.manager else None,
                                                  token_lifetime=timedelta(days=lifetime_days))
            print(f"staff id: {person.id}\nroles:    {', '.join(person.roles)}\ntoken:    {token}")
            print("Keep the token: it is shown only now (the register keeps only its hash).")
        elif args.action == "qualify":
            if args.valid_to < args.valid_from:
                raise InvalidInput(f"--to {args.valid_to} is before --from {args.valid_from}: a qualification "
                                   "is valid from one day to a later one (R-7.auditor)")
            q = await staff.add_qualification(conn, UUID(args.staff_id), args.kind, args.valid_from, args.valid_to,
                                              reference=args.reference)
            print(f"{q.kind.value} valid {q.valid_from} to {q.valid_to} recorded (R-7.auditor)")
        elif args.action in TOKEN_ACTIONS:
            await run_token_action(conn, args.action, UUID(args.staff_id), lifetime_days)
        else:
            token_of = await token_lines(conn)
            for person in await staff.list_staff(conn):
                state = "" if person.active else "  (inactive)"
                print(f"{person.id}  {person.name}  {person.email or '—'}  {', '.join(person.roles) or 'no role'}"
                      f"  {token_of[person.id]}{state}")

    try:
        return with_register(get_settings(), "staff", work)
    except CertflowError as exc:
        print(f"certflow staff: {exc.message}", file=sys.stderr)
        return 1


def cmd_report(args: argparse.Namespace) -> int:
    """The regulator's monthly report (CNCA), due by the 10th of the following month."""
    from datetime import datetime

    from api.report_formats import filename, to_csv, to_xlsx
    from rules.lifecycle import shanghai_date
    from schemas.errors import CertflowError
    from schemas.reports import month_end, month_label
    from store.reports import cnca_rows

    if args.format == "xlsx" and args.output is None:
        print("certflow report: an XLSX file is not for a terminal; give --output FILE, e.g. --output "
              f"{filename(args.month, 'xlsx')}", file=sys.stderr)
        return 2
    today = shanghai_date(datetime.now(UTC))
    rows = []

    async def work(conn) -> None:
        rows.extend(await cnca_rows(conn, args.month, as_of=today))

    try:
        done = with_register(get_settings(), "report", work)
    except CertflowError as exc:
        print(f"certflow report: {exc.message}", file=sys.stderr)
        return 1
    if done:
        return done
    if today <= month_end(args.month):
        print(f"certflow report: {month_label(args.month)} is not over: this covers {args.month} to {today}",
              file=sys.stderr)
    content = to_csv(rows) if args.format == "csv" else to_xlsx(rows, args.month)
    if args.output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return 0
    try:
        with open(args.output, "wb") as out:
            out.write(content)
    except OSError as exc:
        print(f"certflow report: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"{len(rows)} certificates for {month_label(args.month)} written to {args.output}")
    return 0


# ------------------------------------------------------------------------------------ argument types

def _role(text: str) -> str:
    from schemas.staff import Role

    if text not in {r.value for r in Role}:
        raise argparse.ArgumentTypeError(f"unknown role {text!r}; the roles are: {', '.join(r.value for r in Role)}")
    return text


def _uuid(text: str) -> str:
    from uuid import UUID

    try:
        return str(UUID(text))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a staff id (a UUID as 'certflow staff list' shows)") from None


def _month(text: str) -> date:
    from schemas.errors import InvalidInput
    from schemas.reports import parse_month

    try:
        return parse_month(text)
    except InvalidInput as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def _day(text: str) -> date:
    return date.fromisoformat(text)


_day.__name__ = "date (YYYY-MM-DD)"  # argparse words its message with this: "invalid date (YYYY-MM-DD) value"


# ----------------------------------------------------------------------------------------- parsers

def add_register_commands(sub) -> None:
    sub.add_parser("migrate", help="apply the register's migrations").set_defaults(func=cmd_migrate)
    _add_holidays(sub)
    _add_staff(sub)
    report = sub.add_parser("report", help="reports for the certification authority")
    rsub = report.add_subparsers(dest="report", required=True)
    cnca = rsub.add_parser("cnca", help="the monthly report of certificates and their status (due by the 10th)")
    cnca.add_argument("--month", required=True, type=_month, help="the month reported, YYYY-MM (Asia/Shanghai)")
    cnca.add_argument("--format", choices=["csv", "xlsx"], default="csv", help="csv (the default) or xlsx")
    cnca.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output (xlsx needs it)")
    report.set_defaults(func=cmd_report)


def _add_holidays(sub) -> None:
    holidays = sub.add_parser("holidays", help="the holiday table the body keeps (R-dates)")
    hsub = holidays.add_subparsers(dest="action", required=True)
    listing = hsub.add_parser("list", help="days off and make-up working days of a year")
    listing.add_argument("year", type=int)
    setting = hsub.add_parser("set", help="enter a day off or a make-up working day")
    setting.add_argument("day", type=_day, help="YYYY-MM-DD")
    setting.add_argument("kind", choices=["off", "work"])
    setting.add_argument("name", nargs="?", default="")
    declaring = hsub.add_parser("declare-year", help="declare a year's days complete (no longer provisional)")
    declaring.add_argument("year", type=int)
    declaring.add_argument("--source", default="", help="e.g. the State Council notice")
    holidays.set_defaults(func=cmd_holidays)


def _add_staff(sub) -> None:
    staff = sub.add_parser("staff", help="the body's staff, their roles and auditor qualifications (R-7)")
    ssub = staff.add_subparsers(dest="action", required=True)
    adding = ssub.add_parser("add", help="add a staff member and print their API token")
    adding.add_argument("name")
    adding.add_argument("--role", action="append", required=True, type=_role, help="repeat for several roles")
    adding.add_argument("--email")
    adding.add_argument("--manager", type=_uuid, help="staff id of their manager (escalations go there)")
    qualifying = ssub.add_parser("qualify", help="record an auditor qualification (R-7.auditor)")
    qualifying.add_argument("staff_id", type=_uuid)
    qualifying.add_argument("--kind", required=True, choices=["training_certificate", "competence_evaluation"])
    qualifying.add_argument("--from", dest="valid_from", required=True, type=_day)
    qualifying.add_argument("--to", dest="valid_to", required=True, type=_day)
    qualifying.add_argument("--reference", default="")
    ssub.add_parser("list", help="everyone, with their roles and their token's state and last use")
    for name, help_text in TOKEN_ACTIONS.items():
        ssub.add_parser(name, help=help_text).add_argument("staff_id", type=_uuid)
    staff.set_defaults(func=cmd_staff)
