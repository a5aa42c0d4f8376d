"""The triage form: ask only what the route depends on, one question at a time."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import STATE_SLOT, current_state, triage_core
from bot.conversation import Answer, apply_answer, interpret, next_question
from bot.render import TRIED_BUTTONS

MAX_RETRIES = 1  # after one "not understood", the question counts as "weet ik niet"


class ValidateTriageForm(FormValidationAction):
    """Decides the next question from the knowledge base and turns answers into facts."""

    def name(self) -> str:
        """Validation action of ``triage_form``."""
        return "validate_triage_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[str]:
        """Only the next open question (none: the form is done)."""
        state = current_state(tracker)
        question = next_question(triage_core().kb, state) if state else None
        return [question.slot] if question else []

    def _answer(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        state = current_state(tracker)
        question = next_question(triage_core().kb, state) if state else None
        if state is None or question is None or question.slot != slot:
            return {slot: None}
        message = tracker.latest_message or {}
        answer = interpret(question, (message.get("intent") or {}).get("name"), message.get("text") or "",
                           message.get("entities") or [])
        if not answer.understood:
            if state.retries < MAX_RETRIES:
                dispatcher.utter_message(response="utter_answer_not_understood")
                state.retries += 1
                return {slot: None, STATE_SLOT: state.to_dict()}
            answer = Answer(True, {})
        # The question slot is always emptied: progress lives in the state, so the same slot can be
        # asked again for another desk.
        return {slot: None, STATE_SLOT: apply_answer(state, question, answer).to_dict()}

    def validate_q_age(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                       domain: dict[str, Any]) -> dict[str, Any]:
        """Age answer."""
        return self._answer("q_age", dispatcher, tracker)

    def validate_q_complaint_target(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: dict[str, Any]) -> dict[str, Any]:
        """Who the complaint is about."""
        return self._answer("q_complaint_target", dispatcher, tracker)

    def validate_q_wlz_indication(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: dict[str, Any]) -> dict[str, Any]:
        """Whether there is a Wlz indication."""
        return self._answer("q_wlz_indication", dispatcher, tracker)

    def validate_q_tried(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                         domain: dict[str, Any]) -> dict[str, Any]:
        """Whether a desk was already tried, and with what result."""
        return self._answer("q_tried", dispatcher, tracker)

    def validate_q_rejected(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: dict[str, Any]) -> dict[str, Any]:
        """Whether the gemeente refused something."""
        return self._answer("q_rejected", dispatcher, tracker)

    def validate_q_complaint_filed(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: dict[str, Any]) -> dict[str, Any]:
        """Whether the complaint was filed."""
        return self._answer("q_complaint_filed", dispatcher, tracker)

    def validate_q_weeks(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                         domain: dict[str, Any]) -> dict[str, Any]:
        """How long ago the complaint was filed."""
        return self._answer("q_weeks", dispatcher, tracker)

    def validate_q_wants_support(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: dict[str, Any]) -> dict[str, Any]:
        """Whether someone should come along (cliëntondersteuning)."""
        return self._answer("q_wants_support", dispatcher, tracker)


class ActionAskQTried(Action):
    """Asks whether the desk of the first rung was already tried (the desk comes from the rules)."""

    def name(self) -> str:
        """Ask action of slot ``q_tried``."""
        return "action_ask_q_tried"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[Any]:
        """Name the desk and offer the usual answers as buttons."""
        kb = triage_core().kb
        state = current_state(tracker)
        question = next_question(kb, state) if state else None
        party = kb.lexicon.parties[question.party].name if question and question.party else "dit loket"
        dispatcher.utter_message(text=f"Heeft u {party} al om hulp gevraagd?", buttons=list(TRIED_BUTTONS))
        return []
