"""Command line for staff and scripts: ``python -m bot triage|knowledge|tickets ...``.

User-facing messages are Dutch (staff of Het Juiste Loket use this); exit codes: 0 ok,
1 the knowledge base or model is missing or invalid, 2 bad usage or a malformed input file.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TextIO

from bot.config import Settings
from bot.errors import InvalidInputError, ModelNotFoundError, ZorgrouteError
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.render import render_decision, render_staff
from bot.safety import default_detector
from bot.staff import cli as staff_cli
from bot.textinput import check
from bot.tickets import cli as tickets_cli
from bot.trackers import cli as trackers_cli
from bot.triage import Decision, Triage


class Parser(Protocol):
    """Anything that turns text into a Rasa-style parse result."""

    def parse(self, text: str) -> dict[str, Any]:
        """Parse one message."""


class BatchFileError(ZorgrouteError):
    """A --batch file cannot be read; the message names the line."""


def default_parser_factory() -> Parser:
    """Load the configured model, or the newest one in the models directory."""
    from bot.nlu.parser import RasaParser, latest_model

    settings = Settings.from_env()
    return RasaParser(settings.model_path or latest_model(settings.models_dir))


def knowledge() -> KnowledgeBase:
    """The configured knowledge base, validated."""
    return load_knowledge(Settings.from_env().knowledge_dir)


def read_batch(path: Path) -> list[str]:
    """All texts of a JSONL batch file, checked before any model is loaded."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BatchFileError(f"Kan het bestand {path} niet lezen: {exc.strerror}.") from exc
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BatchFileError(f"{path}, regel {line}: dit is geen UTF-8-tekst.") from exc
    texts = []
    for number, row in enumerate(content.splitlines(), start=1):
        if not row.strip():
            continue
        try:
            item = json.loads(row)
        except json.JSONDecodeError as exc:
            raise BatchFileError(f"{path}, regel {number}: geen geldige JSON ({exc.msg}).") from exc
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise BatchFileError(f'{path}, regel {number}: verwacht een object met "text" (tekst).')
        texts.append(item["text"])
    return texts


def triage_one(triage: Triage, parser: Parser, text: str) -> Decision | InvalidInputError:
    """Decide one message, or return the input problem (never raises for bad text)."""
    try:
        cleaned = check(text)
    except InvalidInputError as problem:
        if default_detector().match(text) is not None:  # crisis help even in unusable input
            return triage.decide(text, "crisis", 1.0)
        return problem
    return triage.decide_parse(parser.parse(cleaned))


def problem_dict(problem: InvalidInputError) -> dict[str, Any]:
    """JSON output for a message that could not be triaged."""
    return {"category": "overig", "confidence": 0.0, "intent": None, "facts": None, "next_step": None,
            "route": [], "handover": None, "rule": None,
            "error": {"code": problem.problem, "message": problem.dutch_message}}


def _emit(result: Decision | InvalidInputError, as_json: bool, staff: bool, out: TextIO) -> None:
    if isinstance(result, InvalidInputError):
        out.write((json.dumps(problem_dict(result), ensure_ascii=False) if as_json else result.dutch_message) + "\n")
    elif as_json:
        out.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
    else:
        out.write((render_staff(result) if staff else render_decision(result)) + "\n")


def _cmd_triage(args: argparse.Namespace, parser_factory: Callable[[], Parser], out: TextIO) -> int:
    if args.batch is None and args.text is None:
        print("Geef een tekst of --batch BESTAND.jsonl.", file=sys.stderr)
        return 2
    texts = read_batch(args.batch) if args.batch else [args.text]
    triage = Triage(knowledge())
    parser = parser_factory()
    for text in texts:
        _emit(triage_one(triage, parser, text), args.json, args.staff, out)
    return 0


def _cmd_knowledge(out: TextIO) -> int:
    kb = knowledge()
    out.write(f"Kennisbank in orde: {len(kb.routes)} routes, {len(kb.rules)} regels, "
              f"{len(kb.overrides)} categorie-aanpassingen, {len(kb.sources)} bronnen.\n")
    return 0


def build_arg_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and ``--help``)."""
    parser = argparse.ArgumentParser(prog="python -m bot", description="Zorgroute: triage van hulpvragen over zorg.")
    sub = parser.add_subparsers(dest="command", required=True)
    triage = sub.add_parser("triage", help="Bepaal de route voor een hulpvraag.")
    triage.add_argument("text", nargs="?", help="De hulpvraag (tussen aanhalingstekens).")
    triage.add_argument("--json", action="store_true", help="Uitvoer als JSON (één object per bericht).")
    triage.add_argument("--batch", type=Path, help='JSONL-bestand met één {"text": ...} per regel.')
    triage.add_argument("--staff", action="store_true", help="Uitgebreide weergave voor medewerkers.")
    sub.add_parser("knowledge", help="Controleer de kennisbank.")
    tickets_cli.add_parser(sub)
    staff_cli.add_parser(sub)
    web = sub.add_parser("web", help="Start de informatiepagina met chat en de console voor medewerkers.")
    web.add_argument("--host", default="127.0.0.1", help="Adres (standaard alleen deze computer).")
    web.add_argument("--port", type=int, default=None, help="Poort (standaard ZORGROUTE_WEB_PORT, 8080).")
    actions = sub.add_parser("actions", help="Start de action server (vraagt ACTION_SERVER_TOKEN).")
    actions.add_argument("--host", default=None, help="Adres (standaard ACTIONS_HOST, alleen deze computer).")
    actions.add_argument("--port", type=int, default=None, help="Poort (standaard ACTIONS_PORT, 5055).")
    trackers_cli.add_parser(sub)
    return parser


def main(
    argv: list[str] | None = None,
    parser_factory: Callable[[], Parser] = default_parser_factory,
    out: TextIO | None = None,
) -> int:
    """Run the CLI; returns the exit code."""
    out = out or sys.stdout
    args = build_arg_parser().parse_args(argv)
    try:
        if args.command == "triage":
            return _cmd_triage(args, parser_factory, out)
        if args.command == "tickets":
            return tickets_cli.run(args, out, sys.stderr)
        if args.command == "staff":
            return staff_cli.run(args, out, sys.stderr)
        if args.command == "web":
            from bot.web.app import serve

            serve(args.host, args.port)
            return 0
        if args.command == "actions":
            from bot.action_server import serve as serve_actions

            serve_actions(Settings.from_env().actions, args.host, args.port)
            return 0
        if args.command == "trackers":
            return trackers_cli.run(args, out, sys.stderr)
        return _cmd_knowledge(out)
    except BatchFileError as exc:
        print(f"Fout: {exc}", file=sys.stderr)
        return 2
    except (ModelNotFoundError, ZorgrouteError) as exc:
        print(f"Fout: {exc}", file=sys.stderr)
        return 1
