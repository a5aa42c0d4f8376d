"""Shared helpers for the actions: one triage core per action-server process."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rasa_sdk import Tracker

from bot.knowledge import default_knowledge
from bot.triage import Triage


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
