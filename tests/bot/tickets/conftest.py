"""Ticket test helpers (the database fixtures, SQLite and PostgreSQL, are in tests/conftest.py)."""

from __future__ import annotations

from datetime import datetime, timezone

from bot.handover import Contact, build_draft
from bot.knowledge import KnowledgeBase
from bot.tickets.draft import TicketDraft
from bot.triage import Triage

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=timezone.utc)


def make_draft(kb: KnowledgeBase, conversation: str = "gesprek-1", text: str | None = None,
               transcript: list[dict[str, str]] | None = None, contact: Contact | None = None) -> TicketDraft:
    """A realistic draft: a Wlz help request routed by the real triage core."""
    decision = Triage(kb).decide(text or "Het zorgkantoor vindt geen plek voor mijn vader van 84", "wlz", 0.93)
    return build_draft(kb, conversation_id=conversation, decision=decision.to_dict(), target="juiste_loket",
                       contact=contact or Contact("telefoon", "06 12345678", None, "In de ochtend"),
                       transcript=transcript)
