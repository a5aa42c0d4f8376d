"""Actions with tracker fixtures: they adapt the triage core and never hold rules themselves."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.contact import ActionContactDetails
from actions.input_problems import ActionExplainInvalidInput
from actions.triage import ActionTriage


def tracker_with(text: str, intent: str, entities: list[dict[str, Any]] | None = None) -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": 0.97},
               "intent_ranking": [{"name": intent, "confidence": 0.97}], "entities": entities or []}
    return Tracker("test-user", {}, message, [], False, None, {}, "action_listen")


def run(action, tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


def test_triage_answers_with_desk_reason_and_contact():
    entities = [{"entity": "partij", "value": "zorgkantoor"},
                {"entity": "partij_zonder_resultaat", "value": "zorgkantoor"},
                {"entity": "signaal", "value": "no_result"}]
    messages, events = run(ActionTriage(), tracker_with("Het zorgkantoor vindt niets", "wlz", entities))
    text = messages[0]["text"]
    assert "Het Juiste Loket" in text and "030 789 78 78" in text and "Waarom?" in text
    payload = messages[0]["custom"]
    assert payload["next_step"] == "juiste_loket" and payload["handover"] == "juiste_loket"
    assert events[0]["name"] == "last_decision" and events[0]["value"]["rule"] == "wlz.zorgkantoor_zonder_resultaat"


def test_triage_gives_crisis_numbers_first():
    messages, _ = run(ActionTriage(), tracker_with("ik wil niet meer leven", "wmo"))
    assert messages[0]["text"].startswith("Is er nu gevaar")
    assert "113" in messages[0]["text"] and "112" in messages[0]["text"]


def test_contact_question_answers_from_the_knowledge_base():
    tracker = tracker_with("wat is het nummer van het akj", "ask_contact", [{"entity": "loket", "value": "akj"}])
    messages, _ = run(ActionContactDetails(), tracker)
    assert "088-555 1000" in messages[0]["text"] and "info@akj.nl" in messages[0]["text"]


def test_contact_question_without_a_desk_offers_buttons():
    messages, _ = run(ActionContactDetails(), tracker_with("wat is het telefoonnummer", "ask_contact"))
    assert messages[0]["buttons"] and messages[0]["buttons"][0]["payload"].startswith("/ask_contact")


@pytest.mark.parametrize(("problem", "words"), [("too_long", "te lang"), ("not_dutch", "Nederlands"),
                                                ("empty", "leeg")])
def test_invalid_input_is_explained_in_dutch(problem, words):
    tracker = tracker_with("...", "invalid_input", [{"entity": "invalid_input", "value": problem}])
    messages, _ = run(ActionExplainInvalidInput(), tracker)
    assert words in messages[0]["text"]
