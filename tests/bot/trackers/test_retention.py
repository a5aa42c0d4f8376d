"""Deleting ended conversations from Rasa's ``events`` table, on SQLite and PostgreSQL, and its CLI."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from rasa.shared.core.events import ActionExecuted, Event, UserUttered

from bot.cli import main
from bot.config import DEFAULT_TRACKER_RETENTION_DAYS
from bot.tickets.db import open_database
from bot.trackers.retention import PurgeReport, has_events_table, purge_conversations
from bot.trackers.store import ResilientSQLTrackerStore

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def rasa_events(start: datetime, *ages: timedelta, text: str = "Ik zoek hulp") -> list[Event]:
    """A user message and a bot action per age, timestamped ``start - age``."""
    events: list[Event] = []
    for age in ages:
        stamp = (start - age).timestamp()
        events += [UserUttered(text, {"name": "vraag", "confidence": 1.0}, timestamp=stamp),
                   ActionExecuted("action_listen", timestamp=stamp + 1)]
    return events


def insert(engine: sa.engine.Engine, conversations: dict[str, list[Event]]) -> None:
    """Rows as Rasa's SQLTrackerStore writes them, inserted with bound parameters."""
    table = sa.Table("events", sa.MetaData(), autoload_with=engine)
    rows = [{"sender_id": sender_id, "type_name": event.type_name, "timestamp": event.timestamp,
             "intent_name": getattr(event, "intent_name", None), "action_name": getattr(event, "action_name", None),
             "data": json.dumps(event.as_dict())}
            for sender_id, events in conversations.items() for event in events]
    with engine.begin() as connection:
        connection.execute(table.insert(), rows)


