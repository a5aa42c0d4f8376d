"""Warm handover actions: explain, ask consent and contact details, then store the ticket."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import DECISION_SLOT, current_state, triage_core
from bot.config import Settings
from bot.conversation import decide
from bot.errors import InvalidContactError
from bot.handover import (
    Contact,
    build_draft,
    expected_contact_text,
    handover_target,
    is_clear_yes,
    offer_text,
    transcript_from_turns,
)
from bot.privacy.contact import EMAIL_EXAMPLE, PHONE_EXAMPLE, normalise_email, normalise_name, normalise_phone
from bot.render import CRISIS_TEXT, contact_lines
from bot.tickets.service import EXISTING, QUEUED, TicketService

TARGET_SLOT = "handover_target"
REFERENCE_SLOT = "handover_reference"
FORM_SLOTS = ("handover_consent", "contact_method", "contact_value", "contact_name", "contact_time",
              "transcript_consent")
NO_NAME = "-"
CONSENT_BUTTONS = [{"title": "Ja, stuur mijn vraag door", "payload": "/affirm"},
                   {"title": "Nee, liever niet", "payload": "/deny"}]
_WITHDRAW = re.compile(r"^\s*(stop|laat maar|toch niet|nee,? toch niet|annuleer\w*|ik wil (het )?niet meer)\b", re.I)
_NO_NAME = re.compile(r"^\s*(liever geen( naam)?|geen( naam)?|nee\b.*|niet nodig|-|/deny)\s*[.!]*$", re.I)


Answer = Callable[[Any, CollectingDispatcher, str | None, str, Tracker], dict[str, Any]]
Validator = Callable[[Any, Any, CollectingDispatcher, Tracker, dict[str, Any]], dict[str, Any]]


def answer_to(slot: str) -> Callable[[Answer], Validator]:
    """Turn ``check(self, dispatcher, intent, text, tracker)`` into rasa-sdk's ``validate_<slot>``.

    rasa-sdk also validates slots that ``action_start_handover`` just reset to None; only a reply
    to the question asked (``requested_slot``) is checked, anything else passes through unchanged.
    """

    def wrap(check: Answer) -> Validator:
        def validate(self: Any, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                     domain: dict[str, Any]) -> dict[str, Any]:
            if value is None or tracker.get_slot("requested_slot") != slot:
                return {slot: value}
            message = tracker.latest_message or {}
            return check(self, dispatcher, (message.get("intent") or {}).get("name"), str(message.get("text") or ""),
                         tracker)

        validate.__doc__ = check.__doc__
        return validate

    return wrap


@lru_cache(maxsize=1)
def ticket_service() -> TicketService:
    """The ticket service of this action-server process (created on first use)."""
    return TicketService.from_settings(Settings.from_env())


class ActionStartHandover(Action):
    """Fixes the decision and the target desk of the handover and clears earlier answers."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_start_handover"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[Any]:
        """Decide from the current help request (if any)."""
        decision = tracker.get_slot(DECISION_SLOT)
        state = current_state(tracker)
        if state is not None:
            decision = decide(triage_core(), state).to_dict()
        events: list[Any] = [SlotSet(slot, None) for slot in FORM_SLOTS]
        if not decision or decision.get("category") == "crisis":
            return [*events, SlotSet(TARGET_SLOT, None)]
        return [*events, SlotSet(DECISION_SLOT, decision), SlotSet(TARGET_SLOT, handover_target(decision))]


class ActionAskHandoverConsent(Action):
    """Explains what happens with the case and asks explicit consent."""

    def name(self) -> str:
        """Ask action of slot ``handover_consent``."""
        return "action_ask_handover_consent"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[Any]:
        """Show the offer with yes/no buttons."""
        route = triage_core().kb.routes[tracker.get_slot(TARGET_SLOT)]
        dispatcher.utter_message(text=offer_text(route), buttons=CONSENT_BUTTONS)
        return []


class ActionAskContactValue(Action):
    """Asks the phone number or the e-mail address, with an example."""

    def name(self) -> str:
        """Ask action of slot ``contact_value``."""
        return "action_ask_contact_value"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[Any]:
        """Ask for what the chosen method needs."""
        if tracker.get_slot("contact_method") == "email":
            dispatcher.utter_message(text=f"Wat is uw e-mailadres? {EMAIL_EXAMPLE}")
        else:
            dispatcher.utter_message(text=f"Op welk telefoonnummer kunnen we u bellen? {PHONE_EXAMPLE}")
        return []


