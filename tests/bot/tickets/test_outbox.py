"""Nothing lost: with the database down, handovers are queued durably and written exactly once later."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.tickets.db import open_database
from bot.tickets.models import Ticket
from bot.tickets.notify import DisabledNotifier
from bot.tickets.outbox import Outbox
from bot.tickets.service import EXISTING, QUEUED, STORED, TicketService
from tests.bot.tickets.conftest import make_draft
from tests.postgres import PostgresServer


def stored_references(url: str) -> list[str]:
    database = open_database(url)
    try:
        with database.unit_of_work() as session:
            return sorted(session.execute(select(Ticket.reference)).scalars())
    finally:
        database.dispose()


@pytest.fixture()
def own_postgres():
    """A server this test may stop and start (not the shared one)."""
    server = PostgresServer()
    yield server
    server.close()


def test_postgres_down_then_back_every_ticket_written_once(own_postgres, kb, tmp_path):
    url = own_postgres.url(own_postgres.create_database())
    service = TicketService(url, Outbox(tmp_path / "outbox"), DisabledNotifier())
    before = make_draft(kb, "voor-de-storing")
    assert service.submit(before).outcome == STORED
    own_postgres.stop()
    drafts = [make_draft(kb, f"tijdens-storing-{n}") for n in range(5)]
    receipts = [service.submit(draft) for draft in drafts]
    receipts.append(service.submit(drafts[0]))  # a retry of the same handover while still down
    assert [r.outcome for r in receipts] == [QUEUED] * 6
    assert [r.reference for r in receipts[:5]] == [d.reference for d in drafts]
    assert len(service.outbox) == 5  # the retry did not add a second file
    for path in service.outbox.pending():
        assert (path.stat().st_mode & 0o777) == 0o600  # personal data: owner only
    with pytest.raises(Exception):  # noqa: B017 - still down: the drain must fail loudly, keep everything
        service.drain()
    assert len(service.outbox) == 5
    own_postgres.start()
    report = service.drain()
    assert sorted(report.stored) == sorted(d.reference for d in drafts) and not report.rejected
    assert len(service.outbox) == 0
    assert stored_references(url) == sorted([before.reference, *(d.reference for d in drafts)])
    assert service.submit(drafts[0]).outcome == EXISTING  # and once more: still one ticket
    assert len(stored_references(url)) == 6


def test_sqlite_unreachable_then_back(kb, tmp_path):
    blocked = tmp_path / "db"
    blocked.write_text("not a folder")  # the database folder cannot be created: unreachable
    url = f"sqlite:///{blocked / 'tickets.db'}"
    service = TicketService(url, Outbox(tmp_path / "outbox"), DisabledNotifier())
    drafts = [make_draft(kb, f"gesprek-{n}") for n in range(3)]
    assert [service.submit(d).outcome for d in drafts] == [QUEUED] * 3
    blocked.unlink()
    # The next submission succeeds and drains the queue behind it.
    late = make_draft(kb, "na-de-storing")
    assert service.submit(late).outcome == STORED
    assert len(service.outbox) == 0
    assert stored_references(url) == sorted(d.reference for d in [*drafts, late])


def test_a_crash_between_writing_and_removing_the_file_writes_nothing_twice(database_url, kb, tmp_path):
    service = TicketService(database_url, Outbox(tmp_path / "outbox"), DisabledNotifier())
    draft = make_draft(kb)
    service.outbox.put(draft)
    service.store(draft)  # written, but the file is still there (as after a crash)
    report = service.drain()
    assert report.existing == [draft.reference] and not report.stored and len(service.outbox) == 0
    database = open_database(database_url)
    with database.unit_of_work() as session:
        assert session.execute(select(func.count()).select_from(Ticket)).scalar_one() == 1
    database.dispose()


def test_an_unreadable_file_is_set_aside_not_lost(kb, tmp_path):
    outbox = Outbox(tmp_path / "outbox")
    outbox.put(make_draft(kb))
    broken = tmp_path / "outbox" / ("f" * 64 + ".json")
    broken.write_text("{half a draft")
    service = TicketService(f"sqlite:///{tmp_path / 't.db'}", outbox, DisabledNotifier())
    report = service.drain()
    assert report.rejected == [broken.name] and len(report.stored) == 1
    assert (tmp_path / "outbox" / "rejected" / broken.name).read_text() == "{half a draft"


def test_queued_file_is_complete_json(kb, tmp_path):
    outbox = Outbox(tmp_path / "outbox")
    draft = make_draft(kb)
    path = outbox.put(draft)
    assert json.loads(Path(path).read_text()) == draft.to_dict()
    assert not list((tmp_path / "outbox").glob("*.tmp"))
    assert os.stat(tmp_path / "outbox").st_mode & 0o777 == 0o700
