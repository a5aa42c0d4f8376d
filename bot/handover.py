"""Warm handover: to which desk, what the citizen is told, and the ticket draft (pure logic).

The Rasa actions collect consent and contact details and call these functions; storage is in
:mod:`bot.tickets`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.facts import Facts
from bot.knowledge import KnowledgeBase, Route
from bot.privacy.redact import redact
from bot.tickets.draft import TicketDraft
from bot.tickets.reference import reference_for

DEFAULT_TARGET = "juiste_loket"
MAX_TRANSCRIPT_TURNS = 60
MAX_CONTACT_TIME_CHARS = 64

_YES_WORD = (r"ja|jawel|jazeker|graag|akkoord|prima|goed|oké|oke|ok|okay|doe maar|stuur (het |maar |het maar )?door|"
             r"stuur maar|dat mag|mag( wel)?|zeker|natuurlijk|yes|is goed|dat is goed|dat is prima|hoor")
# One to three yes-words ("ja", "ja graag", "ja, dat mag", "ja hoor, stuur maar door"), nothing else.
_CLEAR_YES = re.compile(rf"^\s*(?:(?:{_YES_WORD})[\s,.!]*){{1,3}}$", re.IGNORECASE)
_HESITATION = re.compile(r"\b(niet|nee|geen|twijfel|weet (ik )?niet|misschien|eerst|liever|maar)\b", re.IGNORECASE)

CATEGORY_NAMES = {
    "wlz": "Wlz (Wet langdurige zorg)", "zvw": "Zvw (Zorgverzekeringswet)", "wmo": "Wmo (hulp van de gemeente)",
    "jeugdwet": "Jeugdwet (hulp voor een kind)", "klacht": "een klacht", "overig": "vastgelopen zorgvraag",
    "crisis": "crisis",
}
WHO_NAMES = {"zelf": "de persoon zelf", "kind": "een kind", "ouder": "een ouder", "partner": "een partner",
             "client": "een cliënt", "familie": "een familielid"}


def is_clear_yes(intent: str | None, text: str) -> bool:
    """Consent counts only when the answer is clearly yes; anything else counts as no."""
    lowered = " ".join(text.lower().split())
    if _CLEAR_YES.match(lowered):
        return True
    return intent == "affirm" and len(lowered.split()) <= 3 and not _HESITATION.search(lowered)


def handover_target(decision: Mapping[str, Any] | None) -> str:
    """The desk a handover goes to: the knowledge base's choice, else Het Juiste Loket.

    Het Juiste Loket has no entry conditions; the VWS unit only takes cases the ladder sends it.
    """
    if decision and decision.get("handover"):
        return str(decision["handover"])
    return DEFAULT_TARGET


def expected_contact_text(route: Route) -> str:
    """What the citizen may expect after the handover, from the knowledge base."""
    if route.handover_promise is not None:
        return route.handover_promise.text
    return "Er is geen vaste termijn bekend waarbinnen dit loket reageert."


def offer_text(route: Route) -> str:
    """The explanation before asking consent (B1 Dutch, fits on a phone screen)."""
    return (
        f"Ik kan uw vraag doorsturen naar {route.name}. Dan hoeft u uw verhaal niet opnieuw te vertellen.\n"
        "Ik stuur mee: het soort vraag, de stappen die ik u heb gegeven, wat u mij vertelde (zonder BSN, "
        "adres of rekeningnummer) en hoe u bereikt wilt worden.\n"
        f"{expected_contact_text(route)}\n"
        "Mag ik uw vraag doorsturen?"
    )


def handover_key(conversation_id: str, target: str, decision: Mapping[str, Any]) -> str:
    """The identity of a handover: the same conversation and triage decision give the same key."""
    identity = {
        "conversation": conversation_id,
        "target": target,
        "category": decision.get("category"),
        "rule": decision.get("rule"),
        "ladder": [step.get("id") for step in decision.get("route") or []],
    }
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()


def situation_summary(kb: KnowledgeBase, decision: Mapping[str, Any], target: str) -> str:
    """A short Dutch summary built from the facts only (no free text, so nothing personal)."""
    facts = Facts(**{k: v for k, v in (decision.get("facts") or {}).items() if k in Facts.__dataclass_fields__})
    category = str(decision.get("category") or "overig")
    parts = [f"Hulpvraag over {CATEGORY_NAMES.get(category, category)}."]
    who = WHO_NAMES.get(facts.who or "")
    if who or facts.age is not None:
        about = who or "iemand"
        parts.append(f"Het gaat om {about}" + (f" van {facts.age} jaar." if facts.age is not None else "."))
    parties = kb.lexicon.parties
    failed = [parties[p].name if p in parties else p for p in facts.failed]
    running = [parties[p].name if p in parties else p for p in facts.contacted if p not in facts.failed]
    if failed:
        parts.append(f"Al geprobeerd zonder resultaat: {', '.join(failed)}.")
    if running:
        parts.append(f"Al contact mee gehad: {', '.join(running)}.")
    tried_routes = [kb.routes[r].name for r in facts.tried_routes if r in kb.routes]
    if tried_routes:
        parts.append(f"Volgens de burger al geprobeerd: {', '.join(tried_routes)}.")
    if facts.weeks is not None:
        parts.append(f"Duur: ongeveer {facts.weeks} weken.")
    markers = [text for flag, text in (
        (facts.wlz_indication, "heeft een Wlz-indicatie"), (facts.rejected, "besluit afgewezen"),
        (facts.complaint_filed, "klacht al ingediend"), (facts.waiting, "staat op een wachtlijst"),
        (facts.sent_around, "van loket naar loket gestuurd"), (facts.safety, "zorgen over veiligheid"),
    ) if flag]
    if markers:
        parts.append(f"Verder: {', '.join(markers)}.")
    ladder = [step.get("name") for step in decision.get("route") or []]
    if ladder:
        parts.append(f"Advies van Zorgroute: {' → '.join(str(name) for name in ladder)} "
                     f"(regel {decision.get('rule')}).")
    parts.append(f"Doorgestuurd naar: {kb.routes[target].name if target in kb.routes else target}.")
    return " ".join(parts)


def transcript_from_turns(turns: Iterable[tuple[str, str]], today: date | None = None) -> list[dict[str, str]]:
    """The conversation as ``[{"from": "burger"|"zorgroute", "text": ...}]``, capped.

    What the citizen typed is redacted; the assistant's own texts (desk numbers) are kept as they are.
    """
    kept = [(speaker, text.strip()) for speaker, text in turns if text and text.strip()]
    return [{"from": speaker, "text": redact(text, today) if speaker == "burger" else text}
            for speaker, text in kept[-MAX_TRANSCRIPT_TURNS:]]


@dataclass(frozen=True)
class Contact:
    """How the citizen wants to be contacted (validated by :mod:`bot.privacy.contact`)."""

    method: str | None
    value: str | None
    name: str | None = None
    time: str | None = None


def build_draft(kb: KnowledgeBase, *, conversation_id: str, decision: Mapping[str, Any], target: str,
                contact: Contact, transcript: list[dict[str, str]] | None) -> TicketDraft:
    """The ticket draft of one handover (free text already redacted by the caller or here)."""
    key = handover_key(conversation_id, target, decision)
    steps = list(decision.get("route") or [])
    sources = sorted({str(step.get("source")) for step in steps if step.get("source")})
    contact_time = redact(contact.time)[:MAX_CONTACT_TIME_CHARS] if contact.time else None
    return TicketDraft(
        handover_key=key,
        reference=reference_for(key),
        target=target,
        category=str(decision.get("category") or "overig"),
        rule=str(decision.get("rule") or "geen"),
        ladder=[str(step.get("id")) for step in steps],
        sources=sources,
        decision=dict(decision),
        facts=dict(decision.get("facts") or {}),
        summary=situation_summary(kb, decision, target),
        transcript=transcript,
        contact_method=contact.method,
        contact_value=contact.value,
        contact_name=contact.name,
        contact_time=contact_time,
    )
