"""The rules engine: (category + facts) -> route ladder. Pure Python, no Rasa, no I/O.

See the header of ``knowledge/rules.yml`` for the semantics this module implements.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.errors import NoMatchingRuleError
from bot.knowledge import CategoryOverride, Condition, KnowledgeBase, Rule


@dataclass(frozen=True)
class RoutingResult:
    """What the engine decided, before it is dressed up for people."""

    category: str
    rule: Rule
    ladder: tuple[str, ...]
    skipped: tuple[str, ...]
    override: CategoryOverride | None


def holds(condition: Condition, facts: Mapping[str, Any]) -> bool:
    """Whether one condition holds. Unknown ints never match; unknown bools count as false."""
    value = facts.get(condition.fact)
    op, expected = condition.op, condition.value
    if op == "eq":
        if isinstance(expected, bool):
            return bool(value) is expected
        return value == expected
    if op == "in":
        return value in expected
    if op in ("includes", "includes_any"):
        items = set(value or ())
        wanted = expected if isinstance(expected, tuple) else (expected,)
        return bool(items.intersection(wanted))
    if value is None or isinstance(value, bool):
        return False
    return {
        "lt": value < expected,
        "lte": value <= expected,
        "gt": value > expected,
        "gte": value >= expected,
    }[op]


def matches(conditions: tuple[Condition, ...], facts: Mapping[str, Any]) -> bool:
    """Whether all conditions hold (an empty tuple always matches)."""
    return all(holds(condition, facts) for condition in conditions)


def apply_overrides(
    kb: KnowledgeBase, category: str, facts: Mapping[str, Any]
) -> tuple[str, CategoryOverride | None]:
    """Return the category after the first matching override (applied once, never chained)."""
    for override in kb.overrides:
        if category in override.from_categories and matches(override.when, facts):
            return override.to, override
    return category, None


def skip_failed(
    kb: KnowledgeBase, ladder: tuple[str, ...], failed: set[str], tried: frozenset[str] = frozenset()
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Drop rungs already tried without result (failed parties, tried desks); the last rung stays."""
    kept: list[str] = []
    skipped: list[str] = []
    for index, route_id in enumerate(ladder):
        is_last = index == len(ladder) - 1
        if not is_last and (route_id in tried or failed.intersection(kb.routes[route_id].skip_when_failed)):
            skipped.append(route_id)
        else:
            kept.append(route_id)
    return tuple(kept), tuple(skipped)


def route(kb: KnowledgeBase, category: str, facts: Mapping[str, Any]) -> RoutingResult:
    """Decide the route ladder for ``category`` given ``facts``.

    Raises:
        NoMatchingRuleError: only if the knowledge base lacks a default rule, which
            validation prevents.
    """
    category, override = apply_overrides(kb, category, facts)
    for rule in kb.rules_for(category):
        if matches(rule.when, facts):
            ladder, skipped = skip_failed(
                kb, rule.ladder, set(facts.get("failed") or ()), frozenset(facts.get("tried_routes") or ())
            )
            return RoutingResult(category, rule, ladder, skipped, override)
    raise NoMatchingRuleError(f"no rule matches category '{category}'")
