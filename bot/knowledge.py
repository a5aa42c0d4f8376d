"""Load the knowledge base (``knowledge/*.yml``) into typed, immutable objects.

Loading always validates (see :mod:`bot.knowledge_checks`): an invalid knowledge base never
reaches the engine. Errors name the file, the item and the problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.errors import SchemaError

DEFAULT_KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"

CATEGORIES = ("wlz", "zvw", "wmo", "jeugdwet", "klacht", "crisis", "overig")
CONDITION_OPS = ("eq", "in", "lt", "lte", "gt", "gte", "includes", "includes_any")
CONTACT_KEYS = (
    "phone", "phone_note", "alt_phone", "email", "website", "how", "bezwaar_email",
    "ombudsman_phone",
)


@dataclass(frozen=True)
class Deadline:
    """A term that matters at a desk (e.g. Wkkgz: 6 weeks + 4)."""

    text: str
    source: str


@dataclass(frozen=True)
class Route:
    """A desk the assistant can send someone to."""

    id: str
    name: str
    purpose: str
    when: str
    ask: str
    contact: dict[str, str]
    deadlines: tuple[Deadline, ...]
    aliases: tuple[str, ...]
    skip_when_failed: tuple[str, ...]
    handover: bool
    source: str
    # What a citizen may expect after a warm handover to this desk (only for handover desks).
    handover_promise: Deadline | None = None


@dataclass(frozen=True)
class Condition:
    """One condition of a rule: ``fact <op> value``."""

    fact: str
    op: str
    value: Any


@dataclass(frozen=True)
class Rule:
    """(categories + conditions) -> ordered route ladder."""

    id: str
    categories: tuple[str, ...]
    when: tuple[Condition, ...]
    ladder: tuple[str, ...]
    why: str
    source: str
    position: int


@dataclass(frozen=True)
class CategoryOverride:
    """Changes the NLU category when facts say another law applies."""

    id: str
    from_categories: tuple[str, ...]
    when: tuple[Condition, ...]
    to: str
    why: str
    source: str


@dataclass(frozen=True)
class FactSpec:
    """A fact the rules may use."""

    name: str
    type: str
    values: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Party:
    """A party a citizen may already have contacted (zorgverzekeraar, gemeente, ...)."""

    id: str
    name: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Signal:
    """Phrases that make a bool fact true."""

    fact: str
    terms: tuple[str, ...]
    negatable: bool
    blocked_by_next: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lexicon:
    """Terms the Dutch NLU pipeline matches."""

    parties: dict[str, Party]
    persons: dict[str, tuple[str, ...]]
    signals: dict[str, Signal]


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything in ``knowledge/``, validated."""

    routes: dict[str, Route]
    rules: tuple[Rule, ...]
    overrides: tuple[CategoryOverride, ...]
    facts: dict[str, FactSpec]
    lexicon: Lexicon
    sources: dict[str, dict[str, str]]
    directory: Path = field(default=DEFAULT_KNOWLEDGE_DIR)

    def handover_desks(self) -> dict[str, str]:
        """Route id -> name of every desk that accepts a warm handover."""
        return {route.id: route.name for route in self.routes.values() if route.handover}

    def rules_for(self, category: str) -> list[Rule]:
        """Rules that apply to ``category``, in priority order."""
        return [rule for rule in self.rules if category in rule.categories]


