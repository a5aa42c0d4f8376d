"""Triage actions: start a help request, answer it, climb the ladder, start over."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import DECISION_SLOT, STATE_SLOT, current_state, latest_parse, show_decision, triage_core
from bot.conversation import decide, next_question, start_state
from bot.triage import top_intent

QUESTION_SLOTS = ("q_age", "q_complaint_target", "q_wlz_indication", "q_tried", "q_rejected",
                  "q_complaint_filed", "q_weeks", "q_wants_support")


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
        if next_question(triage_core().kb, state) is not None:
            dispatcher.utter_message(response="utter_first_questions")
        return [SlotSet(STATE_SLOT, state.to_dict()), *(SlotSet(slot, None) for slot in QUESTION_SLOTS)]


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
        core = triage_core()
        shown = decide(core, state)
        if shown.next_step is None or shown.category == "crisis":
            dispatcher.utter_message(response="utter_nothing_to_escalate")
            return []
        if len(shown.steps) == 1:
            intro = "Dit is de laatste stap die ik ken. Blijf het daar proberen en zeg wat u al gedaan heeft."
            return show_decision(dispatcher, shown, intro)
        state.facts.tried_routes = [*state.facts.tried_routes, shown.next_step]
        escalated = decide(core, state)
        intro = f"Dan slaan we {shown.steps[0].route.name} over."
        return [SlotSet(STATE_SLOT, state.to_dict()), *show_decision(dispatcher, escalated, intro)]


class ActionNewQuestion(Action):
    """"Andere vraag": forget the current help request."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_new_question"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[Any]:
        """Reset the triage slots and ask for the new question."""
        dispatcher.utter_message(response="utter_new_question")
        return [SlotSet(STATE_SLOT, None), SlotSet(DECISION_SLOT, None),
                *(SlotSet(slot, None) for slot in QUESTION_SLOTS)]
