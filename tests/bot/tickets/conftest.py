"""Every repository test runs against SQLite and against a real PostgreSQL server, each with its own database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.handover import Contact, build_draft
from bot.knowledge import KnowledgeBase
from bot.tickets.db import Database, open_database
from bot.tickets.draft import TicketDraft
from bot.triage import Triage
from tests.postgres import PostgresServer

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=timezone.utc)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    yield server
    server.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tickets.db'}"
    server = request.getfixturevalue("postgres_server")
    return server.url(server.create_database())


@pytest.fixture()
def database(database_url: str) -> Iterator[Database]:
    opened = open_database(database_url)
    yield opened
    opened.dispose()


def make_draft(kb: KnowledgeBase, conversation: str = "gesprek-1", text: str | None = None,
               transcript: list[dict[str, str]] | None = None, contact: Contact | None = None) -> TicketDraft:
    """A realistic draft: a Wlz help request routed by the real triage core."""
    decision = Triage(kb).decide(text or "Het zorgkantoor vindt geen plek voor mijn vader van 84", "wlz", 0.93)
    return build_draft(kb, conversation_id=conversation, decision=decision.to_dict(), target="juiste_loket",
                       contact=contact or Contact("telefoon", "06 12345678", None, "In de ochtend"),
                       transcript=transcript)
