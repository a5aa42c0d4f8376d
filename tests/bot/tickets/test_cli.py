"""``python -m bot tickets ...`` for the receiving desk, against a real database file."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest

from bot.cli import main
from bot.tickets.db import open_database
from bot.tickets.repository import add_ticket, change_status
from tests.bot.tickets.conftest import NOW, make_draft


@pytest.fixture()
def desk(database_url, kb, monkeypatch, tmp_path):
    """Three tickets (one for the VWS unit, one closed long ago) and the CLI pointed at them."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ZORGROUTE_OUTBOX_DIR", str(tmp_path / "outbox"))
    database = open_database(database_url)
    drafts = [make_draft(kb, name) for name in ("a", "b", "c")]
    drafts[2] = type(drafts[2])(**{**drafts[2].to_dict(), "target": "vws_unit"})
    with database.unit_of_work() as session:
        add_ticket(session, drafts[0], NOW - timedelta(days=200))
        add_ticket(session, drafts[1], NOW)
        add_ticket(session, drafts[2], NOW)
        change_status(session, drafts[0].reference, "afgesloten", actor="t", note=None, now=NOW - timedelta(days=100))
    database.dispose()
    return [d.reference for d in drafts]


def run(*args: str, capsys) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(["tickets", *args], out=out)
    return code, out.getvalue(), capsys.readouterr().err


def test_list_with_filters(desk, capsys):
    code, out, _ = run("list", capsys=capsys)
    assert code == 0 and all(ref in out for ref in desk)
    _, out, _ = run("list", "--target", "vws_unit", capsys=capsys)
    assert desk[2] in out and desk[1] not in out
    _, out, _ = run("list", "--status", "afgesloten", capsys=capsys)
    assert out.strip().startswith(desk[0]) and desk[1] not in out
    _, out, _ = run("list", "--since", "2026-11-01", capsys=capsys)
    assert desk[0] not in out and desk[1] in out
    _, out, _ = run("list", "--until", "2026-06-01", capsys=capsys)
    assert desk[0] in out and desk[1] not in out


def test_show_and_status_with_a_note(desk, capsys):
    code, out, _ = run("status", desk[1], "in_behandeling", "--note", "teruggebeld", "--by", "piet", capsys=capsys)
    assert code == 0 and "in_behandeling" in out
    code, out, _ = run("show", desk[1].lower().replace("-", " "), capsys=capsys)
    assert code == 0 and f"Referentie:  {desk[1]}" in out and "06 12345678" in out
    assert "piet: nieuw → in_behandeling  (teruggebeld)" in out and "geen toestemming" in out


def test_unknown_reference_and_refused_change_give_clear_messages(desk, capsys):
    code, _, err = run("show", "ZR-2222222", capsys=capsys)
    assert code == 1 and "Er is geen ticket met referentie ZR-2222222" in err
    code, _, err = run("status", desk[1], "wacht_op_burger", capsys=capsys)
    assert code == 1 and "kan alleen naar" in err and "Traceback" not in err


def test_export_json_and_csv(desk, capsys):
    code, out, _ = run("export", "--format", "json", "--target", "juiste_loket", capsys=capsys)
    exported = json.loads(out)
    assert code == 0 and sorted(t["reference"] for t in exported) == sorted(desk[:2])
    assert exported[0]["events"] and exported[0]["contact"]["value"] == "06 12345678"
    code, out, _ = run("export", "--format", "csv", capsys=capsys)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and {r["reference"] for r in rows} == set(desk) and rows[0]["ladder"].count(">") >= 1


def test_purge_anonymises_after_the_retention_period(desk, capsys, monkeypatch):
    monkeypatch.setenv("ZORGROUTE_RETENTION_DAYS", "120")
    code, out, _ = run("purge", capsys=capsys)
    assert code == 0 and out.startswith("0 ticket(s)")  # closed 100 days ago: kept for 120
    code, out, _ = run("purge", "--days", "90", capsys=capsys)
    assert code == 0 and out.startswith("1 ticket(s) geanonimiseerd")
    _, out, _ = run("show", desk[0], capsys=capsys)
    assert "06 12345678" not in out and "[geanonimiseerd]" in out


def test_unreachable_database_is_reported_not_a_traceback(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://nobody@127.0.0.1:1/none")
    code, _, err = run("list", capsys=capsys)
    assert code == 1 and "niet bereikbaar" in err and "Traceback" not in err


def test_drain_command_writes_the_outbox(database_url, kb, monkeypatch, capsys, tmp_path):
    from bot.tickets.outbox import Outbox

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ZORGROUTE_OUTBOX_DIR", str(tmp_path / "outbox"))
    Outbox(tmp_path / "outbox").put(make_draft(kb))
    code, out, _ = run("drain", capsys=capsys)
    assert code == 0 and out.startswith("1 ticket(s) geschreven")
