"""Multi-turn triage: state between turns, the next question, and what an answer changes.

Pure Python; the Rasa actions only store and forward this state.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.engine import matches, route
from bot.facts import COMPLAINT_TARGET_OF_PARTY, Facts, facts_from_entities
from bot.knowledge import DEFAULT_KNOWLEDGE_DIR, Condition, KnowledgeBase, Route, parse_conditions, read_yaml_document
from bot.nlu.numbers import find_ages, find_durations_in_weeks, parse_number
from bot.triage import INTENT_CATEGORY, Decision, Triage

UNKNOWN = "weet_niet"


@dataclass(frozen=True)
class QuestionSpec:
    """One askable fact (see knowledge/questions.yml)."""

    slot: str
    fact: str
    candidates: tuple[Any, ...]
    ask_if: tuple[Condition, ...]
    simulate_with: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Question:
    """The question to ask now; ``party`` is set for "did you already try this desk?"."""

    slot: str
    fact: str
    party: str | None = None


@dataclass
class TriageState:
    """Everything the conversation knows about the current help request."""

    text: str
    intent: str | None
    confidence: float
    facts: Facts
    known: list[str] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)
    retries: int = 0

    @property
    def category(self) -> str:
        """The category the NLU intent stands for (before overrides)."""
        return INTENT_CATEGORY.get(self.intent or "", "overig")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for a Rasa slot."""
        data = asdict(self)
        data["facts"] = self.facts.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TriageState:
        """Rebuild the state from a slot value (unknown keys are ignored)."""
        facts = Facts.from_dict(data.get("facts"))
        return cls(text=str(data.get("text") or ""), intent=data.get("intent"),
                   confidence=float(data.get("confidence") or 0.0), facts=facts,
                   known=list(data.get("known") or []), asked=list(data.get("asked") or []),
                   retries=int(data.get("retries") or 0))


def known_from_entities(entities: Iterable[Mapping[str, Any]]) -> list[str]:
    """Facts the citizen already told us about (so we never ask them again)."""
    names = {str(e.get("entity")) for e in entities}
    known = {str(e.get("value")) for e in entities if e.get("entity") in ("signaal", "signaal_niet")}
    if "leeftijd" in names:
        known.add("age")
    if "persoon" in names:
        known.add("who")
    if "partij" in names:
        known.update({"contacted", "complaint_target"})
    if "weken" in names:
        known.add("weeks")
    return sorted(known)


def start_state(text: str, intent: str | None, confidence: float,
                entities: Iterable[Mapping[str, Any]]) -> TriageState:
    """The state right after a help request."""
    entities = list(entities)
    return TriageState(text=text, intent=intent, confidence=confidence,
                       facts=facts_from_entities(entities), known=known_from_entities(entities))


@lru_cache(maxsize=4)
def load_questions(directory: Path = DEFAULT_KNOWLEDGE_DIR) -> tuple[int, tuple[QuestionSpec, ...]]:
    """``max_questions`` and the question specs of ``questions.yml``."""
    data = read_yaml_document(directory / "questions.yml", "questions", "max_questions")
    specs = tuple(
        QuestionSpec(slot=q["slot"], fact=q["fact"], candidates=tuple(q.get("candidates") or ()),
                     ask_if=parse_conditions(q.get("ask_if"), "questions.yml", f"question '{q['slot']}'"),
                     simulate_with=tuple((q.get("simulate_with") or {}).items()))
        for q in data["questions"]
    )
    return int(data["max_questions"]), specs


def question_slots(kb: KnowledgeBase) -> tuple[str, ...]:
    """The Rasa slots of all questions the conversation may ask."""
    return tuple(spec.slot for spec in load_questions(kb.directory)[1])


def _next_step(kb: KnowledgeBase, state: TriageState, facts: Facts) -> str | None:
    result = route(kb, state.category, facts.for_rules(state.intent))
    return result.ladder[0] if result.ladder else None


def _first_rung_party(kb: KnowledgeBase, state: TriageState) -> str | None:
    step = _next_step(kb, state, state.facts)
    if step is None:
        return None
    for party in kb.routes[step].skip_when_failed:
        if party not in state.facts.contacted and party not in state.facts.failed:
            return party
    return None


def next_question(kb: KnowledgeBase, state: TriageState) -> Question | None:
    """The next question whose answer can change the next step, or None when we can answer."""
    max_questions, specs = load_questions(kb.directory)
    if state.category == "crisis" or len(state.asked) >= max_questions:
        return None
    rules_facts = state.facts.for_rules(state.intent)
    for spec in specs:
        if spec.fact in state.known or spec.slot in state.asked or not matches(spec.ask_if, rules_facts):
            continue
        if spec.fact == "failed":
            party = _first_rung_party(kb, state)
            if party is not None and f"{spec.slot}:{party}" not in state.asked:
                tried = replace(state.facts, failed=[*state.facts.failed, party])
                if _next_step(kb, state, tried) != _next_step(kb, state, state.facts):
                    return Question(spec.slot, spec.fact, party)
            continue
        base = state.facts
        for name, value in spec.simulate_with:
            base = replace(base, **{name: value})
        outcomes = {_next_step(kb, state, replace(base, **{spec.fact: value})) for value in spec.candidates}
        if len(outcomes) > 1:
            return Question(spec.slot, spec.fact)
    return None


