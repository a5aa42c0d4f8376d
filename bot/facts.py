"""The facts about a help request, and how they are derived from NLU entities.

Entity names produced by the NLU (``bot.nlu.extract``) and read here:

=========================  =============================================================
``partij``                 a party the person mentions (contacted), value = party id
``partij_zonder_resultaat`` a party mentioned with a no-result/refusal signal nearby
``persoon``                who needs care (zelf, kind, ouder, partner, client, familie)
``leeftijd``               an age in years
``weken``                  a duration in weeks (waiting, a complaint running)
``signaal``                a bool fact that holds, value = fact name
``signaal_niet``           a bool fact the message denies ("geen indicatie"), value = fact name
``loket``                  a desk the person names, value = route id
=========================  =============================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

# Which complaint target a mentioned party implies (first mentioned party wins).
COMPLAINT_TARGET_OF_PARTY = {
    "zorgverzekeraar": "zorgverzekeraar",
    "zorgkantoor": "zorgkantoor",
    "gemeente": "gemeente",
    "wijkteam": "gemeente",
    "jeugdteam": "jeugdhulp",
    "jeugdhulpaanbieder": "jeugdhulp",
    "ciz": "ciz",
    "zorgaanbieder": "zorgaanbieder",
    "huisarts": "zorgaanbieder",
    "klachtenfunctionaris": "zorgaanbieder",
}

BOOL_FACTS = (
    "no_result", "wlz_indication", "rejected", "objection_filed", "complaint_filed", "ggz",
    "billing", "safety", "wants_support", "sent_around", "waiting", "home_nursing",
    "family_left_out", "problem_behaviour", "structural", "needs_24h_care",
)


@dataclass
class Facts:
    """Everything the routing rules may look at (mirrors ``knowledge/facts.yml``)."""

    who: str | None = None
    age: int | None = None
    contacted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    weeks: int | None = None
    complaint_target: str | None = None
    no_result: bool = False
    wlz_indication: bool = False
    rejected: bool = False
    objection_filed: bool = False
    complaint_filed: bool = False
    ggz: bool = False
    billing: bool = False
    safety: bool = False
    wants_support: bool = False
    sent_around: bool = False
    waiting: bool = False
    home_nursing: bool = False
    family_left_out: bool = False
    problem_behaviour: bool = False
    structural: bool = False
    needs_24h_care: bool = False
    tried_routes: list[str] = field(default_factory=list)
    desks: list[str] = field(default_factory=list)

    def for_rules(self, intent: str | None) -> dict[str, Any]:
        """The mapping the engine evaluates: all facts plus the intent."""
        data = asdict(self)
        data["intent"] = intent
        return data

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready representation (the ``facts`` field of a decision)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Facts:
        """Rebuild facts from :meth:`to_dict` output (unknown keys are ignored)."""
        return cls(**{key: value for key, value in (data or {}).items() if key in cls.__dataclass_fields__})


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        seen.setdefault(value, None)
    return list(seen)


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def facts_from_entities(entities: Iterable[Mapping[str, Any]]) -> Facts:
    """Derive facts from NLU entities (in message order)."""
    by_name: dict[str, list[Any]] = {}
    for entity in entities:
        by_name.setdefault(str(entity.get("entity")), []).append(entity.get("value"))

    signals = set(map(str, by_name.get("signaal", [])))
    contacted = _unique(map(str, by_name.get("partij", [])))
    persons = [str(p) for p in by_name.get("persoon", [])]
    others = [p for p in persons if p != "zelf"]
    ages = [a for a in map(_as_int, by_name.get("leeftijd", [])) if a is not None and 0 <= a <= 120]
    weeks = [w for w in map(_as_int, by_name.get("weken", [])) if w is not None and w >= 0]

    failed = _unique(map(str, by_name.get("partij_zonder_resultaat", [])))
    facts = Facts(
        who=others[0] if others else ("zelf" if persons else None),
        age=ages[0] if ages else None,
        contacted=contacted,
        failed=failed,
        weeks=max(weeks) if weeks else None,
        # A complaint is about the party that failed or refused, else the first party named.
        complaint_target=next(
            (COMPLAINT_TARGET_OF_PARTY[p] for p in [*failed, *contacted] if p in COMPLAINT_TARGET_OF_PARTY), None
        ),
        desks=_unique(map(str, by_name.get("loket", []))),
    )
    for name in BOOL_FACTS:
        setattr(facts, name, name in signals)
    # The zorgkantoor only works for people who already have a Wlz indication.
    facts.wlz_indication = facts.wlz_indication or "zorgkantoor" in contacted
    return facts
