"""Validation of a loaded knowledge base: references, sources, reachability, conflicts.

Every failure raises a :class:`bot.errors.KnowledgeBaseError` subclass naming file, item and
problem, so a broken ``knowledge/`` stops the process at start-up with a readable message.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from bot.errors import (
    ConflictingRulesError,
    MissingSourceError,
    SchemaError,
    UnknownFactError,
    UnknownRouteError,
    UnreachableRuleError,
)

if TYPE_CHECKING:
    from bot.knowledge import Condition, FactSpec, KnowledgeBase, Rule

_OPS_BY_TYPE = {
    "bool": {"eq"},
    "int": {"eq", "lt", "lte", "gt", "gte"},
    "enum": {"eq", "in"},
    "list": {"includes", "includes_any"},
}


def source_id(citation: str) -> str:
    """The source id part of a citation ``"<id>, <section>"``."""
    return citation.split(",", 1)[0].strip()


def _check_source(kb: KnowledgeBase, citation: str, file: str, item: str) -> None:
    if not citation.strip():
        raise MissingSourceError(file, item, "has no source")
    if source_id(citation) not in kb.sources:
        raise MissingSourceError(
            file, item, f"cites unknown source '{source_id(citation)}' (not in sources.yml)"
        )


def _check_condition(kb: KnowledgeBase, cond: Condition, file: str, item: str) -> None:
    spec = kb.facts.get(cond.fact)
    if spec is None:
        raise UnknownFactError(file, item, f"uses unknown fact '{cond.fact}' (not in facts.yml)")
    if cond.op not in _OPS_BY_TYPE[spec.type]:
        raise SchemaError(file, item, f"operator '{cond.op}' does not fit {spec.type} fact '{cond.fact}'")
    values = cond.value if isinstance(cond.value, tuple) else (cond.value,)
    if cond.op in ("in", "includes_any") and not isinstance(cond.value, tuple):
        raise SchemaError(file, item, f"'{cond.op}' on '{cond.fact}' needs a list")
    for value in values:
        if spec.type == "bool" and not isinstance(value, bool):
            raise SchemaError(file, item, f"'{cond.fact}' is a bool fact; got {value!r}")
        if spec.type == "int" and (isinstance(value, bool) or not isinstance(value, int)):
            raise SchemaError(file, item, f"'{cond.fact}' is an int fact; got {value!r}")
        if spec.type in ("enum", "list") and value not in spec.values:
            raise UnknownFactError(file, item, f"'{value}' is not a known value of fact '{cond.fact}'")


def _allowed(cond: Condition, spec: FactSpec) -> frozenset | tuple[float, float]:
    """What a condition accepts: a value set (bool/enum/list) or an interval (int)."""
    if spec.type == "int":
        lo, hi = -math.inf, math.inf
        n = cond.value
        if cond.op == "eq":
            lo = hi = n
        elif cond.op in ("lt", "lte"):
            hi = n - 1 if cond.op == "lt" else n
        else:
            lo = n + 1 if cond.op == "gt" else n
        return (lo, hi)
    values = cond.value if isinstance(cond.value, tuple) else (cond.value,)
    return frozenset(values)


def condition_implies(a: Condition, b: Condition, spec: FactSpec) -> bool:
    """True when every situation that satisfies ``a`` also satisfies ``b`` (same fact)."""
    if a.fact != b.fact:
        return False
    allowed_a, allowed_b = _allowed(a, spec), _allowed(b, spec)
    if isinstance(allowed_a, tuple) and isinstance(allowed_b, tuple):
        return allowed_b[0] <= allowed_a[0] and allowed_a[1] <= allowed_b[1]
    if isinstance(allowed_a, frozenset) and isinstance(allowed_b, frozenset):
        # For lists, "includes any of A" implies "includes any of B" when A is a subset of B.
        return allowed_a <= allowed_b
    return False


def rule_implies(kb: KnowledgeBase, later: Iterable[Condition], earlier: Iterable[Condition]) -> bool:
    """True when ``later``'s conditions guarantee ``earlier``'s (so ``earlier`` fires first)."""
    later = list(later)
    return all(
        any(condition_implies(cl, ce, kb.facts[ce.fact]) for cl in later) for ce in earlier
    )


def _check_routes(kb: KnowledgeBase) -> None:
    file = "routes.yml"
    for route in kb.routes.values():
        item = f"route '{route.id}'"
        _check_source(kb, route.source, file, item)
        for n, deadline in enumerate(route.deadlines, start=1):
            _check_source(kb, deadline.source, file, f"{item} deadline {n}")
        if route.handover_promise is not None:
            _check_source(kb, route.handover_promise.source, file, f"{item} handover")
        for party in route.skip_when_failed:
            if party not in kb.lexicon.parties:
                raise UnknownFactError(file, item, f"skip_when_failed names unknown party '{party}'")


def _check_lexicon(kb: KnowledgeBase) -> None:
    for name, signal in kb.lexicon.signals.items():
        spec = kb.facts.get(name)
        if spec is None or spec.type != "bool":
            raise UnknownFactError("lexicon.yml", f"signal '{name}'", "must name a bool fact in facts.yml")
        if not signal.terms:
            raise SchemaError("lexicon.yml", f"signal '{name}'", "has no terms")
    for who in kb.lexicon.persons:
        if who not in kb.facts["who"].values:
            raise UnknownFactError("lexicon.yml", f"person '{who}'", "is not a value of fact 'who'")


def _check_rule_refs(kb: KnowledgeBase, rule: Rule) -> None:
    file, item = "rules.yml", f"rule '{rule.id}'"
    _check_source(kb, rule.source, file, item)
    for cond in rule.when:
        _check_condition(kb, cond, file, item)
    for route_id in rule.ladder:
        if route_id not in kb.routes:
            raise UnknownRouteError(file, item, f"ladder names unknown route id '{route_id}'")
    if len(set(rule.ladder)) != len(rule.ladder):
        raise SchemaError(file, item, "ladder lists a route twice")
    if not rule.ladder and rule.categories != ("overig",):
        raise SchemaError(file, item, "ladder is empty; only 'overig' may have no next step")


def _check_reachability(kb: KnowledgeBase) -> None:
    seen: dict[str, Rule] = {}
    for rule in kb.rules:
        if rule.id in seen:
            raise ConflictingRulesError("rules.yml", f"rule '{rule.id}'", "the id is used twice")
        seen[rule.id] = rule
        shadowed_by = {}
        for category in rule.categories:
            for earlier in kb.rules[: rule.position]:
                if category in earlier.categories and rule_implies(kb, rule.when, earlier.when):
                    shadowed_by[category] = earlier
                    break
        if len(shadowed_by) == len(rule.categories):
            earlier = next(iter(shadowed_by.values()))
            same = set(earlier.when) == set(rule.when)
            error = ConflictingRulesError if same and earlier.ladder != rule.ladder else UnreachableRuleError
            raise error(
                "rules.yml", f"rule '{rule.id}'",
                f"can never fire: rule '{earlier.id}' comes first and matches every case it matches",
            )


def _check_defaults(kb: KnowledgeBase) -> None:
    from bot.knowledge import CATEGORIES

    for category in CATEGORIES:
        rules = kb.rules_for(category)
        if not rules or rules[-1].when:
            raise SchemaError(
                "rules.yml", f"category '{category}'",
                "must end with a default rule (when: {}) so every message gets an answer",
            )


def _check_overrides(kb: KnowledgeBase) -> None:
    file = "rules.yml"
    for n, override in enumerate(kb.overrides):
        item = f"category override '{override.id}'"
        _check_source(kb, override.source, file, item)
        if not override.when:
            raise SchemaError(file, item, "needs at least one condition")
        for cond in override.when:
            _check_condition(kb, cond, file, item)
        if override.to in override.from_categories:
            raise SchemaError(file, item, "changes a category into itself")
        for other in kb.overrides[:n]:
            overlap = set(other.from_categories) & set(override.from_categories)
            if overlap and set(other.when) == set(override.when) and other.to != override.to:
                raise ConflictingRulesError(
                    file, item, f"same situation as '{other.id}' but a different category"
                )


def _check_routes_used(kb: KnowledgeBase) -> None:
    used = {route_id for rule in kb.rules for route_id in rule.ladder}
    for route_id in kb.routes:
        if route_id not in used:
            raise UnreachableRuleError("routes.yml", f"route '{route_id}'", "no rule's ladder uses it")


def validate(kb: KnowledgeBase) -> None:
    """Check the whole knowledge base; raise the first problem found."""
    _check_routes(kb)
    _check_lexicon(kb)
    for rule in kb.rules:
        _check_rule_refs(kb, rule)
    _check_reachability(kb)
    _check_defaults(kb)
    _check_overrides(kb)
    _check_routes_used(kb)
