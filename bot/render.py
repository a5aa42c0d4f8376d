"""Dutch (B1) text for decisions and desks: what the chat says and the CLI prints for staff."""

from __future__ import annotations

from typing import Any

from bot.knowledge import Route
from bot.triage import Decision

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


def render_decision(decision: Decision) -> str:
    """The answer card as plain text: next step, why, what to ask, contact, deadlines, next rung."""
    if decision.category == "crisis":
        return CRISIS_TEXT
    if not decision.steps:
        return OUT_OF_SCOPE_TEXT
    first = decision.steps[0]
    lines = [f"Mijn advies: neem contact op met {first.route.name}."]
    if decision.override_why:
        lines.append(decision.override_why)
    lines.append(f"Waarom? {first.why}")
    lines.append(f"Wat vraagt u daar? {first.route.ask}")
    contact = contact_lines(first.route)
    if contact:
        lines.append("Contact: " + " · ".join(contact))
    for deadline in first.route.deadlines:
        lines.append(f"Goed om te weten: {deadline.text}")
    if len(decision.steps) > 1:
        lines.append(f"Lukt het daar niet? Dan is de volgende stap: {decision.steps[1].route.name}.")
    return "\n".join(lines)


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
