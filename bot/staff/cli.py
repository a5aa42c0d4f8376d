"""``python -m bot staff add|unlock NAME``: manage console accounts (Dutch output)."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any, TextIO

from bot.config import Settings
from bot.errors import DutchMessageError
from bot.staff.accounts import add_user, unlock_user
from bot.tickets.service import TicketService, utc_now


def add_parser(sub: Any) -> None:
    """Add ``staff`` and its subcommands to the main argument parser."""
    staff = sub.add_parser("staff", help="Accounts voor de console van medewerkers.")
    commands = staff.add_subparsers(dest="staff_command", required=True)
    add = commands.add_parser("add", help="Maak een account aan (het wachtwoord wordt gevraagd).")
    add.add_argument("username")
    add.add_argument("--password-stdin", action="store_true", help="Lees het wachtwoord van standaardinvoer.")
    unlock = commands.add_parser("unlock", help="Hef een blokkade na te veel mislukte pogingen op.")
    unlock.add_argument("username")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Wachtwoord: ")
    if getpass.getpass("Nogmaals: ") != first:
        raise DutchMessageError("mismatch", "De wachtwoorden zijn niet gelijk.")
    return first


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run one ``staff`` subcommand."""
    service = TicketService.from_settings(Settings.from_env())
    try:
        password = _password(args.password_stdin) if args.staff_command == "add" else ""
        with service.database().unit_of_work() as session:
            if args.staff_command == "add":
                user = add_user(session, args.username, password, utc_now())
                out.write(f"Account {user.username} is aangemaakt.\n")
            else:
                unlock_user(session, args.username)
                out.write(f"Account {args.username.strip().lower()} is niet meer geblokkeerd.\n")
        return 0
    except DutchMessageError as problem:
        err.write(f"Fout: {problem.dutch_message}\n")
        return 1
    finally:
        service.close()
