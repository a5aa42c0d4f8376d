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

from bot.errors import InvalidContactError
from bot.facts import Facts
from bot.knowledge import KnowledgeBase, Route
from bot.privacy.contact import EMAIL_EXAMPLE, PHONE_EXAMPLE, normalise_email, normalise_phone
from bot.privacy.redact import redact
from bot.render import contact_lines
from bot.textinput import clean
from bot.tickets.draft import TicketDraft, ladder_of
from bot.tickets.reference import reference_for
from bot.tickets.service import EXISTING, QUEUED

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


_WITHDRAW = re.compile(r"^\s*(stop|laat maar|toch niet|nee,? toch niet|annuleer\w*|ik wil (het )?niet meer)\b", re.I)
_NO_NAME = re.compile(r"^\s*(liever geen( naam)?|geen( naam)?|nee\b.*|niet nodig|-|/deny)\s*[.!]*$", re.I)
_BY_PHONE = re.compile(r"\b(tel\w*|bel\w*|phone|nummer)\b", re.I)
CHOOSE_METHOD_TEXT = "Kies bellen of mailen. U kunt ook meteen uw nummer of e-mailadres typen."
DEFAULT_CONTACT_TIME = "Maakt niet uit"


def withdraws(text: str) -> bool:
    """The citizen stops the handover ("stop", "laat maar", "toch niet")."""
    return _WITHDRAW.match(text) is not None


def wants_no_name(intent: str | None, text: str) -> bool:
    """The answer to "how may we call you?" is: no name."""
    return intent == "deny" or _NO_NAME.match(text) is not None


@dataclass(frozen=True)
class MethodAnswer:
    """An answer to "bellen of mailen?": the method, and the address or number if one was typed."""

    method: str | None
    value: str | None = None


def contact_method_answer(text: str) -> MethodAnswer:
    """Phone or e-mail; a number or address typed straight away counts as both answers."""
    for method, check in (("email", normalise_email), ("telefoon", normalise_phone)):
        try:
            return MethodAnswer(method, check(text))
        except InvalidContactError:
            continue
    if "mail" in text.lower():
        return MethodAnswer("email")
    if _BY_PHONE.search(text):
        return MethodAnswer("telefoon")
    return MethodAnswer(None)


def contact_value(method: str | None, text: str) -> str:
    """The number or address for ``method``, normalised.

    Raises:
        InvalidContactError: not valid; the Dutch message has an example.
    """
    return normalise_email(text) if method == "email" else normalise_phone(text)


def ask_contact_value_text(method: str | None) -> str:
    """The question for the number or the address."""
    if method == "email":
        return f"Wat is uw e-mailadres? {EMAIL_EXAMPLE}"
    return f"Op welk telefoonnummer kunnen we u bellen? {PHONE_EXAMPLE}"


def can_hand_over(decision: Mapping[str, Any] | None) -> bool:
    """A handover needs a help request; a crisis is answered with 112/113, never handed over."""
    return decision is not None and bool(decision) and decision.get("category") != "crisis"


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


def desk_details(route: Route) -> str:
    """The desk's contact details, one per line."""
    return "\n".join(contact_lines(route))


def no_help_request_text(route: Route) -> str:
    """A person was asked for before any help request: nothing to hand over yet."""
    return (f"Vertel mij eerst kort waar u hulp bij zoekt. Dan kan ik uw vraag doorsturen. U kunt ook zelf "
            f"contact opnemen met {route.name}.\n{desk_details(route)}")


def declined_text(route: Route) -> str:
    """No consent: nothing is sent; the desk's own contact details instead."""
    return f"Ik stuur niets door. U kunt zelf contact opnemen met {route.name}.\n{desk_details(route)}"


def receipt_text(route: Route, reference: str, outcome: str) -> str:
    """What the citizen is told after the handover (``outcome``: stored, existing or queued)."""
    if outcome == QUEUED:
        return (f"Uw vraag is bewaard, maar door een storing nog niet aangekomen bij {route.name}. "
                f"Ik stuur hem vanzelf door als de storing voorbij is. Uw referentie is {reference}. "
                f"Hoort u niets? Neem dan zelf contact op en noem uw referentie.\n{desk_details(route)}")
    if outcome == EXISTING:
        return (f"Uw vraag was al doorgestuurd naar {route.name}. Uw referentie is {reference}.\n"
                f"{expected_contact_text(route)}")
    return (f"Uw vraag is doorgestuurd naar {route.name}. Uw referentie is {reference}. "
            f"Noem die als u contact heeft.\n{expected_contact_text(route)}")


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
        "ladder": ladder_of(decision),
    }
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()


def situation_summary(kb: KnowledgeBase, decision: Mapping[str, Any], target: str) -> str:
    """A short Dutch summary built from the facts only (no free text, so nothing personal)."""
    facts = Facts.from_dict(decision.get("facts"))
    category = str(decision.get("category") or "overig")
    parts = [f"Hulpvraag over {CATEGORY_NAMES.get(category, category)}."]
    who = WHO_NAMES.get(facts.who or "")
    if who or facts.age is not None:
        about = who or "iemand"
        parts.append(f"Het gaat om {about}" + (f" van {facts.age} jaar." if facts.age is not None else "."))
    def party_names(ids: Iterable[str]) -> list[str]:
        return [kb.lexicon.parties[p].name if p in kb.lexicon.parties else p for p in ids]

    failed = party_names(facts.failed)
    running = party_names(p for p in facts.contacted if p not in facts.failed)
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
    # What the citizen typed is cleaned first: control characters (NUL) cannot be stored in PostgreSQL text.
    cleaned = ((speaker, clean(text) if speaker == "burger" else text.strip()) for speaker, text in turns if text)
    kept = [(speaker, text) for speaker, text in cleaned if text]
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
    contact_time = redact(clean(contact.time))[:MAX_CONTACT_TIME_CHARS] if contact.time else None
    return TicketDraft(
        handover_key=key,
        reference=reference_for(key),
        target=target,
        category=str(decision.get("category") or "overig"),
        rule=str(decision.get("rule") or "geen"),
        decision=dict(decision),
        summary=situation_summary(kb, decision, target),
        transcript=transcript,
        contact_method=contact.method,
        contact_value=contact.value,
        contact_name=(clean(contact.name) or None) if contact.name else None,
        contact_time=contact_time,
    )
