"""Multi-turn triage without Rasa: which questions are asked, how answers change the route."""

from __future__ import annotations

import pytest

from bot.conversation import (
    Question,
    TriageState,
    apply_answer,
    decide,
    interpret,
    next_question,
    start_state,
)
from bot.triage import Triage


def run_conversation(kb, intent, entities, replies):
    """Answer each question with the next reply; return the questions asked and the decision."""
    state = start_state("bericht", intent, 0.9, entities)
    asked = []
    for reply_intent, reply_text in replies:
        question = next_question(kb, state)
        if question is None:
            break
        asked.append((question.slot, question.party))
        state = apply_answer(state, question, interpret(question, reply_intent, reply_text, []))
    assert next_question(kb, state) is None or len(asked) == len(replies)
    return asked, decide(Triage(kb), state), state


def test_wlz_without_facts_asks_for_the_indication_then_the_desk(kb):
    asked, decision, _ = run_conversation(kb, "wlz", [], [("affirm", "Ja, er is een Wlz-indicatie"),
                                                          (None, "Ja, maar dat hielp niet")])
    assert asked == [("q_wlz_indication", None), ("q_tried", "zorgkantoor")]
    assert decision.next_step == "juiste_loket" and decision.handover == "juiste_loket"


def test_a_fact_from_the_first_message_is_not_asked_again(kb):
    entities = [{"entity": "signaal", "value": "wlz_indication"}]
    state = start_state("mijn moeder heeft een wlz-indicatie", "wlz", 0.9, entities)
    question = next_question(kb, state)
    assert question is not None and question.slot != "q_wlz_indication"


def test_a_negated_fact_is_known_too(kb):
    entities = [{"entity": "signaal_niet", "value": "wlz_indication"}]
    question = next_question(kb, start_state("nog geen indicatie", "wlz", 0.9, entities))
    assert question is None or question.slot != "q_wlz_indication"


def test_dont_know_still_leads_to_advice(kb):
    asked, decision, _ = run_conversation(kb, "jeugdwet", [], [("dont_know", "weet ik niet")] * 3)
    assert asked and decision.next_step in {"gemeente_jeugd", "gemeente_wmo"}


def test_age_answer_moves_a_wmo_question_to_youth_help(kb):
    asked, decision, _ = run_conversation(kb, "wmo", [], [(None, "Jonger dan 18"), ("deny", "Nee, nog niet")])
    assert asked[0] == ("q_age", None)
    assert decision.category == "jeugdwet" and decision.next_step == "gemeente_jeugd"


def test_complaint_questions_follow_the_rules(kb):
    replies = [(None, "Over de zorginstelling"), (None, "18 of ouder"), ("affirm", "Ja"), (None, "Meer dan 6 weken")]
    state = start_state("ik wil klagen", "klacht", 0.9, [])
    asked = []
    for intent, text in replies:
        question = next_question(kb, state)
        entities = [{"entity": "partij", "value": "zorgaanbieder"}] if "zorginstelling" in text else []
        asked.append(question.slot)
        state = apply_answer(state, question, interpret(question, intent, text, entities))
    assert asked == ["q_complaint_target", "q_age", "q_complaint_filed", "q_weeks"]
    assert decide(Triage(kb), state).next_step == "geschilleninstantie"


def test_complaint_about_the_insurer_skips_the_age_question(kb):
    state = start_state("klacht", "klacht", 0.9, [])
    question = next_question(kb, state)
    state = apply_answer(state, question, interpret(question, None, "Over de zorgverzekeraar",
                                                    [{"entity": "partij", "value": "zorgverzekeraar"}]))
    assert next_question(kb, state).slot == "q_complaint_filed"


def test_never_more_than_four_questions(kb):
    state = start_state("hulp thuis", "wmo", 0.9, [])
    count = 0
    while (question := next_question(kb, state)) is not None:
        state = apply_answer(state, question, interpret(question, "deny", "nee", []))
        count += 1
    assert count <= 4


def test_crisis_asks_nothing(kb):
    assert next_question(kb, start_state("ik wil dood", "crisis", 1.0, [])) is None


@pytest.mark.parametrize(("question", "intent", "text", "updates"), [
    (Question("q_age", "age"), None, "hij is zeventien", {"age": 17}),
    (Question("q_age", "age"), None, "82", {"age": 82}),
    (Question("q_age", "age"), None, "Jonger dan 18", {"age": 17}),
    (Question("q_wlz_indication", "wlz_indication"), "affirm", "ja hoor", {"wlz_indication": True}),
    (Question("q_wlz_indication", "wlz_indication"), "deny", "nee", {"wlz_indication": False}),
    (Question("q_tried", "failed", "gemeente"), None, "Ja, maar dat hielp niet", {"failed": "gemeente"}),
    (Question("q_tried", "failed", "gemeente"), None, "ja dat loopt nog", {"contacted": "gemeente"}),
    (Question("q_tried", "failed", "gemeente"), "deny", "Nee, nog niet", {}),
    (Question("q_weeks", "weeks"), None, "al tien weken", {"weeks": 10}),
    (Question("q_weeks", "weeks"), None, "Minder dan 6 weken", {"weeks": 3}),
    (Question("q_rejected", "rejected"), "dont_know", "Weet ik niet", {}),
])
def test_answers(question, intent, text, updates):
    answer = interpret(question, intent, text, [])
    assert answer.understood and answer.updates == updates


def test_gibberish_answer_is_not_understood():
    assert not interpret(Question("q_age", "age"), "out_of_scope", "blauw", []).understood


def test_state_survives_a_slot_round_trip(kb):
    state = start_state("x", "zvw", 0.8, [{"entity": "partij", "value": "zorgverzekeraar"}])
    assert TriageState.from_dict(state.to_dict()) == state
