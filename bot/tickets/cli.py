"""``python -m bot tickets ...``: the receiving desk's queue (Dutch output for staff).

Exit codes: 0 ok, 1 not found / not allowed / database unreachable, 2 bad usage.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from datetime import datetime, timedelta, timezone
from datetime import time as day_time
from typing import Any, TextIO

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.errors import TicketError
from bot.knowledge import default_knowledge
from bot.tickets.models import STATUSES, Ticket, as_utc
from bot.tickets.repository import apply_retention, change_status, get_ticket, list_tickets, ticket_to_dict
from bot.tickets.service import TicketService, utc_now

CSV_COLUMNS = ("reference", "created_at", "target", "category", "status", "rule", "ladder", "contact_method",
               "contact_value", "contact_name", "contact_time", "summary")


class UsageError(Exception):
    """A command-line value that cannot be used; the message is Dutch."""


def _date(text: str) -> datetime:
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is geen datum; gebruik JJJJ-MM-DD, bijvoorbeeld 2026-11-25.")\
            from None
    return datetime.combine(day, day_time.min, tzinfo=timezone.utc)


def add_parser(sub: Any) -> None:
    """Add ``tickets`` and its subcommands to the main argument parser."""
    tickets = sub.add_parser("tickets", help="Overdrachten (tickets) bekijken en behandelen.")
    commands = tickets.add_subparsers(dest="tickets_command", required=True)

    def filters(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--target", help="Alleen tickets voor dit loket (juiste_loket of vws_unit).")
        parser.add_argument("--status", choices=STATUSES, help="Alleen tickets met deze status.")
        parser.add_argument("--since", type=_date, help="Aangemaakt op of na deze datum (JJJJ-MM-DD).")
        parser.add_argument("--until", type=_date, help="Aangemaakt vóór het einde van deze datum (JJJJ-MM-DD).")

    filters(commands.add_parser("list", help="Toon de tickets, nieuwste eerst."))
    show = commands.add_parser("show", help="Toon één ticket met alle gegevens.")
    show.add_argument("reference", help="De referentie, bijvoorbeeld ZR-7K3QD9A.")
    status = commands.add_parser("status", help="Verander de status van een ticket.")
    status.add_argument("reference")
    status.add_argument("new_status", choices=STATUSES)
    status.add_argument("--note", default=None, help="Toelichting voor het logboek.")
    status.add_argument("--by", default="medewerker", help="Wie de wijziging doet (voor het logboek).")
    export = commands.add_parser("export", help="Exporteer tickets als CSV of JSON.")
    export.add_argument("--format", choices=("csv", "json"), default="json")
    filters(export)
    purge = commands.add_parser("purge", help="Anonimiseer (of verwijder) tickets die lang genoeg gesloten zijn.")
    purge.add_argument("--days", type=int, default=None,
                       help="Na hoeveel dagen na sluiten (standaard ZORGROUTE_RETENTION_DAYS, 90).")
    purge.add_argument("--delete", action="store_true", help="Verwijder in plaats van anonimiseren.")
    commands.add_parser("migrate", help="Maak of werk het databaseschema bij.")
    drain = commands.add_parser("drain", help="Schrijf tickets uit de wachtrij (outbox) naar de database.")
    drain.add_argument("--watch", type=float, default=None, metavar="SECONDEN",
                       help="Blijf draaien en probeer het elke zoveel seconden opnieuw.")


def _line(ticket: Ticket) -> str:
    created = as_utc(ticket.created_at)
    stamp = created.strftime("%Y-%m-%d %H:%M") if created else "?"
    return f"{ticket.reference}  {stamp}  {ticket.target:<12}  {ticket.category:<8}  {ticket.status:<15}  " \
           f"{(ticket.summary or '')[:60]}"


def _show(ticket: Ticket, out: TextIO) -> None:
    data = ticket_to_dict(ticket)
    contact = data["contact"]
    lines = [
        f"Referentie:  {data['reference']}",
        f"Loket:       {data['target']}",
        f"Categorie:   {data['category']}",
        f"Status:      {data['status']}",
        f"Aangemaakt:  {data['created_at']}",
        f"Regel:       {data['rule']}",
        f"Route:       {' → '.join(data['ladder'])}",
        f"Bronnen:     {'; '.join(data['sources'])}",
        f"Samenvatting: {data['summary']}",
        f"Contact:     {contact['method'] or '-'}: {contact['value'] or '-'}"
        f"  naam: {contact['name'] or '-'}  wanneer: {contact['time'] or '-'}",
        f"Feiten:      {json.dumps(data['facts'], ensure_ascii=False)}",
    ]
    if data["transcript"]:
        lines.append("Gesprek:")
        lines.extend(f"  {turn['from']}: {turn['text']}" for turn in data["transcript"])
    else:
        lines.append("Gesprek:     (geen toestemming gegeven om het gesprek mee te sturen)")
    lines.append("Logboek:")
    for event in data["events"]:
        note = f"  ({event['note']})" if event["note"] else ""
        lines.append(f"  {event['at']}  {event['actor']}: {event['from'] or '-'} → {event['to']}{note}")
    out.write("\n".join(lines) + "\n")


def export_tickets(rows: list[dict[str, Any]], fmt: str, out: TextIO) -> None:
    """Write tickets (as :func:`ticket_to_dict` gives them) as JSON or CSV."""
    if fmt == "json":
        json.dump(rows, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for data in rows:
        row = {column: data.get(column) for column in CSV_COLUMNS}
        row.update({"ladder": " > ".join(data["ladder"]), "contact_method": data["contact"]["method"],
                    "contact_value": data["contact"]["value"], "contact_name": data["contact"]["name"],
                    "contact_time": data["contact"]["time"]})
        writer.writerow({k: _csv_safe(v) for k, v in row.items()})


def _csv_safe(value: Any) -> Any:
    """Keep spreadsheet programs from running a cell as a formula (CSV injection); drop NUL (csv refuses it)."""
    if not isinstance(value, str):
        return value
    value = value.replace("\x00", "")
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run one ``tickets`` subcommand."""
    settings = Settings.from_env()
    service = TicketService.from_settings(settings)
    command = args.tickets_command
    try:
        if command == "drain":
            return _drain(service, args.watch, out)
        database = service.database()
        if command == "migrate":
            out.write("Databaseschema is bijgewerkt.\n")
            return 0
        with database.unit_of_work() as session:
            now = utc_now()
            if command == "list":
                found = _filtered(session, args)
                out.write("".join(_line(t) + "\n" for t in found) or "Geen tickets gevonden.\n")
            elif command == "show":
                _show(get_ticket(session, args.reference), out)
            elif command == "status":
                ticket = change_status(session, args.reference, args.new_status, actor=args.by, note=args.note, now=now)
                out.write(f"Ticket {ticket.reference} heeft nu status {ticket.status}.\n")
            elif command == "export":
                export_tickets([ticket_to_dict(t) for t in _filtered(session, args)], args.format, out)
            elif command == "purge":
                days = args.days if args.days is not None else settings.retention_days
                if days < 1:
                    raise UsageError("--days moet minstens 1 zijn.")
                done = apply_retention(session, days=days, now=now, delete=args.delete)
                verb = "verwijderd" if args.delete else "geanonimiseerd"
                out.write(f"{len(done)} ticket(s) {verb} (langer dan {days} dagen gesloten).\n")
        return 0
    except TicketError as error:
        err.write(f"Fout: {error.dutch_message}\n")
        return 1
    except UsageError as error:
        err.write(f"Fout: {error}\n")
        return 2
    except (SQLAlchemyError, OSError) as error:
        err.write(f"Fout: de database is niet bereikbaar of gaf een fout ({type(error).__name__}).\n")
        return 1
    finally:
        service.close()


def _filtered(session: Session, args: argparse.Namespace) -> list[Ticket]:
    """The tickets the ``list``/``export`` filters select (``--until`` includes that whole day)."""
    desks = default_knowledge().handover_desks()
    if args.target and args.target not in desks:
        raise UsageError(f"Onbekend loket {args.target!r}. Kies uit: {', '.join(desks)}.")
    until = args.until + timedelta(days=1) if args.until else None
    return list_tickets(session, target=args.target, status=args.status, since=args.since, until=until)


def _drain(service: TicketService, watch: float | None, out: TextIO) -> int:
    while True:
        try:
            report = service.drain()
            out.write(f"{len(report.stored)} ticket(s) geschreven, {len(report.existing)} stond(en) er al, "
                      f"{len(report.rejected)} afgekeurd (zie outbox/rejected).\n")
        except (SQLAlchemyError, OSError) as error:
            out.write(f"Database nog niet bereikbaar ({type(error).__name__}); {len(service.outbox)} ticket(s) "
                      "wachten.\n")
            if watch is None:
                return 1
        if watch is None:
            return 0
        out.flush()
        time.sleep(watch)
