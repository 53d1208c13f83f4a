"""The ``certflow`` command line."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import warnings
from datetime import UTC, date

from certflow.logging import configure_logging
from certflow.settings import get_settings

warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")


def _cmd_up(args: argparse.Namespace) -> int:
    from certflow.stack import up

    return up(get_settings())


def _with_register(work, *, migrate_first: bool = True) -> int:
    """Run ``work(connection)`` against the register: the external one, or the embedded one started
    for the moment (and stopped again) when certflow is not running."""
    from certflow.embedded import EmbeddedPostgres, StackError, port_is_free
    from store.db import connect

    settings = get_settings()
    postgres = None

    async def run(dsn: str, embedded: bool) -> None:
        from asyncpg import UndefinedTableError

        from store.migrate import migrate

        conn = await connect(dsn)
        try:
            if embedded:
                await migrate(conn)  # our own server: bring its register up to date first
            await work(conn)
        except UndefinedTableError:
            raise StackError("the register has no tables yet: run 'certflow migrate' first") from None
        finally:
            await conn.close()

    try:
        dsn = settings.database_url
        if not dsn:
            postgres = EmbeddedPostgres(settings.data_dir, settings.postgres_port, host=settings.host,
                                        database=settings.database_name)
            if port_is_free(settings.host, settings.postgres_port):
                postgres.start()
            else:
                postgres = None  # `certflow up` is running: use its server
            dsn = f"postgresql://postgres@{settings.host}:{settings.postgres_port}/{settings.database_name}"
        asyncio.run(run(dsn, embedded=migrate_first and not settings.database_url))
        return 0
    except StackError as exc:
        print(f"certflow: {exc}", file=sys.stderr)
        return 1
    finally:
        if postgres:
            postgres.stop()


def _cmd_migrate(args: argparse.Namespace) -> int:
    from store.migrate import migrate

    async def work(conn) -> None:
        applied = await migrate(conn)
        print(f"applied migrations: {applied}" if applied else "the register is up to date")

    return _with_register(work, migrate_first=False)


def _cmd_holidays(args: argparse.Namespace) -> int:
    """The body's holiday table (R-dates): days off and make-up working days of years published after
    the shipped data, and the years declared complete."""
    from activities.calendar import current_table
    from store import holidays

    async def work(conn) -> None:
        if args.action == "set":
            await holidays.set_holiday(conn, args.day, args.kind == "work", args.name)
            print(f"{args.day}: {'make-up working day' if args.kind == 'work' else 'day off'} {args.name}".rstrip())
        elif args.action == "declare-year":
            await holidays.declare_year(conn, args.year, source=args.source)
            print(f"{args.year} is declared complete: dates in it are no longer provisional")
        else:
            table = await current_table(conn)
            year = args.year
            known = "complete" if table.covers(year) else "NOT complete: dates in it are provisional"
            print(f"{year}: {known}")
            for day, name in sorted({**table.off_days, **table.working_days}.items()):
                if day.year == year:
                    kind = "working" if day in table.working_days else "off"
                    print(f"  {day}  {kind:7}  {name}")

    return _with_register(work)


def _cmd_staff(args: argparse.Namespace) -> int:
    """The body's staff: who may act, in which roles, with which auditor qualifications (R-7)."""
    from datetime import timedelta
    from uuid import UUID

    from certflow.token_commands import TOKEN_ACTIONS, run_token_action, token_lines
    from schemas.errors import CertflowError, InvalidInput
    from schemas.staff import Role
    from store import staff

    async def work(conn) -> None:
        if args.action == "add":
            person, token = await staff.add_staff(conn, args.name, [Role(r) for r in args.role], email=args.email,
                                                  manager_id=UUID(args.manager) if args.manager else None,
                                                  token_lifetime=timedelta(days=get_settings().token_lifetime_days))
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
            await run_token_action(conn, args.action, UUID(args.staff_id), get_settings().token_lifetime_days)
        else:
            token_of = await token_lines(conn)
            for person in await staff.list_staff(conn):
                state = "" if person.active else "  (inactive)"
                print(f"{person.id}  {person.name}  {person.email or '—'}  {', '.join(person.roles) or 'no role'}"
                      f"  {token_of[person.id]}{state}")

    try:
        return _with_register(work)
    except CertflowError as exc:
        print(f"certflow staff: {exc.message}", file=sys.stderr)
        return 1


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


