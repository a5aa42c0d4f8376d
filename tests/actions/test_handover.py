"""Handover actions with tracker fixtures: consent, contact checks, the ticket and the outbox."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import handover
from actions.handover import (
    ActionFinishHandover,
    ActionStartHandover,
    ValidateHandoverForm,
    conversation_turns,
)
from bot.conversation import start_state
from bot.tickets.db import open_database
from bot.tickets.repository import list_tickets


def tracker(text: str, intent: str, slots: dict[str, Any] | None = None, events: list | None = None,
            sender: str = "burger-t") -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": []}
    return Tracker(sender, slots or {}, message, events or [], False, None, {}, "action_listen")


def slot_events(events) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.fixture()
def ticket_store(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'tickets.db'}")
    monkeypatch.setenv("ZORGROUTE_OUTBOX_DIR", str(tmp_path / "outbox"))
    handover.ticket_service.cache_clear()
    yield tmp_path
    handover.ticket_service().close()
    handover.ticket_service.cache_clear()


def started_slots() -> dict[str, Any]:
    state = start_state("Het zorgkantoor vindt al een jaar niks voor mijn broer", "wlz", 0.9, [
        {"entity": "partij", "value": "zorgkantoor"}, {"entity": "partij_zonder_resultaat", "value": "zorgkantoor"},
        {"entity": "signaal", "value": "no_result"}])
    events = ActionStartHandover().run(CollectingDispatcher(), tracker("/request_human", "request_human",
                                                                       {"triage_state": state.to_dict()}), {})
    return {"triage_state": state.to_dict(), **slot_events(events)}


def test_start_picks_the_desk_from_the_decision():
    slots = started_slots()
    assert slots["handover_target"] == "juiste_loket" and slots["last_decision"]["handover"] == "juiste_loket"
    assert all(slots[name] is None for name in handover.FORM_SLOTS)


def test_resetting_slots_is_not_taken_for_an_answer():
    form = ValidateHandoverForm()
    assert form.validate_handover_consent(None, CollectingDispatcher(), tracker("/request_human", "request_human"),
                                          {}) == {"handover_consent": None}


@pytest.mark.parametrize(("typed", "expected"), [
    ("Bel mij", {"contact_method": "telefoon"}),
    ("jan@voorbeeld.nl", {"contact_method": "email", "contact_value": "jan@voorbeeld.nl"}),
    ("06-12345678", {"contact_method": "telefoon", "contact_value": "06 12345678"}),
    ("laat maar", {"contact_method": None, "handover_consent": False}),
])
def test_contact_method_answers(typed, expected):
    result = ValidateHandoverForm().validate_contact_method(
        typed, CollectingDispatcher(), tracker(typed, "inform", {"requested_slot": "contact_method"}), {})
    assert result == expected


def test_an_invalid_number_is_asked_again_with_an_example():
    dispatcher = CollectingDispatcher()
    result = ValidateHandoverForm().validate_contact_value(
        "0612", dispatcher, tracker("0612", "inform", {"requested_slot": "contact_value",
                                                       "contact_method": "telefoon"}), {})
    assert result == {"contact_value": None} and "Bijvoorbeeld: 06 12345678" in dispatcher.messages[0]["text"]


def test_transcript_stops_where_the_handover_started():
    events = [{"event": "user", "text": "mijn vader, bsn 111222333"}, {"event": "bot", "text": "Ik stel vragen."},
              {"event": "user", "text": "/affirm"}, {"event": "action", "name": "action_start_handover"},
              {"event": "user", "text": "06 12345678"}]
    assert conversation_turns(tracker("x", "inform", events=events)) == [
        ("burger", "mijn vader, bsn 111222333"), ("zorgroute", "Ik stel vragen.")]


def finish(slots: dict[str, Any], sender: str = "burger-t") -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = ActionFinishHandover().run(dispatcher, tracker("Ja, dat mag", "affirm", slots, sender=sender), {})
    return dispatcher.messages, events


def test_consent_gives_a_ticket_and_clears_the_contact_details(ticket_store):
    slots = {**started_slots(), "handover_consent": True, "contact_method": "telefoon",
             "contact_value": "06 12345678", "contact_name": "-", "contact_time": "In de ochtend",
             "transcript_consent": False}
    messages, events = finish(slots)
    reference = messages[0]["custom"]["handover"]["reference"]
    assert "doorgestuurd naar Het Juiste Loket" in messages[0]["text"] and "3 werkdagen" in messages[0]["text"]
    assert slot_events(events)["handover_reference"] == reference and slot_events(events)["contact_value"] is None
    database = open_database(f"sqlite:///{ticket_store / 'tickets.db'}")
    with database.unit_of_work() as session:
        [ticket] = list_tickets(session)
        assert ticket.reference == reference and ticket.contact_name is None and ticket.transcript is None
    database.dispose()
    again, _ = finish(slots)
    assert "was al doorgestuurd" in again[0]["text"] and reference in again[0]["text"]


def test_no_consent_gives_contact_details_and_no_ticket(ticket_store):
    messages, _ = finish({**started_slots(), "handover_consent": False})
    assert "Ik stuur niets door" in messages[0]["text"] and "030 789 78 78" in messages[0]["text"]
    assert not (ticket_store / "tickets.db").exists()


def test_database_down_still_gives_a_reference_and_an_honest_message(ticket_store, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://nobody@127.0.0.1:1/none")
    handover.ticket_service.cache_clear()
    slots = {**started_slots(), "handover_consent": True, "contact_method": "email",
             "contact_value": "a@b.nl", "contact_name": "Ans", "contact_time": "maakt niet uit",
             "transcript_consent": True}
    messages, _ = finish(slots)
    assert "storing" in messages[0]["text"] and messages[0]["custom"]["handover"]["outcome"] == "queued"
    assert len(list((ticket_store / "outbox").glob("*.json"))) == 1
