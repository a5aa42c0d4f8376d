"""Shared helpers for the actions: one triage core per action-server process, state access."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.conversation import Question, TriageState, next_question
from bot.knowledge import default_knowledge
from bot.render import decision_messages, decision_payload, follow_up_buttons
from bot.triage import Decision, Triage

STATE_SLOT = "triage_state"
DECISION_SLOT = "last_decision"


@lru_cache(maxsize=1)
def triage_core() -> Triage:
    """The triage core, created on first use (never at import time)."""
    return Triage(default_knowledge())


def latest_parse(tracker: Tracker) -> dict[str, Any]:
    """The latest user message as a Rasa parse result."""
    message = tracker.latest_message or {}
    return {
        "text": message.get("text") or "",
        "intent": message.get("intent") or {},
        "intent_ranking": message.get("intent_ranking") or [],
        "entities": message.get("entities") or [],
    }


def entity_values(tracker: Tracker, name: str) -> list[str]:
    """Values of entity ``name`` in the latest message, in order, without repeats."""
    values: dict[str, None] = {}
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == name and entity.get("value") is not None:
            values.setdefault(str(entity["value"]), None)
    return list(values)


def current_state(tracker: Tracker) -> TriageState | None:
    """The help request being triaged, if any."""
    data = tracker.get_slot(STATE_SLOT)
    return TriageState.from_dict(data) if isinstance(data, dict) else None


def open_question(tracker: Tracker) -> tuple[TriageState | None, Question | None]:
    """The help request being triaged and the question it is waiting for (if any)."""
    state = current_state(tracker)
    return state, (next_question(triage_core().kb, state) if state else None)


def show_decision(dispatcher: CollectingDispatcher, decision: Decision, intro: str | None = None) -> list[Any]:
    """Send the answer card (the last message carries the follow-up buttons); remember it."""
    messages = decision_messages(decision)
    if intro:
        messages[0] = f"{intro}\n{messages[0]}"
    for index, text in enumerate(messages):
        last = index == len(messages) - 1
        dispatcher.utter_message(
            text=text,
            json_message=decision_payload(decision) if index == 0 else None,
            buttons=follow_up_buttons(decision) if last and decision.steps and decision.category != "crisis" else None,
        )
    return [SlotSet(DECISION_SLOT, decision.to_dict())]