def _cmd_mail(args: argparse.Namespace) -> int:
    """What the local mail sink received (`certflow up` with CERTFLOW_SMTP_SINK, the default)."""
    from certflow.mail_sink import read_mail, stored_mail

    directory = get_settings().mail_dir
    mails = stored_mail(directory) if directory.is_dir() else []
    if args.action == "list":
        if not mails:
            print(f"no mail in {directory}")
        for n, mail in enumerate(mails, start=1):
            print(f"{n:>4}  {mail.received_at.astimezone():%Y-%m-%d %H:%M:%S}  {mail.to}  {mail.subject}")
        return 0
    if not 1 <= args.number <= len(mails):
        print(f"certflow mail: there is no mail {args.number}; 'certflow mail list' shows {len(mails)}",
              file=sys.stderr)
        return 1
    message = read_mail(mails[args.number - 1].path)
    for header in ("From", "To", "Date", "Subject", "Message-ID"):
        print(f"{header}: {message.get(header, '')}")
    body = message.get_body(preferencelist=("plain", "html"))
    print()
    print(body.get_content() if body is not None else "(no text part)")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
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
        done = _with_register(work)
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


def _month(text: str) -> date:
    from schemas.errors import InvalidInput
    from schemas.reports import parse_month

    try:
        return parse_month(text)
    except InvalidInput as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def _cmd_bpmn(args: argparse.Namespace) -> int:
    from certflow.bpmn import write_all

    for path in write_all():
        print(path)
    return 0


def _cmd_worker(args: argparse.Namespace) -> int:
    from workers.main import run_worker

    asyncio.run(run_worker(get_settings()))
    return 0


def _cmd_api(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    uvicorn.run("api.app:create_app", factory=True, host=settings.host, port=settings.api_port,
                log_config=None, access_log=False)
    return 0


def _cmd_config(args: argparse.Namespace) -> int:
    """Print the scheme configuration in force (the Decisions), so the body can see what it runs; with it
    the Decision of who may submit an application (``intake_roles``, api/permissions.py) and how staff hear
    of their tasks (``staff_mail``, activities/digest.py)."""
    settings = get_settings()
    decisions = settings.scheme.model_dump(mode="json", exclude={"audit_time": {"table"}})
    decisions["intake_roles"] = [role.value for role in settings.intake_roles]
    decisions["staff_readers"] = [role.value for role in settings.staff_readers]
    decisions["staff_mail"] = {"mode": settings.staff_mail.value, "digest_hour": settings.staff_digest_hour,
                               "digest_role_tasks": settings.staff_digest_role_tasks}
    print(json.dumps(decisions, indent=2, ensure_ascii=False))
    return 0


def _day(text: str) -> date:
    return date.fromisoformat(text)


_day.__name__ = "date (YYYY-MM-DD)"  # argparse words its message with this: "invalid date (YYYY-MM-DD) value"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="certflow", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="start the whole system on embedded defaults").set_defaults(func=_cmd_up)
    sub.add_parser("migrate", help="apply the register's migrations").set_defaults(func=_cmd_migrate)
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
    holidays.set_defaults(func=_cmd_holidays)
    sub.add_parser("config", help="print the scheme configuration in force").set_defaults(func=_cmd_config)
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
    from certflow.token_commands import TOKEN_ACTIONS

    for name, help_text in TOKEN_ACTIONS.items():
        ssub.add_parser(name, help=help_text).add_argument("staff_id", type=_uuid)
    staff.set_defaults(func=_cmd_staff)
    mail = sub.add_parser("mail", help="read what the local mail sink received")
    msub = mail.add_subparsers(dest="action", required=True)
    msub.add_parser("list", help="every mail, newest first: number, time, to, subject")
    showing = msub.add_parser("show", help="one mail, decoded")
    showing.add_argument("number", type=int, help="its number in 'certflow mail list'")
    mail.set_defaults(func=_cmd_mail)
    report = sub.add_parser("report", help="reports for the certification authority")
    rsub = report.add_subparsers(dest="report", required=True)
    cnca = rsub.add_parser("cnca", help="the monthly report of certificates and their status (due by the 10th)")
    cnca.add_argument("--month", required=True, type=_month, help="the month reported, YYYY-MM (Asia/Shanghai)")
    cnca.add_argument("--format", choices=["csv", "xlsx"], default="csv", help="csv (the default) or xlsx")
    cnca.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output (xlsx needs it)")
    report.set_defaults(func=_cmd_report)
    sub.add_parser("bpmn", help="write bpmn/*.bpmn from the process models (workflows/model.py)").set_defaults(
        func=_cmd_bpmn)
    sub.add_parser("worker", help="run a Temporal worker").set_defaults(func=_cmd_worker)
    sub.add_parser("api", help="serve the HTTP API").set_defaults(func=_cmd_api)
    return parser


def main(argv: list[str] | None = None) -> int:
    from pydantic import ValidationError

    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
    except ValidationError as exc:
        print(f"certflow: the settings are not valid:\n{_settings_errors(exc)}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_json)
    return args.func(args)


def _settings_errors(exc) -> str:
    lines = []
    for error in exc.errors():
        variable = "CERTFLOW_" + "__".join(str(p) for p in error["loc"]).upper()
        lines.append(f"  {variable}: {error['msg']}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
