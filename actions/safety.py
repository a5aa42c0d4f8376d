"""``action_crisis``: danger comes first, in any turn."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.render import CRISIS_TEXT


class ActionCrisis(Action):
    """Gives 112 / 113 / huisartsenpost at once, before anything else."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_crisis"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[Any]:
        """Answer with the emergency numbers."""
        dispatcher.utter_message(text=CRISIS_TEXT)
        dispatcher.utter_message(response="utter_after_crisis")
        return []
