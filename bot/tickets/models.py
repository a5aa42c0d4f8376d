"""SQLAlchemy models of a handover ticket and its audit trail."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import declarative_base, relationship

from bot.tickets.draft import DecisionParts

Base: Any = declarative_base()

# Ticket workflow: status -> the statuses it may change to.
STATUS_NEW = "nieuw"
STATUS_IN_PROGRESS = "in_behandeling"
STATUS_WAITING = "wacht_op_burger"
STATUS_CLOSED = "afgesloten"
TRANSITIONS: dict[str, frozenset[str]] = {
    STATUS_NEW: frozenset({STATUS_IN_PROGRESS, STATUS_CLOSED}),
    STATUS_IN_PROGRESS: frozenset({STATUS_WAITING, STATUS_CLOSED}),
    STATUS_WAITING: frozenset({STATUS_IN_PROGRESS, STATUS_CLOSED}),
    STATUS_CLOSED: frozenset({STATUS_IN_PROGRESS}),
}
STATUSES = tuple(TRANSITIONS)


class Ticket(Base, DecisionParts):
    """One warm handover: everything the receiving desk needs to call the citizen back."""

    __tablename__ = "tickets"
    __table_args__ = (UniqueConstraint("handover_key", name="uq_tickets_handover_key"),)

    id = Column(Integer, primary_key=True)
    reference = Column(String(16), nullable=False, unique=True, index=True)
    # sha256 of (conversation, triage decision): the same handover can only be stored once.
    handover_key = Column(String(64), nullable=False)
    target = Column(String(32), nullable=False, index=True)
    category = Column(String(16), nullable=False)
    rule = Column(String(128), nullable=False)
    # The triage decision (contract of design.md): ladder, sources and facts are read from it.
    decision = Column(JSON, nullable=False)
    summary = Column(Text, nullable=True)
    transcript = Column(JSON, nullable=True)
    contact_method = Column(String(8), nullable=True)
    contact_value = Column(String(254), nullable=True)
    contact_name = Column(String(80), nullable=True)
    contact_time = Column(String(64), nullable=True)
    status = Column(String(16), nullable=False, default=STATUS_NEW, index=True)
    created_at = Column(DateTime(timezone=True), nullable=False, index=True)
    updated_at = Column(DateTime(timezone=True), nullable=False)
    closed_at = Column(DateTime(timezone=True), nullable=True)
    anonymised_at = Column(DateTime(timezone=True), nullable=True)

    events = relationship("TicketEvent", back_populates="ticket", order_by="TicketEvent.id",
                          cascade="all, delete-orphan", passive_deletes=True)


class TicketEvent(Base):
    """One entry of a ticket's audit trail: who changed what, when, with an optional note."""

    __tablename__ = "ticket_events"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True)
    at = Column(DateTime(timezone=True), nullable=False)
    actor = Column(String(64), nullable=False)
    from_status = Column(String(16), nullable=True)
    to_status = Column(String(16), nullable=False)
    note = Column(Text, nullable=True)

    ticket = relationship("Ticket", back_populates="events")


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)
