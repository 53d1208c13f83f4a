"""``certflow mail list|show N``: what the local mail sink of `certflow up` received.

Mails are numbered in the order they arrived, the oldest 1, so that ``mail show N`` names the same
mail however many arrive after it."""

from __future__ import annotations

import argparse
import sys

from certflow.settings import get_settings


def cmd_mail(args: argparse.Namespace) -> int:
    from certflow.mail_sink import read_mail, stored_mail

    settings = get_settings()
    directory = settings.mail_dir
    if not directory.is_dir():
        print(f"certflow mail: no mail sink has kept anything in {directory.resolve()}: `certflow up` (or `make "
              "run`) keeps mail there when CERTFLOW_SMTP_SINK is on (the default); run this where it runs, with "
              "the same CERTFLOW_DATA_DIR" + ("" if settings.smtp_sink else
                                              "; CERTFLOW_SMTP_SINK is off, so mail goes to "
                                              f"{settings.smtp_host}:{settings.smtp_port}"), file=sys.stderr)
        return 3
    mails = stored_mail(directory)
    if args.action == "list":
        if not mails:
            print(f"no mail yet in {directory}")
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


def add_mail_commands(sub) -> None:
    mail = sub.add_parser("mail", help="read what the local mail sink received")
    msub = mail.add_subparsers(dest="action", required=True)
    msub.add_parser("list", help="every mail in the order received (the oldest 1): number, time, to, subject")
    showing = msub.add_parser("show", help="one mail, decoded")
    showing.add_argument("number", type=int, help="its number in 'certflow mail list' (it does not change)")
    mail.set_defaults(func=cmd_mail)