_YES = re.compile(r"^\s*(ja|jawel|jazeker|klopt|zeker|yes|jep|jup)\b")
_NO = re.compile(r"^\s*(nee|neen|nope|niet|nog niet|geen)\b")
_NO_RESULT = re.compile(
    r"(hielp niet|helpt niet|geen resultaat|niks|niets|nergens|mislukt|niet gelukt|zonder resultaat)"
)
_ONGOING = re.compile(r"(loopt nog|nog bezig|zijn bezig|is bezig|wachten nog|wacht nog|zoeken nog|zoekt nog)")
_UNDER_18 = re.compile(r"(jonger dan 18|onder de 18|minderjarig|nog geen 18|tiener|kind)")
_ADULT = re.compile(r"(18 of ouder|ouder dan 18|boven de 18|volwassen|meerderjarig)")
_SHORT = re.compile(r"(minder dan|korter dan|nog geen|binnen) (6|zes) weken")
_LONG = re.compile(r"(meer dan|langer dan|ruim|over de) (6|zes) weken")


@dataclass(frozen=True)
class Answer:
    """How an answer changes the state; ``understood`` False means: ask again."""

    understood: bool
    updates: dict[str, Any] = field(default_factory=dict)


def _bool_answer(fact: str, intent: str | None, text: str, entities: list[Mapping[str, Any]]) -> Answer:
    signals = {e.get("value") for e in entities if e.get("entity") == "signaal"}
    if intent == "affirm" or _YES.search(text) or fact in signals:
        return Answer(True, {fact: True})
    if intent == "deny" or _NO.search(text):
        return Answer(True, {fact: False})
    return Answer(False)


def interpret(question: Question, intent: str | None, text: str,
              entities: Iterable[Mapping[str, Any]]) -> Answer:
    """Turn a reply (button text or free text) into fact updates."""
    entities = list(entities)
    lowered = " ".join(text.lower().split())
    if intent == "dont_know" or re.search(r"\b(weet ik niet|geen idee|weet niet)\b", lowered):
        return Answer(True, {})
    if question.fact == "age":
        ages = find_ages(lowered)
        number = parse_number(lowered.strip(" .!?"))
        if ages or (number is not None and 0 < number < 120):
            return Answer(True, {"age": ages[0][0] if ages else number})
        if _UNDER_18.search(lowered):
            return Answer(True, {"age": 17})
        if _ADULT.search(lowered):
            return Answer(True, {"age": 18})
        return Answer(False)
    if question.fact == "weeks":
        durations = find_durations_in_weeks(lowered)
        number = parse_number(lowered.split(" ")[0]) if lowered else None
        if durations:
            return Answer(True, {"weeks": durations[0][0]})
        if _SHORT.search(lowered):
            return Answer(True, {"weeks": 3})
        if _LONG.search(lowered):
            return Answer(True, {"weeks": 7})
        if number is not None:
            return Answer(True, {"weeks": number})
        return Answer(False)
    if question.fact == "complaint_target":
        parties = [str(e.get("value")) for e in entities if e.get("entity") == "partij"]
        targets = [COMPLAINT_TARGET_OF_PARTY[p] for p in parties if p in COMPLAINT_TARGET_OF_PARTY]
        return Answer(True, {"complaint_target": targets[0]}) if targets else Answer(False)
    if question.fact == "failed" and question.party:
        if _ONGOING.search(lowered):
            return Answer(True, {"contacted": question.party})
        if _NO_RESULT.search(lowered) or "no_result" in {e.get("value") for e in entities}:
            return Answer(True, {"failed": question.party})
        if intent == "already_tried":
            return Answer(True, {"failed": question.party})
        if intent == "deny" or _NO.search(lowered):
            return Answer(True, {})
        return Answer(False)
    return _bool_answer(question.fact, intent, lowered, entities)


def apply_answer(state: TriageState, question: Question, answer: Answer) -> TriageState:
    """The new state after an understood answer (the question counts as asked)."""
    facts = state.facts.to_dict()
    for name, value in answer.updates.items():
        if name in ("failed", "contacted"):
            for key in ("contacted", *(["failed"] if name == "failed" else [])):
                facts[key] = [*facts[key], value] if value not in facts[key] else facts[key]
        else:
            facts[name] = value
    asked_key = f"{question.slot}:{question.party}" if question.party else question.slot
    return replace(state, facts=Facts(**facts), known=sorted({*state.known, question.fact} - {"failed"}),
                   asked=[*state.asked, asked_key], retries=0)


def decide(triage: Triage, state: TriageState) -> Decision:
    """The decision for the current state."""
    return triage.decide(state.text, state.intent, state.confidence, facts=state.facts)


@dataclass(frozen=True)
class Escalation:
    """The answer after "Dat heb ik al geprobeerd".

    ``skipped`` is the desk that was skipped; None when the desk shown was already the last rung
    (the same decision is shown again and the state does not change).
    """

    decision: Decision
    state: TriageState
    skipped: Route | None


def escalate(triage: Triage, state: TriageState) -> Escalation | None:
    """Climb one rung: mark the desk shown now as tried. None when there is no rung to climb."""
    shown = decide(triage, state)
    if shown.next_step is None or shown.category == "crisis":
        return None
    if len(shown.steps) == 1:
        return Escalation(shown, state, None)
    climbed = replace(state, facts=replace(state.facts, tried_routes=[*state.facts.tried_routes, shown.next_step]))
    return Escalation(decide(triage, climbed), climbed, shown.steps[0].route)
