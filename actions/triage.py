"""Triage actions: start a help request, answer it, climb the ladder, start over."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import DECISION_SLOT, STATE_SLOT, current_state, latest_parse, show_decision, triage_core
from bot.conversation import decide, escalate, next_question, question_slots, start_state
from bot.render import LAST_RUNG_TEXT, skipped_text
from bot.triage import top_intent


class ActionStartTriage(Action):
    """Stores the facts of a new help request; the triage form then asks what is missing."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_start_triage"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[Any]:
        """Start a fresh state from the latest message."""
        parse = latest_parse(tracker)
        intent, confidence = top_intent(parse)
        state = start_state(parse["text"], intent, confidence, parse["entities"])
        kb = triage_core().kb
        if next_question(kb, state) is not None:
            dispatcher.utter_message(response="utter_first_questions")
        return [SlotSet(STATE_SLOT, state.to_dict()), *(SlotSet(slot, None) for slot in question_slots(kb))]


class ActionAnswer(Action):
    """Shows the answer card for the current state (after the questions)."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[Any]:
        """Decide and show."""
        state = current_state(tracker)
        if state is None:
            dispatcher.utter_message(response="utter_nothing_to_escalate")
            return []
        return show_decision(dispatcher, decide(triage_core(), state))


class ActionEscalate(Action):
    """"Dat heb ik al geprobeerd": skip the current desk and show the next rung."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_escalate"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[Any]:
        """Mark the shown desk as tried and answer again."""
        state = current_state(tracker)
        if state is None:
            dispatcher.utter_message(response="utter_already_tried")
            return []
        climbed = escalate(triage_core(), state)
        if climbed is None:
            dispatcher.utter_message(response="utter_nothing_to_escalate")
            return []
        if climbed.skipped is None:
            return show_decision(dispatcher, climbed.decision, LAST_RUNG_TEXT)
        shown = show_decision(dispatcher, climbed.decision, skipped_text(climbed.skipped))
        return [SlotSet(STATE_SLOT, climbed.state.to_dict()), *shown]


class ActionNewQuestion(Action):
    """"Andere vraag": forget the current help request."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_new_question"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[Any]:
        """Reset the triage slots and ask for the new question."""
        dispatcher.utter_message(response="utter_new_question")
        return [SlotSet(STATE_SLOT, None), SlotSet(DECISION_SLOT, None),
                *(SlotSet(slot, None) for slot in question_slots(triage_core().kb))]
