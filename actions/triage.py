"""``action_triage``: answer a help request with the next step, why, and contact details."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import latest_parse, triage_core
from bot.render import decision_payload, render_decision


class ActionTriage(Action):
    """Runs the triage core on the latest message and shows the answer card."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_triage"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Decide, render and remember the decision for follow-up questions."""
        decision = triage_core().decide_parse(latest_parse(tracker))
        dispatcher.utter_message(text=render_decision(decision), json_message=decision_payload(decision))
        return [SlotSet("last_decision", decision.to_dict())]
