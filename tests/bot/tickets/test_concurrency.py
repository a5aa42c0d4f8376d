"""The same handover submitted concurrently (threads, and separate processes) gives exactly one ticket."""

from __future__ import annotations

import multiprocessing
import threading
import time

from sqlalchemy import func, select

from bot.knowledge import default_knowledge
from bot.tickets.db import open_database
from bot.tickets.models import Ticket
from bot.tickets.repository import add_ticket
from tests.bot.tickets.conftest import NOW, make_draft

HOLD_SECONDS = 0.5  # each transaction stays open a while, so the two really overlap


def submit(url: str, start_at: float) -> tuple[str, bool]:
    """One submission in its own connection; starts at ``start_at`` (wall clock)."""
    database = open_database(url, run_migrations=False)
    try:
        draft = make_draft(default_knowledge(), "gelijktijdig")
        time.sleep(max(0.0, start_at - time.time()))
        with database.unit_of_work() as session:
            ticket, created = add_ticket(session, draft, NOW)
            reference = ticket.reference
            time.sleep(HOLD_SECONDS)
        return reference, created
    finally:
        database.dispose()


def tickets_in(database) -> int:
    with database.unit_of_work() as session:
        return session.execute(select(func.count()).select_from(Ticket)).scalar_one()


def test_two_threads(database, database_url):
    results: list[tuple[str, bool]] = []
    start_at = time.time() + 0.5
    threads = [threading.Thread(target=lambda: results.append(submit(database_url, start_at))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(created for _, created in results) == [False, True]
    assert len({reference for reference, _ in results}) == 1
    assert tickets_in(database) == 1


def test_two_processes(database, database_url):
    context = multiprocessing.get_context("spawn")
    start_at = time.time() + 8  # spawned interpreters need a few seconds to import
    with context.Pool(2) as pool:
        results = pool.starmap(submit, [(database_url, start_at), (database_url, start_at)], chunksize=1)
    assert sorted(created for _, created in results) == [False, True]
    assert len({reference for reference, _ in results}) == 1
    assert tickets_in(database) == 1
