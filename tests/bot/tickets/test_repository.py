"""Ticket repository on SQLite and PostgreSQL: idempotent creation, workflow, audit trail, retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.errors import InvalidStatusChangeError, TicketNotFoundError
from bot.handover import Contact
from bot.tickets.models import Ticket, TicketEvent
from bot.tickets.reference import is_well_formed
from bot.tickets.repository import (
    ANONYMISED,
    add_ticket,
    apply_retention,
    change_status,
    get_ticket,
    list_tickets,
    ticket_to_dict,
)
from tests.bot.tickets.conftest import NOW, make_draft


def count(database, model=Ticket) -> int:
    with database.unit_of_work() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_ticket_holds_everything_the_desk_needs(database, kb):
    draft = make_draft(kb, transcript=[{"from": "burger", "text": "mijn BSN is [BSN]"}])
    with database.unit_of_work() as session:
        ticket, created = add_ticket(session, draft, NOW)
    assert created and is_well_formed(ticket.reference)
    with database.unit_of_work() as session:
        stored = ticket_to_dict(get_ticket(session, draft.reference))
    assert stored["target"] == "juiste_loket" and stored["category"] == "wlz" and stored["status"] == "nieuw"
    assert stored["ladder"] == draft.ladder and stored["ladder"][0] == stored["decision"]["next_step"]
    assert stored["rule"] == draft.rule and stored["sources"] and stored["summary"].startswith("Hulpvraag over Wlz")
    assert stored["contact"] == {"method": "telefoon", "value": "06 12345678", "name": None, "time": "In de ochtend"}
    assert stored["transcript"] == [{"from": "burger", "text": "mijn BSN is [BSN]"}]
    assert stored["created_at"].startswith("2026-11-25T09:30")
    assert [(e["from"], e["to"], e["actor"]) for e in stored["events"]] == [(None, "nieuw", "zorgroute")]


def test_the_same_handover_twice_gives_one_ticket(database, kb):
    draft = make_draft(kb)
    with database.unit_of_work() as session:
        first, created_first = add_ticket(session, draft, NOW)
    with database.unit_of_work() as session:
        second, created_second = add_ticket(session, draft, NOW + timedelta(minutes=1))
    assert (created_first, created_second) == (True, False)
    assert first.reference == second.reference and count(database) == 1


def test_another_conversation_gets_its_own_ticket(database, kb):
    with database.unit_of_work() as session:
        one, _ = add_ticket(session, make_draft(kb, "gesprek-1"), NOW)
        two, _ = add_ticket(session, make_draft(kb, "gesprek-2"), NOW)
    assert one.reference != two.reference and count(database) == 2


def test_a_taken_reference_gets_another_one_and_the_trail_says_so(database, kb):
    first = make_draft(kb, "gesprek-1")
    clash = make_draft(kb, "gesprek-2")
    clash = type(clash)(**{**clash.to_dict(), "reference": first.reference})
    with database.unit_of_work() as session:
        add_ticket(session, first, NOW)
        ticket, created = add_ticket(session, clash, NOW)
        assert created and ticket.reference != first.reference and is_well_formed(ticket.reference)
        assert first.reference in ticket.events[0].note


def test_status_changes_are_kept_as_an_audit_trail(database, kb):
    draft = make_draft(kb)
    with database.unit_of_work() as session:
        add_ticket(session, draft, NOW)
    with database.unit_of_work() as session:
        change_status(session, draft.reference.lower(), "in_behandeling", actor="anna", note="gebeld, geen gehoor",
                      now=NOW + timedelta(hours=1))
    with database.unit_of_work() as session:
        ticket = change_status(session, draft.reference, "afgesloten", actor="anna", note=None,
                               now=NOW + timedelta(hours=2))
        assert ticket.closed_at is not None
        trail = [(e.actor, e.from_status, e.to_status, e.note) for e in ticket.events]
    assert trail == [("zorgroute", None, "nieuw", None), ("anna", "nieuw", "in_behandeling", "gebeld, geen gehoor"),
                     ("anna", "in_behandeling", "afgesloten", None)]


def test_a_change_the_workflow_does_not_allow_is_refused_and_nothing_changes(database, kb):
    draft = make_draft(kb)
    with database.unit_of_work() as session:
        add_ticket(session, draft, NOW)
    with pytest.raises(InvalidStatusChangeError) as refused, database.unit_of_work() as session:
        change_status(session, draft.reference, "wacht_op_burger", actor="anna", note=None, now=NOW)
    assert "nieuw" in refused.value.dutch_message and "in_behandeling" in refused.value.dutch_message
    with pytest.raises(InvalidStatusChangeError), database.unit_of_work() as session:
        change_status(session, draft.reference, "weg", actor="anna", note=None, now=NOW)
    assert count(database, TicketEvent) == 1


@pytest.mark.parametrize(("typed", "problem"), [("ZR-2222222", "unknown reference"), ("ZR-12", "malformed reference"),
                                                 ("", "malformed reference")])
def test_unknown_and_mistyped_references_are_named(database, typed, problem):
    with pytest.raises(TicketNotFoundError) as missing, database.unit_of_work() as session:
        get_ticket(session, typed)
    assert missing.value.problem == problem and "referentie" in missing.value.dutch_message


def test_list_filters_by_target_status_and_date(database, kb):
    with database.unit_of_work() as session:
        add_ticket(session, make_draft(kb, "a"), NOW - timedelta(days=10))
        add_ticket(session, make_draft(kb, "b"), NOW)
        other = make_draft(kb, "c")
        add_ticket(session, type(other)(**{**other.to_dict(), "target": "vws_unit"}), NOW)
        change_status(session, make_draft(kb, "b").reference, "in_behandeling", actor="x", note=None, now=NOW)
    with database.unit_of_work() as session:
        assert len(list_tickets(session)) == 3
        assert [t.target for t in list_tickets(session, target="vws_unit")] == ["vws_unit"]
        assert len(list_tickets(session, status="in_behandeling")) == 1
        assert len(list_tickets(session, since=NOW - timedelta(days=1))) == 2
        assert len(list_tickets(session, until=NOW - timedelta(days=1))) == 1
        with pytest.raises(InvalidStatusChangeError):
            list_tickets(session, status="onzin")


def test_sql_and_html_in_fields_are_stored_as_plain_text(database, kb):
    nasty = "'); DROP TABLE tickets; -- <script>alert('x')</script>"
    draft = make_draft(kb, transcript=[{"from": "burger", "text": nasty}],
                       contact=Contact("email", "a@b.nl", nasty[:80], nasty[:64]))
    with database.unit_of_work() as session:
        add_ticket(session, draft, NOW)
    with database.unit_of_work() as session:
        stored = get_ticket(session, draft.reference)
        assert stored.transcript[0]["text"] == nasty and stored.contact_name == nasty[:80]
    assert count(database) == 1


def test_retention_anonymises_only_tickets_closed_long_enough(database, kb):
    old, recent, open_ = make_draft(kb, "old", transcript=[{"from": "burger", "text": "x"}]), make_draft(kb, "new"), \
        make_draft(kb, "open")
    with database.unit_of_work() as session:
        for draft in (old, recent, open_):
            add_ticket(session, draft, NOW - timedelta(days=200))
        change_status(session, old.reference, "afgesloten", actor="a", note="met naam Jansen",
                      now=NOW - timedelta(days=91))
        change_status(session, recent.reference, "afgesloten", actor="a", note=None, now=NOW - timedelta(days=89))
    with database.unit_of_work() as session:
        assert apply_retention(session, days=90, now=NOW) == [old.reference]
    with database.unit_of_work() as session:
        gone = get_ticket(session, old.reference)
        assert gone.contact_value is None and gone.transcript is None and gone.facts is None
        assert gone.summary == ANONYMISED and all(e.note is None for e in gone.events)
        assert gone.category == "wlz" and gone.target == "juiste_loket" and gone.anonymised_at is not None
        assert get_ticket(session, recent.reference).contact_value == "06 12345678"
        assert apply_retention(session, days=90, now=NOW) == []  # already done
        with pytest.raises(InvalidStatusChangeError):
            change_status(session, old.reference, "in_behandeling", actor="a", note=None, now=NOW)


def test_retention_can_delete_instead(database, kb):
    draft = make_draft(kb)
    with database.unit_of_work() as session:
        add_ticket(session, draft, NOW - timedelta(days=300))
        change_status(session, draft.reference, "afgesloten", actor="a", note=None, now=NOW - timedelta(days=120))
    with database.unit_of_work() as session:
        assert apply_retention(session, days=90, now=NOW, delete=True) == [draft.reference]
    assert count(database) == 0 and count(database, TicketEvent) == 0


def test_a_failing_unit_of_work_leaves_no_half_written_ticket(database, kb):
    with pytest.raises(RuntimeError), database.unit_of_work() as session:
        add_ticket(session, make_draft(kb), NOW)
        raise RuntimeError("crash after the insert, before the commit")
    assert count(database) == 0 and count(database, TicketEvent) == 0
