"""``action_explain_invalid_input``: a clear Dutch message for input that cannot be triaged."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import entity_values
from bot.textinput import MESSAGES


class ActionExplainInvalidInput(Action):
    """Explains why the message could not be used (empty, too long, no words, not Dutch)."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_explain_invalid_input"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Utter the Dutch explanation for the problem the NLU guard found."""
        problems = entity_values(tracker, "invalid_input")
        dispatcher.utter_message(text=MESSAGES.get(problems[0] if problems else "", MESSAGES["no_words"]))
        return []
