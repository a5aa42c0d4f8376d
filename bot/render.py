"""Dutch (B1) text for decisions and desks: what the chat says and the CLI prints for staff."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from bot.knowledge import DEFAULT_KNOWLEDGE_DIR, Route, read_yaml
from bot.triage import Decision

# A chat message that fits on a phone screen without scrolling (about 12 short lines).
MAX_MESSAGE_CHARS = 600

# Answers to "Heeft u ... al om hulp gevraagd?" (sent as text, so typing them works the same).
TRIED_BUTTONS = (
    {"title": "Ja, maar dat hielp niet", "payload": "Ja, maar dat hielp niet"},
    {"title": "Ja, dat loopt nog", "payload": "Ja, dat loopt nog"},
    {"title": "Nee, nog niet", "payload": "Nee, nog niet"},
    {"title": "Weet ik niet", "payload": "Weet ik niet"},
)

# How an intent is offered in "Bedoelt u ...?" (two-stage fallback).
INTENT_LABELS = {
    "wlz": "Zorg met 24 uur toezicht, zoals een verpleeghuis",
    "zvw": "Zorg of behandeling via de zorgverzekering",
    "wmo": "Hulp thuis via de gemeente",
    "jeugdwet": "Hulp voor een kind of jongere",
    "klacht": "Een klacht over de zorg",
    "vastgelopen": "Ik loop vast en word van loket naar loket gestuurd",
    "crisis": "Er is nu gevaar",
    "ask_contact": "Contactgegevens van een loket",
    "request_human": "Met een mens praten",
    "ask_privacy": "Wat er met mijn gegevens gebeurt",
}

FOLLOW_UP_BUTTONS = (
    {"title": "Dat heb ik al geprobeerd", "payload": "/already_tried"},
    {"title": "Andere vraag", "payload": "/andere_vraag"},
    {"title": "Ik wil met een mens praten", "payload": "/request_human"},
)

def follow_up_buttons(decision: Decision) -> list[dict[str, str]]:
    """The follow-ups under an answer card; a handover desk gets "send my question" instead of "a person"."""
    if decision.handover is None:
        return [dict(button) for button in FOLLOW_UP_BUTTONS]
    return [dict(FOLLOW_UP_BUTTONS[0]), dict(FOLLOW_UP_BUTTONS[1]),
            {"title": f"Stuur mijn vraag door naar {decision.steps[0].route.name}", "payload": "/request_human"}]


# Intros of the answer card after "Dat heb ik al geprobeerd".
LAST_RUNG_TEXT = "Dit is de laatste stap die ik ken. Blijf het daar proberen en zeg wat u al gedaan heeft."


def skipped_text(route: Route) -> str:
    """Intro when a desk the citizen already tried is skipped."""
    return f"Dan slaan we {route.name} over."


CRISIS_TEXT = (
    "Is er nu gevaar voor iemands leven? Bel direct 112.\n"
    "Denkt u aan zelfdoding, of maakt u zich zorgen om iemand? Bel 113 of gratis 0800-0113. "
    "Dag en nacht bereikbaar.\n"
    "Geen levensgevaar, maar wel spoed buiten kantooruren? Bel de huisartsenpost."
)

OUT_OF_SCOPE_TEXT = (
    "Daar kan ik u helaas niet mee helpen. Ik help bij vragen over zorg en ondersteuning: "
    "bijvoorbeeld een plek in een verpleeghuis, hulp thuis, jeugdhulp, een wachtlijst of een klacht "
    "over de zorg. Vertel gerust waar u vastloopt."
)


# How each contact field is introduced (order = display order). Fields come from routes.yml.
CONTACT_LABELS = (
    ("phone", "Telefoon: "),
    ("alt_phone", "Of: "),
    ("phone_note", ""),
    ("email", "E-mail: "),
    ("website", "Website: "),
    ("bezwaar_email", "Bezwaar per e-mail: "),
    ("ombudsman_phone", "Nationale ombudsman: "),
    ("how", ""),
)


def contact_lines(route: Route) -> list[str]:
    """The contact details of a desk, one per line (only what the knowledge base has)."""
    return [f"{label}{route.contact[key]}" for key, label in CONTACT_LABELS if key in route.contact]


def render_contact(route: Route) -> str:
    """Answer to "hoe bereik ik ...?" for one desk."""
    parts = [f"{route.name}", route.purpose, *contact_lines(route)]
    return "\n".join(parts)


@lru_cache(maxsize=1)
def glossary() -> dict[str, str]:
    """Abbreviation -> meaning (knowledge/glossary.yml)."""
    return {str(k): str(v) for k, v in read_yaml(DEFAULT_KNOWLEDGE_DIR / "glossary.yml", "glossary").items()}


def explain_first_use(messages: list[str]) -> list[str]:
    """Explain each abbreviation at its first use across ``messages``.

    "Wlz" becomes "Wlz (Wet langdurige zorg)"; in a compound, "Wlz-indicatie" becomes
    "Wlz-indicatie (Wlz: Wet langdurige zorg)".
    """
    explained: set[str] = set()
    result = []
    for message in messages:
        for term, meaning in glossary().items():
            found = re.search(rf"\b{re.escape(term)}(-[\w]+)?\b(?!\s*\()", message)
            if term in explained or found is None:
                continue
            explained.add(term)
            if meaning.lower() in message.lower():
                continue
            words = found.group(0)
            explanation = f"{words} ({term}: {meaning})" if found.group(1) else f"{words} ({meaning})"
            message = message[: found.start()] + explanation + message[found.end():]
        result.append(message)
    return result


def decision_messages(decision: Decision) -> list[str]:
    """The answer card as chat messages, each short enough for a phone screen."""
    if decision.category == "crisis":
        return [CRISIS_TEXT]
    if not decision.steps:
        return [OUT_OF_SCOPE_TEXT]
    first = decision.steps[0]
    advice = [f"Mijn advies: neem contact op met {first.route.name}."]
    if decision.override_why:
        advice.append(decision.override_why)
    advice += [f"Waarom? {first.why}", f"Wat vraagt u daar? {first.route.ask}"]
    practical = ["Contact:", *contact_lines(first.route)] if first.route.contact else []
    practical += [f"Goed om te weten: {deadline.text}" for deadline in first.route.deadlines]
    messages = ["\n".join(advice)]
    if practical:
        messages.append("\n".join(practical))
    if len(decision.steps) > 1:
        messages.append(f"Lukt het daar niet? Dan is de volgende stap: {decision.steps[1].route.name}.")
    return explain_first_use(messages)


def render_decision(decision: Decision) -> str:
    """The answer card as one plain text (for the CLI)."""
    return "\n".join(decision_messages(decision))


def render_staff(decision: Decision) -> str:
    """Plain-text lookup view for staff: category, facts, ladder, rule and sources."""
    facts = {k: v for k, v in decision.facts.to_dict().items() if v not in (None, False, [], "")}
    lines = [
        f"Categorie: {decision.category} (intent {decision.intent}, zekerheid {decision.confidence:.2f})",
        f"Feiten: {facts if facts else 'geen gevonden'}",
        f"Regel: {decision.rule} — {decision.rule_why}",
        f"Bron van de regel: {decision.rule_source}",
    ]
    if decision.override:
        lines.append(f"Categorie aangepast door: {decision.override}")
    if decision.skipped:
        lines.append(f"Overgeslagen (al geprobeerd): {', '.join(decision.skipped)}")
    lines.append(f"Volgende stap: {decision.next_step or '—'}   Overdracht: {decision.handover or '—'}")
    for number, step in enumerate(decision.steps, start=1):
        lines.append(f"  {number}. {step.route.name} [{step.route.id}] — bron: {step.route.source}")
        for line in contact_lines(step.route):
            lines.append(f"       {line}")
    return "\n".join(lines)


def decision_payload(decision: Decision) -> dict[str, Any]:
    """Custom payload for web front ends: the contract plus deadlines and what to ask."""
    payload = decision.to_dict()
    payload["type"] = "zorgroute_decision"
    for item, step in zip(payload["route"], decision.steps, strict=True):
        item["ask"] = step.route.ask
        item["deadlines"] = [d.text for d in step.route.deadlines]
    return payload
