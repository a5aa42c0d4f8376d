"""Ticket repository: every function takes the Session of the caller's unit of work.

Creating a ticket is idempotent: the unique ``handover_key`` makes a retried or concurrent
submission of the same handover return the ticket that exists instead of adding a second one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from bot.errors import InvalidStatusChangeError, TicketNotFoundError, UnstorableTextError
from bot.tickets.draft import TicketDraft
from bot.tickets.models import STATUS_CLOSED, STATUS_NEW, STATUSES, TRANSITIONS, Ticket, TicketEvent, as_utc
from bot.tickets.reference import is_well_formed, normalise_reference, reference_for

SYSTEM_ACTOR = "zorgroute"
MAX_REFERENCE_ATTEMPTS = 5
ANONYMISED = "[geanonimiseerd]"


class ReferenceTakenError(Exception):
    """Internal: the reference of a draft belongs to another handover."""


def find_by_key(session: Session, handover_key: str) -> Ticket | None:
    """The ticket of a handover, if it was stored."""
    return session.execute(select(Ticket).where(Ticket.handover_key == handover_key)).scalar_one_or_none()


def _insert(session: Session, draft: TicketDraft, reference: str, now: datetime) -> Ticket:
    ticket = Ticket(
        reference=reference, handover_key=draft.handover_key, target=draft.target, category=draft.category,
        rule=draft.rule, decision=dict(draft.decision), summary=draft.summary, transcript=draft.transcript,
        contact_method=draft.contact_method, contact_value=draft.contact_value, contact_name=draft.contact_name,
        contact_time=draft.contact_time, status=STATUS_NEW, created_at=now, updated_at=now,
    )
    note = None if reference == draft.reference else f"Referentie {draft.reference} was al in gebruik."
    ticket.events.append(TicketEvent(at=now, actor=SYSTEM_ACTOR, from_status=None, to_status=STATUS_NEW, note=note))
    session.add(ticket)
    session.flush()
    return ticket


def _check_storable(draft: TicketDraft) -> None:
    """Refuse free text with NUL by name: PostgreSQL text cannot hold it, SQLite would (so stay alike).

    Raises:
        UnstorableTextError: a field (named in ``problem``) holds a NUL character.
    """
    texts = {"summary": draft.summary, "contact_method": draft.contact_method, "contact_value": draft.contact_value,
             "contact_name": draft.contact_name, "contact_time": draft.contact_time}
    texts.update({f"transcript[{i}]": turn.get("text") for i, turn in enumerate(draft.transcript or [])})
    for field, value in texts.items():
        if isinstance(value, str) and "\x00" in value:
            raise UnstorableTextError(f"NUL character in {field}",
                                      "Dit ticket bevat een teken dat niet kan worden opgeslagen (NUL).")


def add_ticket(session: Session, draft: TicketDraft, now: datetime) -> tuple[Ticket, bool]:
    """Store the draft once. Returns the ticket and whether it was created now.

    A concurrent insert of the same handover fails on the unique constraint inside a savepoint;
    the ticket the other transaction committed is returned instead.

    Raises:
        UnstorableTextError: free text in the draft holds a NUL (drafts from ``build_draft`` never do).
    """
    _check_storable(draft)
    existing = find_by_key(session, draft.handover_key)
    if existing is not None:
        return existing, False
    reference = draft.reference
    for attempt in range(1, MAX_REFERENCE_ATTEMPTS + 1):
        try:
            with session.begin_nested():
                return _insert(session, draft, reference, now), True
        except IntegrityError:
            existing = find_by_key(session, draft.handover_key)
            if existing is not None:
                return existing, False
            reference = reference_for(draft.handover_key, attempt)
    raise ReferenceTakenError(f"no free reference after {MAX_REFERENCE_ATTEMPTS} attempts")


def get_ticket(session: Session, reference: str) -> Ticket:
    """The ticket with this reference (as typed: case, spaces and the prefix do not matter).

    Raises:
        TicketNotFoundError: no such ticket; the Dutch message says whether it was mistyped.
    """
    canonical = normalise_reference(reference)
    ticket = session.execute(
        select(Ticket).where(Ticket.reference == canonical).options(selectinload(Ticket.events))
    ).scalar_one_or_none()
    if ticket is not None:
        return ticket
    if not is_well_formed(canonical):
        raise TicketNotFoundError(
            "malformed reference",
            f"{reference.strip() or '(leeg)'} is geen geldige referentie. Een referentie ziet eruit als "
            "ZR-7K3QD9A: ZR- met 7 tekens. Controleer of alle tekens goed zijn overgenomen.",
        )
    raise TicketNotFoundError("unknown reference", f"Er is geen ticket met referentie {canonical}.")


def list_tickets(session: Session, *, target: str | None = None, status: str | None = None,
                 category: str | None = None, since: datetime | None = None, until: datetime | None = None,
                 limit: int | None = None) -> list[Ticket]:
    """Tickets, newest first, filtered by target desk, status, category and creation time."""
    query = select(Ticket).options(selectinload(Ticket.events)).order_by(Ticket.created_at.desc(), Ticket.id.desc())
    if target:
        query = query.where(Ticket.target == target)
    if status:
        if status not in STATUSES:
            raise InvalidStatusChangeError("unknown status", _unknown_status(status))
        query = query.where(Ticket.status == status)
    if category:
        query = query.where(Ticket.category == category)
    if since:
        query = query.where(Ticket.created_at >= since)
    if until:
        query = query.where(Ticket.created_at < until)
    if limit:
        query = query.limit(limit)
    return list(session.execute(query).scalars())


def categories_and_dates(session: Session) -> list[tuple[str, datetime]]:
    """Category and creation time of every ticket (what the console's chart counts)."""
    rows = session.execute(select(Ticket.category, Ticket.created_at)).all()
    return [(str(category), as_utc(created) or created) for category, created in rows]


def _unknown_status(status: str) -> str:
    return f"Onbekende status {status!r}. Kies uit: {', '.join(STATUSES)}."


def change_status(session: Session, reference: str, new_status: str, *, actor: str, note: str | None,
                  now: datetime) -> Ticket:
    """Move a ticket to ``new_status`` and add the change to its audit trail.

    Raises:
        TicketNotFoundError: no such ticket.
        InvalidStatusChangeError: unknown status, or a change the workflow does not allow.
    """
    if new_status not in STATUSES:
        raise InvalidStatusChangeError("unknown status", _unknown_status(new_status))
    ticket = get_ticket(session, reference)
    if ticket.anonymised_at is not None:
        raise InvalidStatusChangeError("anonymised", f"Ticket {ticket.reference} is geanonimiseerd en gesloten.")
    if new_status not in TRANSITIONS[ticket.status]:
        allowed = ", ".join(sorted(TRANSITIONS[ticket.status]))
        raise InvalidStatusChangeError(
            "transition not allowed",
            f"Ticket {ticket.reference} heeft status {ticket.status}; dat kan alleen naar: {allowed}.",
        )
    ticket.events.append(TicketEvent(at=now, actor=actor, from_status=ticket.status, to_status=new_status,
                                     note=note or None))
    ticket.status = new_status
    ticket.updated_at = now
    ticket.closed_at = now if new_status == STATUS_CLOSED else None
    session.flush()
    return ticket


def apply_retention(session: Session, *, days: int, now: datetime, delete: bool = False) -> list[str]:
    """Anonymise (or delete) tickets closed more than ``days`` days ago. Returns their references.

    Anonymising keeps what statistics need (target, category, rule, ladder, status, dates) and
    removes everything about the person: contact details, name, facts, summary, transcript and the
    notes of the audit trail.
    """
    cutoff = now - timedelta(days=days)
    query = select(Ticket).where(Ticket.status == STATUS_CLOSED, Ticket.closed_at < cutoff)
    if not delete:
        query = query.where(Ticket.anonymised_at.is_(None))
    tickets = list(session.execute(query).scalars())
    for ticket in tickets:
        if delete:
            session.delete(ticket)
            continue
        ticket.contact_method = ticket.contact_value = ticket.contact_name = ticket.contact_time = None
        ticket.transcript = None
        ticket.summary = ANONYMISED
        # The decision keeps its outline (for statistics) but loses the facts about the person.
        kept = {key: ticket.decision.get(key) for key in ("category", "next_step", "handover", "rule")}
        ticket.decision = {**kept, "route": [{"id": step.get("id"), "name": step.get("name")}
                                             for step in ticket.decision.get("route") or []]}
        for event in ticket.events:
            event.note = None
        ticket.anonymised_at = now
        ticket.updated_at = now
    session.flush()
    return [ticket.reference for ticket in tickets]


def ticket_to_dict(ticket: Ticket) -> dict[str, Any]:
    """A ticket with its audit trail, JSON-ready (for ``show`` and ``export``)."""

    def stamp(moment: datetime | None) -> str | None:
        moment = as_utc(moment)
        return moment.isoformat() if moment else None

    return {
        "reference": ticket.reference, "target": ticket.target, "category": ticket.category,
        "status": ticket.status, "rule": ticket.rule, "ladder": ticket.ladder, "sources": ticket.sources,
        "summary": ticket.summary, "facts": ticket.facts, "decision": ticket.decision,
        "contact": {"method": ticket.contact_method, "value": ticket.contact_value,
                    "name": ticket.contact_name, "time": ticket.contact_time},
        "transcript": ticket.transcript,
        "created_at": stamp(ticket.created_at), "updated_at": stamp(ticket.updated_at),
        "closed_at": stamp(ticket.closed_at), "anonymised_at": stamp(ticket.anonymised_at),
        "events": [{"at": stamp(e.at), "actor": e.actor, "from": e.from_status, "to": e.to_status, "note": e.note}
                   for e in ticket.events],
    }