class ValidateHandoverForm(FormValidationAction):
    """Consent first; without a clear yes nothing else is asked."""

    def name(self) -> str:
        """Validation action of ``handover_form``."""
        return "validate_handover_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: dict[str, Any]) -> list[str]:
        """Nothing to ask without a target or after a no."""
        if not tracker.get_slot(TARGET_SLOT) or tracker.get_slot("handover_consent") is False:
            return []
        return list(FORM_SLOTS)

    @answer_to("handover_consent")
    def validate_handover_consent(self, dispatcher: CollectingDispatcher, intent: str | None, text: str,
                                  tracker: Tracker) -> dict[str, Any]:
        """Only a clear yes is consent."""
        return {"handover_consent": is_clear_yes(intent, text)}

    @answer_to("contact_method")
    def validate_contact_method(self, dispatcher: CollectingDispatcher, intent: str | None, text: str,
                                tracker: Tracker) -> dict[str, Any]:
        """Phone or e-mail; a number or address typed straight away is taken as well."""
        if intent == "deny" or _WITHDRAW.match(text):
            return {"contact_method": None, "handover_consent": False}
        for method, check in (("email", normalise_email), ("telefoon", normalise_phone)):
            try:
                return {"contact_method": method, "contact_value": check(text)}
            except InvalidContactError:
                continue
        lowered = text.lower()
        if "mail" in lowered:
            return {"contact_method": "email"}
        if re.search(r"\b(tel\w*|bel\w*|phone|nummer)\b", lowered):
            return {"contact_method": "telefoon"}
        dispatcher.utter_message(text="Kies bellen of mailen. U kunt ook meteen uw nummer of e-mailadres typen.")
        return {"contact_method": None}

    @answer_to("contact_value")
    def validate_contact_value(self, dispatcher: CollectingDispatcher, intent: str | None, text: str,
                               tracker: Tracker) -> dict[str, Any]:
        """Checked per method; asked again with an example when it is not valid."""
        if _WITHDRAW.match(text):
            return {"contact_value": None, "handover_consent": False}
        check = normalise_email if tracker.get_slot("contact_method") == "email" else normalise_phone
        try:
            return {"contact_value": check(text)}
        except InvalidContactError as problem:
            dispatcher.utter_message(text=problem.dutch_message)
            return {"contact_value": None}

    @answer_to("contact_name")
    def validate_contact_name(self, dispatcher: CollectingDispatcher, intent: str | None, text: str,
                              tracker: Tracker) -> dict[str, Any]:
        """Optional: "liever geen naam" is a fine answer."""
        if intent == "deny" or _NO_NAME.match(text):
            return {"contact_name": NO_NAME}
        try:
            return {"contact_name": normalise_name(text) or NO_NAME}
        except InvalidContactError as problem:
            dispatcher.utter_message(text=problem.dutch_message)
            return {"contact_name": None}

    @answer_to("contact_time")
    def validate_contact_time(self, dispatcher: CollectingDispatcher, intent: str | None, text: str,
                              tracker: Tracker) -> dict[str, Any]:
        """Any short answer ("in de ochtend", "na 18 uur")."""
        return {"contact_time": " ".join(text.split()) or "Maakt niet uit"}

    @answer_to("transcript_consent")
    def validate_transcript_consent(self, dispatcher: CollectingDispatcher, intent: str | None, text: str,
                                    tracker: Tracker) -> dict[str, Any]:
        """Only a clear yes allows sending the conversation."""
        return {"transcript_consent": is_clear_yes(intent, text)}


def conversation_turns(tracker: Tracker) -> list[tuple[str, str]]:
    """User and bot texts before the handover started (button payloads left out)."""
    turns: list[tuple[str, str]] = []
    collected: list[tuple[str, str]] = []
    for event in tracker.events:
        if event.get("event") == "action" and event.get("name") == "action_start_handover":
            collected = list(turns)
        text = event.get("text")
        if not isinstance(text, str) or not text.strip() or text.startswith("/"):
            continue
        if event.get("event") == "user":
            turns.append(("burger", text))
        elif event.get("event") == "bot":
            turns.append(("zorgroute", text))
    return collected


class ActionFinishHandover(Action):
    """Stores the ticket after consent, or gives the desk's contact details without it."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_finish_handover"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[Any]:
        """Create the ticket (idempotent) and tell the citizen the reference and what happens next."""
        kb = triage_core().kb
        target = tracker.get_slot(TARGET_SLOT)
        decision = tracker.get_slot(DECISION_SLOT)
        route = kb.routes[target or "juiste_loket"]
        details = "\n".join(contact_lines(route))
        if decision and decision.get("category") == "crisis":
            dispatcher.utter_message(text=CRISIS_TEXT)
            return []
        if not target or not decision:
            dispatcher.utter_message(text="Vertel mij eerst kort waar u hulp bij zoekt. Dan kan ik uw vraag "
                                          f"doorsturen. U kunt ook zelf contact opnemen met {route.name}.\n{details}")
            return []
        if tracker.get_slot("handover_consent") is not True:
            dispatcher.utter_message(text=f"Ik stuur niets door. U kunt zelf contact opnemen met {route.name}.\n"
                                          f"{details}")
            return [SlotSet(slot, None) for slot in FORM_SLOTS]
        name = tracker.get_slot("contact_name")
        contact = Contact(method=tracker.get_slot("contact_method"), value=tracker.get_slot("contact_value"),
                          name=None if name in (None, NO_NAME) else name, time=tracker.get_slot("contact_time"))
        transcript = transcript_from_turns(conversation_turns(tracker)) if tracker.get_slot("transcript_consent") \
            else None
        draft = build_draft(kb, conversation_id=tracker.sender_id, decision=decision, target=route.id,
                            contact=contact, transcript=transcript)
        receipt = ticket_service().submit(draft)
        if receipt.outcome == QUEUED:
            text = (f"Uw vraag is bewaard, maar door een storing nog niet aangekomen bij {route.name}. "
                    f"Ik stuur hem vanzelf door als de storing voorbij is. Uw referentie is {receipt.reference}. "
                    f"Hoort u niets? Neem dan zelf contact op en noem uw referentie.\n{details}")
        elif receipt.outcome == EXISTING:
            text = (f"Uw vraag was al doorgestuurd naar {route.name}. Uw referentie is {receipt.reference}.\n"
                    f"{expected_contact_text(route)}")
        else:
            text = (f"Uw vraag is doorgestuurd naar {route.name}. Uw referentie is {receipt.reference}. "
                    f"Noem die als u contact heeft.\n{expected_contact_text(route)}")
        dispatcher.utter_message(text=text, json_message={"handover": {"reference": receipt.reference,
                                                                       "target": route.id,
                                                                       "outcome": receipt.outcome}})
        # Data minimisation: the contact details live in the ticket, not in the conversation.
        return [SlotSet(REFERENCE_SLOT, receipt.reference), *(SlotSet(slot, None) for slot in FORM_SLOTS)]
