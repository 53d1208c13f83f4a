"""``certflow inbox rebuild``: the task inbox made to agree with the running processes
(certflow/inbox_rebuild.py), printed change by change."""

from __future__ import annotations

import argparse
import sys

from certflow.register import with_register
from certflow.settings import get_settings


def cmd_inbox(args: argparse.Namespace) -> int:
    from certflow.inbox_rebuild import rebuild_inbox
    from certflow.temporal_client import connect_client

    settings = get_settings()
    failed: list[str] = []

    async def work(conn) -> None:
        try:
            client = await connect_client(settings)
        except RuntimeError as exc:  # the SDK's "Failed client connect"
            failed.append(f"Temporal did not answer at {settings.temporal_target}: {exc}")
            return
        changes = await rebuild_inbox(client, conn, args.workflow or None)
        for change in changes:
            print(change.line())
        changed = sum(change.changed for change in changes)
        print(f"{changed} row(s) changed" if changed else "the inbox agrees with the running processes"
              + (f" but for {len(changes)} task(s) or process(es) above" if changes else ""))

    code = with_register(settings, "inbox", work)
    if failed:
        print(f"certflow inbox: {failed[0]}", file=sys.stderr)
        return 3
    return code


def add_inbox_commands(sub) -> None:
    inbox = sub.add_parser("inbox", help="the task inbox (the register's projection of the open tasks)")
    isub = inbox.add_subparsers(dest="action", required=True)
    rebuild = isub.add_parser("rebuild", help="upsert every task the running certifications and audits hold open; "
                                              "cancel open rows no process holds (idempotent)")
    rebuild.add_argument("--workflow", action="append", metavar="ID",
                         help="only this process (repeatable); default: every running one, from Temporal's "
                              "visibility")
    inbox.set_defaults(func=cmd_inbox)