def read_yaml_document(path: Path, *required: str) -> dict[str, Any]:
    """Read one knowledge file (once) and check it has the ``required`` top-level keys."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SchemaError(path.name, "file", "does not exist") from exc
    except yaml.YAMLError as exc:
        raise SchemaError(path.name, "file", f"is not valid YAML: {exc}") from exc
    for key in required:
        if not isinstance(data, dict) or key not in data:
            raise SchemaError(path.name, "file", f"needs a top-level '{key}' key")
    return data if isinstance(data, dict) else {}


def read_yaml(path: Path, top_key: str) -> Any:
    """Read one knowledge file and return the mapping under ``top_key``."""
    return read_yaml_document(path, top_key)[top_key]


def _require(data: Any, key: str, file: str, item: str, kind: type = str) -> Any:
    if not isinstance(data, dict) or key not in data:
        raise SchemaError(file, item, f"missing field '{key}'")
    value = data[key]
    if not isinstance(value, kind):
        raise SchemaError(file, item, f"field '{key}' must be {kind.__name__}")
    return value


def _str_tuple(value: Any, file: str, item: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
        raise SchemaError(file, item, f"field '{key}' must be a list of strings")
    return tuple(str(v) for v in value)


def parse_conditions(raw: Any, file: str, item: str) -> tuple[Condition, ...]:
    """Turn a ``when`` mapping into conditions (operators checked, facts checked later)."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise SchemaError(file, item, "'when' must be a mapping of fact: condition")
    conditions = []
    for fact, spec in raw.items():
        if isinstance(spec, dict):
            if len(spec) != 1:
                raise SchemaError(file, item, f"condition on '{fact}' must have exactly one operator")
            op, value = next(iter(spec.items()))
            if op not in CONDITION_OPS:
                raise SchemaError(file, item, f"unknown operator '{op}' on '{fact}'")
        else:
            op, value = "eq", spec
        if isinstance(value, list):
            value = tuple(value)  # conditions are hashable (compared as sets by the checks)
        conditions.append(Condition(str(fact), op, value))
    return tuple(conditions)


def _load_routes(directory: Path) -> dict[str, Route]:
    file = "routes.yml"
    raw = read_yaml(directory / file, "routes")
    routes = {}
    for route_id, data in raw.items():
        item = f"route '{route_id}'"
        contact = data.get("contact") or {} if isinstance(data, dict) else {}
        if not isinstance(contact, dict):
            raise SchemaError(file, item, "field 'contact' must be a mapping")
        for key in contact:
            if key not in CONTACT_KEYS:
                raise SchemaError(file, item, f"unknown contact field '{key}'")
        deadlines = []
        for n, deadline in enumerate(data.get("deadlines") or [], start=1):
            text = _require(deadline, "text", file, f"{item} deadline {n}")
            deadlines.append(Deadline(text, str(deadline.get("source") or "")))
        routes[str(route_id)] = Route(
            id=str(route_id),
            name=_require(data, "name", file, item),
            purpose=_require(data, "for", file, item),
            when=_require(data, "when", file, item),
            ask=_require(data, "ask", file, item),
            contact={str(k): str(v) for k, v in contact.items()},
            deadlines=tuple(deadlines),
            aliases=_str_tuple(data.get("aliases"), file, item, "aliases"),
            skip_when_failed=_str_tuple(data.get("skip_when_failed"), file, item, "skip_when_failed"),
            handover=bool(data.get("handover", False)),
            source=str(data.get("source") or ""),
            handover_promise=_handover_promise(data.get("handover"), file, item),
        )
    return routes


def _handover_promise(value: Any, file: str, item: str) -> Deadline | None:
    if value in (None, False):
        return None
    if not isinstance(value, dict):
        raise SchemaError(file, item, "field 'handover' must be a mapping with 'expected_contact' and 'source'")
    text = _require(value, "expected_contact", file, f"{item} handover")
    return Deadline(text, str(value.get("source") or ""))


def _categories(value: Any, file: str, item: str) -> tuple[str, ...]:
    cats = [value] if isinstance(value, str) else value
    if not isinstance(cats, list) or not cats:
        raise SchemaError(file, item, "field 'category' must be a category or a list of them")
    for cat in cats:
        if cat not in CATEGORIES:
            raise SchemaError(file, item, f"unknown category '{cat}' (known: {', '.join(CATEGORIES)})")
    return tuple(cats)


