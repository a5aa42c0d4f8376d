"""Actions with tracker fixtures: they adapt the triage core and never hold rules themselves."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.contact import ActionContactDetails
from actions.fallback import ActionDefaultAskAffirmation, ActionDefaultFallback
from actions.input_problems import ActionExplainInvalidInput
from actions.safety import ActionCrisis
from actions.session import ActionSessionStart
from actions.triage import ActionAnswer, ActionEscalate, ActionNewQuestion, ActionStartTriage
from actions.triage_form import ActionAskQTried, ValidateTriageForm
from bot.conversation import start_state


def tracker_with(text: str, intent: str, entities: list[dict[str, Any]] | None = None,
                 slots: dict[str, Any] | None = None, ranking: list[dict[str, Any]] | None = None) -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": 0.97},
               "intent_ranking": ranking or [{"name": intent, "confidence": 0.97}], "entities": entities or []}
    return Tracker("test-user", slots or {}, message, [], False, None, {}, "action_listen")


def run(action, tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


def slot_events(events) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def state_slot(text, intent, entities=()):
    return {"triage_state": start_state(text, intent, 0.95, list(entities)).to_dict()}


FAILED_ZORGKANTOOR = [{"entity": "partij", "value": "zorgkantoor"},
                      {"entity": "partij_zonder_resultaat", "value": "zorgkantoor"},
                      {"entity": "signaal", "value": "no_result"}]


def test_start_stores_facts_and_announces_questions():
    messages, events = run(ActionStartTriage(), tracker_with("mijn vader moet naar een verpleeghuis", "wlz"))
    state = slot_events(events)["triage_state"]
    assert state["intent"] == "wlz" and state["facts"]["contacted"] == []
    assert messages[0]["response"] == "utter_first_questions"


def test_start_without_open_questions_says_nothing():
    failed_loket = [{"entity": "partij", "value": "juiste_loket"},
                    {"entity": "partij_zonder_resultaat", "value": "juiste_loket"}]
    messages, _ = run(ActionStartTriage(), tracker_with("ook het juiste loket kon niets", "vastgelopen", failed_loket))
    assert messages == []


def test_answer_shows_desk_reason_contact_and_follow_ups():
    tracker = tracker_with("", "affirm", slots=state_slot("zorgkantoor vindt niets", "wlz", FAILED_ZORGKANTOOR))
    messages, events = run(ActionAnswer(), tracker)
    text = "\n".join(m["text"] for m in messages)
    assert "Het Juiste Loket" in text and "030 789 78 78" in text and "Waarom?" in text
    assert messages[0]["custom"]["next_step"] == "juiste_loket"
    assert [b["payload"] for b in messages[-1]["buttons"]] == ["/already_tried", "/andere_vraag", "/request_human"]
    assert slot_events(events)["last_decision"]["rule"] == "wlz.zorgkantoor_zonder_resultaat"
    assert all(len(m["text"]) <= 600 for m in messages)


def test_already_tried_climbs_to_the_vws_unit():
    slots = state_slot("zorgkantoor vindt niets", "wlz", FAILED_ZORGKANTOOR)
    messages, events = run(ActionEscalate(), tracker_with("dat heb ik al geprobeerd", "already_tried", slots=slots))
    assert "zorgvragen@minvws.nl" in "\n".join(m["text"] for m in messages)
    assert slot_events(events)["triage_state"]["facts"]["tried_routes"] == ["juiste_loket"]


def test_already_tried_without_a_question_asks_what_was_tried():
    messages, _ = run(ActionEscalate(), tracker_with("al geprobeerd", "already_tried"))
    assert messages[0]["response"] == "utter_already_tried"


def test_new_question_forgets_the_help_request():
    _, events = run(ActionNewQuestion(), tracker_with("andere vraag", "andere_vraag", slots=state_slot("x", "wmo")))
    assert slot_events(events)["triage_state"] is None


async def test_form_asks_the_next_question_the_rules_need():
    form = ValidateTriageForm()
    tracker = tracker_with("", "wlz", slots=state_slot("verpleeghuis", "wlz"))
    slots = await form.required_slots([], CollectingDispatcher(), tracker, {})
    assert slots == ["q_wlz_indication"]


async def test_form_turns_an_answer_into_a_fact_and_moves_on():
    form = ValidateTriageForm()
    slots = {**state_slot("verpleeghuis", "wlz"), "q_wlz_indication": "Ja"}
    tracker = tracker_with("Ja", "affirm", slots=slots)
    result = form.validate_q_wlz_indication("Ja", CollectingDispatcher(), tracker, {})
    assert result["q_wlz_indication"] is None
    assert result["triage_state"]["facts"]["wlz_indication"] is True
    tracker.slots.update(result)
    assert await form.required_slots([], CollectingDispatcher(), tracker, {}) == ["q_tried"]


def test_form_asks_again_once_when_the_answer_is_unclear():
    form = ValidateTriageForm()
    tracker = tracker_with("paars", "out_of_scope", slots=state_slot("verpleeghuis", "wlz"))
    dispatcher = CollectingDispatcher()
    result = form.validate_q_wlz_indication("paars", dispatcher, tracker, {})
    assert dispatcher.messages[0]["response"] == "utter_answer_not_understood"
    assert result["triage_state"]["retries"] == 1 and "q_wlz_indication" not in result["triage_state"]["asked"]


def test_ask_tried_names_the_desk():
    slots = state_slot("ik zoek zorg", "zvw")
    messages, _ = run(ActionAskQTried(), tracker_with("", "zvw", slots=slots))
    assert "de zorgverzekeraar" in messages[0]["text"] and len(messages[0]["buttons"]) == 4


def test_crisis_action_gives_the_numbers():
    messages, _ = run(ActionCrisis(), tracker_with("ik wil niet meer leven", "crisis"))
    assert "112" in messages[0]["text"] and "0800-0113" in messages[0]["text"]


def test_session_starts_with_the_privacy_notice():
    messages, events = run(ActionSessionStart(), tracker_with("", "greet"))
    assert messages[0]["response"] == "utter_privacy_notice"
    assert [e["event"] for e in events] == ["session_started", "action"]


def test_fallback_offers_the_likeliest_intents_in_dutch():
    ranking = [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "wmo", "confidence": 0.25},
               {"name": "zvw", "confidence": 0.2}, {"name": "greet", "confidence": 0.1}]
    messages, _ = run(ActionDefaultAskAffirmation(), tracker_with("hmm", "nlu_fallback", ranking=ranking))
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert titles == ["Hulp thuis via de gemeente", "Zorg of behandeling via de zorgverzekering", "Iets anders"]


def test_final_fallback_offers_het_juiste_loket():
    messages, events = run(ActionDefaultFallback(), tracker_with("hmm", "nlu_fallback"))
    assert messages[0]["response"] == "utter_give_up" and events[0]["event"] == "rewind"


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
