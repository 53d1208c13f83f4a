"""The ``certflow`` command line."""

from __future__ import annotations

import argparse
import os
import sys
import warnings

from certflow.bench_commands import add_bench_commands
from certflow.histories import add_histories_commands
from certflow.inbox_commands import add_inbox_commands
from certflow.mail_commands import add_mail_commands
from certflow.register_commands import add_register_commands
from certflow.settings import get_settings
from certflow.temporal_setup import cmd_temporal
from certflow.worker_health import cmd_worker_alive

warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")


def _cmd_up(args: argparse.Namespace) -> int:
    from certflow.stack import up

    return up(get_settings())


def _cmd_bpmn(args: argparse.Namespace) -> int:
    from certflow.bpmn import write_all

    for path in write_all():
        print(path)
    return 0


def _cmd_worker(args: argparse.Namespace) -> int:
    import asyncio

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
    import json

    settings = get_settings()
    decisions = settings.scheme.model_dump(mode="json", exclude={"audit_time": {"table"}})
    decisions["intake_roles"] = [role.value for role in settings.intake_roles]
    decisions["staff_readers"] = [role.value for role in settings.staff_readers]
    decisions["staff_mail"] = {"mode": settings.staff_mail.value, "digest_hour": settings.staff_digest_hour,
                               "digest_role_tasks": settings.staff_digest_role_tasks}
    print(json.dumps(decisions, indent=2, ensure_ascii=False))
    return 0


LOGGING_COMMANDS = {"up", "worker", "api", "migrate", "temporal"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="certflow", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="start the whole system on embedded defaults").set_defaults(func=_cmd_up)
    add_register_commands(sub)
    sub.add_parser("config", help="print the scheme configuration in force").set_defaults(func=_cmd_config)
    add_mail_commands(sub)
    add_inbox_commands(sub)
    add_histories_commands(sub)
    add_bench_commands(sub)
    temporal = sub.add_parser("temporal", help="the Temporal cluster certflow runs on")
    tsub = temporal.add_subparsers(dest="action", required=True)
    tsub.add_parser("setup", help="register the namespace and the search attributes where missing "
                                  "(idempotent)").set_defaults(func=cmd_temporal)
    tsub.add_parser("worker-alive", help="exit 0 if a worker on this host polled the task queue lately (a "
                                         "container health check)").set_defaults(func=cmd_worker_alive)
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
    if args.command in LOGGING_COMMANDS:  # the others print their answer; structlog would only slow them
        from certflow.logging import configure_logging

        configure_logging(settings.log_level, settings.log_json)
    code = args.func(args)
    if args.command in ("temporal", "inbox", "bench") and argv is None:
        # The Temporal client's Rust threads can outlive the event loop and abort the interpreter's
        # finalization (temporalio/sdk-python#300): a short-lived command that is done leaves at once.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _settings_errors(exc) -> str:
    lines = []
    for error in exc.errors():
        variable = "CERTFLOW_" + "__".join(str(p) for p in error["loc"]).upper()
        lines.append(f"  {variable}: {error['msg']}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