def _load_rules(directory: Path) -> tuple[tuple[Rule, ...], tuple[CategoryOverride, ...]]:
    file = "rules.yml"
    raw_rules = read_yaml(directory / file, "rules")
    rules = []
    for position, data in enumerate(raw_rules):
        rule_id = _require(data, "id", file, f"rule #{position + 1}")
        item = f"rule '{rule_id}'"
        rules.append(Rule(
            id=rule_id,
            categories=_categories(data.get("category"), file, item),
            when=parse_conditions(data.get("when"), file, item),
            ladder=_str_tuple(_require(data, "ladder", file, item, list), file, item, "ladder"),
            why=_require(data, "why", file, item),
            source=str(data.get("source") or ""),
            position=position,
        ))
    overrides = []
    for n, data in enumerate(read_yaml(directory / file, "category_overrides") or [], start=1):
        override_id = _require(data, "id", file, f"category override #{n}")
        item = f"category override '{override_id}'"
        overrides.append(CategoryOverride(
            id=override_id,
            from_categories=_categories(data.get("from"), file, item),
            when=parse_conditions(data.get("when"), file, item),
            to=_categories(_require(data, "to", file, item), file, item)[0],
            why=_require(data, "why", file, item),
            source=str(data.get("source") or ""),
        ))
    return tuple(rules), tuple(overrides)


def _load_facts(
    directory: Path, party_ids: tuple[str, ...], route_ids: tuple[str, ...]
) -> dict[str, FactSpec]:
    file = "facts.yml"
    facts = {}
    for name, data in read_yaml(directory / file, "facts").items():
        item = f"fact '{name}'"
        fact_type = _require(data, "type", file, item)
        if fact_type not in ("bool", "int", "enum", "list"):
            raise SchemaError(file, item, f"unknown type '{fact_type}'")
        values: tuple[str, ...] = ()
        if fact_type in ("enum", "list"):
            raw_values = data.get("values")
            named = {"parties": party_ids, "routes": route_ids}
            values = (named[raw_values] if isinstance(raw_values, str) and raw_values in named
                      else _str_tuple(raw_values, file, item, "values"))
            if not values:
                raise SchemaError(file, item, f"a {fact_type} fact needs 'values'")
        facts[name] = FactSpec(name, fact_type, values, str(data.get("description", "")))
    return facts


def _load_lexicon(directory: Path) -> Lexicon:
    file = "lexicon.yml"
    parties = {
        pid: Party(pid, _require(d, "name", file, f"party '{pid}'"),
                   _str_tuple(d.get("terms"), file, f"party '{pid}'", "terms"))
        for pid, d in read_yaml(directory / file, "parties").items()
    }
    persons = {
        who: _str_tuple(terms, file, f"person '{who}'", "terms")
        for who, terms in read_yaml(directory / file, "persons").items()
    }
    signals = {
        name: Signal(name, _str_tuple(d.get("terms"), file, f"signal '{name}'", "terms"),
                     bool(d.get("negatable", True)),
                     _str_tuple(d.get("blocked_by_next"), file, f"signal '{name}'", "blocked_by_next"))
        for name, d in read_yaml(directory / file, "signals").items()
    }
    return Lexicon(parties, persons, signals)


def load_knowledge(directory: Path | str = DEFAULT_KNOWLEDGE_DIR) -> KnowledgeBase:
    """Load and validate the knowledge base in ``directory``.

    Raises:
        KnowledgeBaseError: (a subclass naming file, item and problem) when anything is wrong.
    """
    from bot.knowledge_checks import validate  # local import: checks depend on these types

    directory = Path(directory)
    lexicon = _load_lexicon(directory)
    rules, overrides = _load_rules(directory)
    routes = _load_routes(directory)
    kb = KnowledgeBase(
        routes=routes,
        rules=rules,
        overrides=overrides,
        facts=_load_facts(directory, tuple(lexicon.parties), tuple(routes)),
        lexicon=lexicon,
        sources=read_yaml(directory / "sources.yml", "sources"),
        directory=directory,
    )
    validate(kb)
    return kb


@lru_cache(maxsize=4)
def default_knowledge() -> KnowledgeBase:
    """The project's own knowledge base, loaded once per process on first use."""
    return load_knowledge(DEFAULT_KNOWLEDGE_DIR)