def counts(engine: sa.engine.Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return dict(connection.execute(sa.text("SELECT sender_id, COUNT(*) FROM events GROUP BY sender_id")).all())


@pytest.fixture()
def store(database_url: str) -> Iterator[ResilientSQLTrackerStore]:
    """Rasa's events table, created by the project's tracker store."""
    created = ResilientSQLTrackerStore(database_url=database_url)
    yield created
    created.engine.dispose()


@pytest.fixture()
def conversations(store) -> dict[str, list[Event]]:
    """An ended conversation, one that started long ago but is still going on, and a recent one."""
    stored = {
        "ended": rasa_events(NOW, timedelta(days=30), timedelta(days=29), timedelta(days=8)),
        "still-active": rasa_events(NOW, timedelta(days=40), timedelta(days=20), timedelta(hours=3)),
        "recent": rasa_events(NOW, timedelta(minutes=5)),
    }
    insert(store.engine, stored)
    return stored


def purge(database_url: str, days: int) -> PurgeReport:
    """One run of the retention job against the tracker store's database."""
    database = open_database(database_url, run_migrations=False)
    try:
        with database.unit_of_work() as session:
            assert has_events_table(session)
            return purge_conversations(session, days=days, now=NOW)
    finally:
        database.dispose()


def test_purge_deletes_whole_ended_conversations_only(database_url, store, conversations):
    report = purge(database_url, days=7)
    assert (report.conversations, report.events) == (1, 6)
    assert counts(store.engine) == {"still-active": 6, "recent": 2}


async def test_kept_conversations_still_read_back_whole(database_url, store, conversations):
    purge(database_url, days=7)
    assert await store.retrieve("ended") is None
    for sender_id in ("still-active", "recent"):
        tracker = await store.retrieve(sender_id)
        assert tracker is not None
        assert [event.as_dict() for event in tracker.events] == [event.as_dict() for event in conversations[sender_id]]


@pytest.mark.parametrize(("newest_age", "deleted"), [
    (timedelta(days=7), False), (timedelta(days=7, seconds=2), True), (timedelta(days=6, hours=23), False),
], ids=["newest-event-at-cut-off", "just-before-cut-off", "just-after-cut-off"])
def test_cut_off_is_the_newest_event(store, database_url, newest_age, deleted):
    # rasa_events adds a bot event 1 s after the user message: the newest event is newest_age - 1 s old.
    insert(store.engine, {"grens": rasa_events(NOW, timedelta(days=50), newest_age + timedelta(seconds=1))})
    report = purge(database_url, days=7)
    assert report.conversations == int(deleted)
    assert counts(store.engine) == ({} if deleted else {"grens": 4})


def test_purge_of_an_empty_table_reports_nothing(store, database_url):
    report = purge(database_url, days=1)
    assert (report.conversations, report.events) == (0, 0)


def test_many_ended_conversations_are_deleted_in_batches(store, database_url):
    insert(store.engine, {**{f"oud-{number}": rasa_events(NOW, timedelta(days=10)) for number in range(1203)},
                          "nieuw": rasa_events(NOW, timedelta(days=1))})
    report = purge(database_url, days=7)
    assert (report.conversations, report.events) == (1203, 2406)
    assert counts(store.engine) == {"nieuw": 2}


# --- python -m bot trackers purge ----------------------------------------------------------------------------------

def run(*args: str, capsys) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(["trackers", "purge", *args], out=out)
    return code, out.getvalue(), capsys.readouterr().err


@pytest.fixture()
def cli_env(monkeypatch):
    """The CLI reads DATABASE_URL; nothing else from the environment may point it elsewhere."""
    for name in ("ZORGROUTE_TRACKER_DATABASE_URL", "ZORGROUTE_TRACKER_RETENTION_DAYS"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize("days", ["0", "-3"])
def test_cli_refuses_less_than_one_day(cli_env, capsys, tmp_path, days):
    cli_env.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    code, out, err = run("--days", days, capsys=capsys)
    assert code == 2 and out == ""
    assert "--days moet minstens 1 zijn" in err
    assert not (tmp_path / "db.sqlite").exists()  # refused before the database was opened


def test_cli_on_a_database_without_events_table(cli_env, capsys, database_url):
    cli_env.setenv("DATABASE_URL", database_url)
    code, out, err = run(capsys=capsys)
    assert code == 0 and err == ""
    assert "Er zijn geen opgeslagen gesprekken in deze database" in out and "events ontbreekt" in out


def test_cli_purges_with_the_default_of_seven_days(cli_env, capsys, database_url, store):
    now = datetime.now(timezone.utc)
    insert(store.engine, {"oud": rasa_events(now, timedelta(days=8)), "bijna": rasa_events(now, timedelta(days=6))})
    cli_env.setenv("DATABASE_URL", database_url)
    code, out, err = run(capsys=capsys)
    assert code == 0 and err == ""
    assert out == "1 gesprekken (2 gebeurtenissen) verwijderd die langer dan 7 dagen stillagen.\n"
    code, out, _ = run("--days", "5", capsys=capsys)
    assert code == 0 and out.startswith("1 gesprekken (2 gebeurtenissen)") and "5 dagen" in out
    assert counts(store.engine) == {}


def test_cli_uses_the_tracker_database_url_first(cli_env, capsys, database_url, store, tmp_path):
    insert(store.engine, {"oud": rasa_events(datetime.now(timezone.utc), timedelta(days=8))})
    cli_env.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'tickets-only.db'}")
    cli_env.setenv("ZORGROUTE_TRACKER_DATABASE_URL", database_url)
    code, out, _ = run(capsys=capsys)
    assert code == 0 and out.startswith("1 gesprekken")


def test_cli_with_postgresql_stopped_says_not_reachable(cli_env, capsys):
    from tests.postgres import PostgresServer

    server = PostgresServer()
    try:
        server.stop()
        cli_env.setenv("DATABASE_URL", server.url())
        code, out, err = run("--days", "7", capsys=capsys)
    finally:
        server.close()
    assert code == 1 and out == ""
    assert "niet bereikbaar" in err and "Er is niets verwijderd" in err and "Traceback" not in err


def test_cli_with_an_unusable_database_url_gives_a_dutch_error(cli_env, capsys):
    cli_env.setenv("DATABASE_URL", "dit-is-geen-url")
    code, _, err = run(capsys=capsys)
    assert code == 1 and err.startswith("Fout:")


def test_cli_help_names_the_real_default(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["trackers", "purge", "--help"])
    assert exit_.value.code == 0
    help_text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    assert f"ZORGROUTE_TRACKER_RETENTION_DAYS, {DEFAULT_TRACKER_RETENTION_DAYS})" in help_text
