"""The triage form: ask only what the route depends on, one question at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import STATE_SLOT, open_question, triage_core
from bot.conversation import Answer, apply_answer, interpret
from bot.render import TRIED_BUTTONS

MAX_RETRIES = 1  # after one "not understood", the question counts as "weet ik niet"
_VALIDATE_QUESTION = "validate_q_"

Validator = Callable[[Any, CollectingDispatcher, Tracker, dict[str, Any]], dict[str, Any]]


class ValidateTriageForm(FormValidationAction):
    """Decides the next question from the knowledge base and turns answers into facts.

    Every question slot (``q_*``, listed in knowledge/questions.yml) is validated the same way, so
    rasa-sdk's ``validate_<slot>`` lookups are answered by :meth:`__getattr__` instead of one
    method per slot.
    """

    def name(self) -> str:
        """Validation action of ``triage_form``."""
        return "validate_triage_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[str]:
        """Only the next open question (none: the form is done)."""
        _, question = open_question(tracker)
        return [question.slot] if question else []

    def __getattr__(self, name: str) -> Validator:
        """``validate_q_<fact>``: the validator of that question slot."""
        if not name.startswith(_VALIDATE_QUESTION):
            raise AttributeError(name)
        slot = name.removeprefix("validate_")

        def validate(value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                     domain: dict[str, Any]) -> dict[str, Any]:
            return self._answer(slot, dispatcher, tracker)

        return validate

    def _answer(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        state, question = open_question(tracker)
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


class ActionAskQTried(Action):
    """Asks whether the desk of the first rung was already tried (the desk comes from the rules)."""

    def name(self) -> str:
        """Ask action of slot ``q_tried``."""
        return "action_ask_q_tried"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[Any]:
        """Name the desk and offer the usual answers as buttons."""
        _, question = open_question(tracker)
        parties = triage_core().kb.lexicon.parties
        party = parties[question.party].name if question and question.party else "dit loket"
        dispatcher.utter_message(text=f"Heeft u {party} al om hulp gevraagd?", buttons=list(TRIED_BUTTONS))
        return []
