"""The ``certflow`` command line."""

from __future__ import annotations

import argparse
import asyncio
import sys
import warnings

from certflow.logging import configure_logging
from certflow.settings import get_settings

warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")


def _cmd_up(args: argparse.Namespace) -> int:
    from certflow.stack import up

    return up(get_settings())


def _cmd_migrate(args: argparse.Namespace) -> int:
    from certflow.embedded import EmbeddedPostgres, StackError
    from certflow.stack import apply_migrations

    settings = get_settings()
    postgres = None
    try:
        dsn = settings.database_url
        if not dsn:
            postgres = EmbeddedPostgres(settings.data_dir, settings.postgres_port, host=settings.host,
                                        database=settings.database_name)
            postgres.start()
            dsn = postgres.dsn
        applied = asyncio.run(apply_migrations(dsn))
        print(f"applied migrations: {applied}" if applied else "the register is up to date")
        return 0
    except StackError as exc:
        print(f"certflow migrate: {exc}", file=sys.stderr)
        return 1
    finally:
        if postgres:
            postgres.stop()


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
    """Print the scheme configuration in force (the Decisions), so the body can see what it runs."""
    settings = get_settings()
    print(settings.scheme.model_dump_json(indent=2, exclude={"audit_time": {"table"}}))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="certflow", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="start the whole system on embedded defaults").set_defaults(func=_cmd_up)
    sub.add_parser("migrate", help="apply the register's migrations").set_defaults(func=_cmd_migrate)
    sub.add_parser("config", help="print the scheme configuration in force").set_defaults(func=_cmd_config)
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
