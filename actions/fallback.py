"""Two-stage fallback: "Bedoelt u ...?" with the likeliest intents, then Het Juiste Loket."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from bot.render import INTENT_LABELS

SUGGESTIONS = 2


class ActionDefaultAskAffirmation(Action):
    """Asks which of the likeliest intents the citizen meant (buttons), or something else."""

    def name(self) -> str:
        """Replaces Rasa's default affirmation question."""
        return "action_default_ask_affirmation"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[Any]:
        """Offer the top intents that have a Dutch label."""
        ranking = (tracker.latest_message or {}).get("intent_ranking") or []
        names = [r.get("name") for r in ranking if r.get("name") in INTENT_LABELS][:SUGGESTIONS]
        buttons = [{"title": INTENT_LABELS[name], "payload": f"/{name}"} for name in names]
        buttons.append({"title": "Iets anders", "payload": "/out_of_scope"})
        dispatcher.utter_message(text="Ik weet niet zeker of ik u goed begrijp. Bedoelt u:", buttons=buttons)
        return []


class ActionDefaultFallback(Action):
    """After two failed attempts: offer a person at Het Juiste Loket."""

    def name(self) -> str:
        """Replaces Rasa's default fallback."""
        return "action_default_fallback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[Any]:
        """Give the contact details and forget the misunderstood message."""
        dispatcher.utter_message(response="utter_give_up")
        return [UserUtteranceReverted()]
