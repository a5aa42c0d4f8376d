"""``action_contact_details``: "wat is het nummer van ...?" answered from the knowledge base."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import entity_values, triage_core
from bot.render import render_contact

# Desks offered as buttons when the question does not say which desk is meant.
SUGGESTED_DESKS = ("juiste_loket", "ciz", "zorgkantoor", "gemeente_wmo", "skgz", "lmz")
MAX_DESKS_PER_ANSWER = 3


class ActionContactDetails(Action):
    """Shows contact details for the desks named in the message."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_contact_details"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Answer from the knowledge base, or ask which desk is meant."""
        routes = triage_core().kb.routes
        desks = [d for d in entity_values(tracker, "loket") if d in routes][:MAX_DESKS_PER_ANSWER]
        if not desks:
            buttons = [
                {"title": routes[d].name, "payload": "/ask_contact" + json.dumps({"loket": d})}
                for d in SUGGESTED_DESKS
            ]
            dispatcher.utter_message(text="Van welk loket wilt u de contactgegevens?", buttons=buttons)
            return []
        for desk in desks:
            dispatcher.utter_message(text=render_contact(routes[desk]))
        return []
