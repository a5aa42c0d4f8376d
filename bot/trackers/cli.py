"""``python -m bot trackers purge``: the retention job for stored conversations."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from sqlalchemy.exc import OperationalError, SQLAlchemyError

from bot.config import DEFAULT_TRACKER_RETENTION_DAYS, Settings
from bot.tickets.db import open_database
from bot.trackers.retention import has_events_table, purge_conversations


def add_parser(sub: Any) -> None:
    """Add ``trackers purge`` to the main argument parser."""
    trackers = sub.add_parser("trackers", help="Opgeslagen gesprekken (Rasa tracker store) beheren.")
    commands = trackers.add_subparsers(dest="trackers_command", required=True)
    purge = commands.add_parser("purge", help="Verwijder gesprekken die langer dan N dagen stilliggen.")
    purge.add_argument("--days", type=int, default=None,
                       help="Na hoeveel dagen (standaard ZORGROUTE_TRACKER_RETENTION_DAYS, "
                            f"{DEFAULT_TRACKER_RETENTION_DAYS}).")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``trackers purge``; exit 2 for a bad number of days, 1 when the database is down."""
    settings = Settings.from_env()
    days = args.days if args.days is not None else settings.tracker_retention_days
    if days < 1:
        err.write("Fout: --days moet minstens 1 zijn.\n")
        return 2
    try:
        database = open_database(settings.tracker_database_url, run_migrations=False)
    except (SQLAlchemyError, ValueError) as error:
        err.write(f"Fout: de database-URL is niet bruikbaar ({type(error).__name__}). Er is niets verwijderd.\n")
        return 1
    try:
        with database.unit_of_work() as session:
            if not has_events_table(session):
                out.write("Er zijn geen opgeslagen gesprekken in deze database (de tabel events ontbreekt).\n")
                return 0
            report = purge_conversations(session, days)
    except OperationalError:
        err.write("Fout: de database is niet bereikbaar. Er is niets verwijderd.\n")
        return 1
    finally:
        database.dispose()
    out.write(f"{report.conversations} gesprekken ({report.events} gebeurtenissen) verwijderd die langer dan "
              f"{days} dagen stillagen.\n")
    return 0
