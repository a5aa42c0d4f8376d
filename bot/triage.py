"""The triage core: an NLU parse (intent + entities) -> a decision with a route ladder.

The same :class:`Decision` is what the CLI prints, what the chat shows and what a ticket stores.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.engine import route
from bot.facts import Facts, facts_from_entities
from bot.knowledge import KnowledgeBase, Route
from bot.safety import default_detector

# Help-request intents and the category each one means; every other intent is `overig`.
INTENT_CATEGORY = {
    "wlz": "wlz", "zvw": "zvw", "wmo": "wmo", "jeugdwet": "jeugdwet", "klacht": "klacht",
    "crisis": "crisis", "vastgelopen": "overig",
}
HELP_INTENTS = frozenset(INTENT_CATEGORY)


@dataclass(frozen=True)
class RouteStep:
    """One rung of the ladder, as shown to people."""

    route: Route
    why: str

    def to_dict(self) -> dict[str, Any]:
        """The contract form: id, name, why, contact, source."""
        return {"id": self.route.id, "name": self.route.name, "why": self.why,
                "contact": dict(self.route.contact), "source": self.route.source}


@dataclass(frozen=True)
class Decision:
    """Category, facts, ladder and the rule that decided it."""

    category: str
    confidence: float
    intent: str | None
    facts: Facts
    steps: tuple[RouteStep, ...]
    rule: str
    rule_why: str
    rule_source: str
    skipped: tuple[str, ...] = ()
    override: str | None = None
    override_why: str | None = None
    crisis_by_rule: bool = False

    @property
    def next_step(self) -> str | None:
        """The first rung, or None when the message is out of scope."""
        return self.steps[0].route.id if self.steps else None

    @property
    def handover(self) -> str | None:
        """The handover desk when the first rung accepts a warm handover."""
        return self.next_step if self.steps and self.steps[0].route.handover else None

    def to_dict(self) -> dict[str, Any]:
        """The triage JSON contract of design.md."""
        return {
            "category": self.category,
            "confidence": round(float(self.confidence), 4),
            "intent": self.intent,
            "facts": self.facts.to_dict(),
            "next_step": self.next_step,
            "route": [step.to_dict() for step in self.steps],
            "handover": self.handover,
            "rule": self.rule,
        }


def top_intent(parse: Mapping[str, Any]) -> tuple[str | None, float]:
    """The best real intent of a Rasa parse (``nlu_fallback`` is skipped: staff see the guess)."""
    ranking = list(parse.get("intent_ranking") or [])
    intent = parse.get("intent") or {}
    if intent.get("name") not in (None, "nlu_fallback"):
        return intent.get("name"), float(intent.get("confidence") or 0.0)
    for candidate in ranking:
        if candidate.get("name") not in (None, "nlu_fallback"):
            return candidate.get("name"), float(candidate.get("confidence") or 0.0)
    return None, 0.0


class Triage:
    """Decides routes from NLU output using one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def decide(
        self, text: str, intent: str | None, confidence: float,
        entities: Iterable[Mapping[str, Any]] = (), facts: Facts | None = None,
    ) -> Decision:
        """Route one message. ``facts`` (e.g. from a conversation) wins over ``entities``."""
        facts = facts if facts is not None else facts_from_entities(entities)
        category = INTENT_CATEGORY.get(intent or "", "overig")
        crisis_by_rule = default_detector().match(text) is not None
        if crisis_by_rule and category != "crisis":
            category, confidence = "crisis", 1.0
        result = route(self.kb, category, facts.for_rules(intent))
        steps = tuple(
            RouteStep(self.kb.routes[route_id], result.rule.why if index == 0 else self.kb.routes[route_id].when)
            for index, route_id in enumerate(result.ladder)
        )
        return Decision(
            category=result.category, confidence=confidence, intent=intent, facts=facts, steps=steps,
            rule=result.rule.id, rule_why=result.rule.why, rule_source=result.rule.source,
            skipped=result.skipped,
            override=result.override.id if result.override else None,
            override_why=result.override.why if result.override else None,
            crisis_by_rule=crisis_by_rule,
        )

    def decide_parse(self, parse: Mapping[str, Any], facts: Facts | None = None) -> Decision:
        """Route a Rasa parse result (``{"text", "intent", "intent_ranking", "entities"}``)."""
        intent, confidence = top_intent(parse)
        return self.decide(str(parse.get("text") or ""), intent, confidence,
                           parse.get("entities") or (), facts)
