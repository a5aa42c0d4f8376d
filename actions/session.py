"""``action_session_start``: the first bot message is the privacy notice."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted
from rasa_sdk.executor import CollectingDispatcher


class ActionSessionStart(Action):
    """Starts a session (no slots carried over) and says what happens with what is typed."""

    def name(self) -> str:
        """Overrides Rasa's default session start."""
        return "action_session_start"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[Any]:
        """Privacy notice first, then listen."""
        dispatcher.utter_message(response="utter_privacy_notice")
        return [SessionStarted(), ActionExecuted("action_listen")]
