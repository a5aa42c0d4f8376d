"""Warm handover actions: explain, ask consent and contact details, then store the ticket."""

from __future__ import annotations

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
    CHOOSE_METHOD_TEXT,
    DEFAULT_CONTACT_TIME,
    Contact,
    ask_contact_value_text,
    build_draft,
    can_hand_over,
    contact_method_answer,
    contact_value,
    declined_text,
    handover_target,
    is_clear_yes,
    no_help_request_text,
    offer_text,
    receipt_text,
    transcript_from_turns,
    wants_no_name,
    withdraws,
)
from bot.privacy.contact import normalise_name
from bot.render import CRISIS_TEXT
from bot.tickets.service import TicketService

TARGET_SLOT = "handover_target"
REFERENCE_SLOT = "handover_reference"
FORM_SLOTS = ("handover_consent", "contact_method", "contact_value", "contact_name", "contact_time",
              "transcript_consent")
NO_NAME = "-"  # slot value for "no name given" (a slot that is None counts as not answered)
CONSENT_BUTTONS = [{"title": "Ja, stuur mijn vraag door", "payload": "/affirm"},
                   {"title": "Nee, liever niet", "payload": "/deny"}]

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
        if not can_hand_over(decision):
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
        dispatcher.utter_message(text=ask_contact_value_text(tracker.get_slot("contact_method")))
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
        if intent == "deny" or withdraws(text):
            return {"contact_method": None, "handover_consent": False}
        answer = contact_method_answer(text)
        if answer.method is None:
            dispatcher.utter_message(text=CHOOSE_METHOD_TEXT)
        return {"contact_method": answer.method, **({"contact_value": answer.value} if answer.value else {})}

    @answer_to("contact_value")
    def validate_contact_value(self, dispatcher: CollectingDispatcher, intent: str | None, text: str,
                               tracker: Tracker) -> dict[str, Any]:
        """Checked per method; asked again with an example when it is not valid."""
        if withdraws(text):
            return {"contact_value": None, "handover_consent": False}
        try:
            return {"contact_value": contact_value(tracker.get_slot("contact_method"), text)}
        except InvalidContactError as problem:
            dispatcher.utter_message(text=problem.dutch_message)
            return {"contact_value": None}

    @answer_to("contact_name")
    def validate_contact_name(self, dispatcher: CollectingDispatcher, intent: str | None, text: str,
                              tracker: Tracker) -> dict[str, Any]:
        """Optional: "liever geen naam" is a fine answer."""
        if wants_no_name(intent, text):
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
        return {"contact_time": " ".join(text.split()) or DEFAULT_CONTACT_TIME}

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
        route = kb.routes[target or handover_target(None)]
        if decision and decision.get("category") == "crisis":
            dispatcher.utter_message(text=CRISIS_TEXT)
            return []
        if not target or not decision:
            dispatcher.utter_message(text=no_help_request_text(route))
            return []
        if tracker.get_slot("handover_consent") is not True:
            dispatcher.utter_message(text=declined_text(route))
            return [SlotSet(slot, None) for slot in FORM_SLOTS]
        name = tracker.get_slot("contact_name")
        contact = Contact(method=tracker.get_slot("contact_method"), value=tracker.get_slot("contact_value"),
                          name=None if name in (None, NO_NAME) else name, time=tracker.get_slot("contact_time"))
        transcript = transcript_from_turns(conversation_turns(tracker)) if tracker.get_slot("transcript_consent") \
            else None
        draft = build_draft(kb, conversation_id=tracker.sender_id, decision=decision, target=route.id,
                            contact=contact, transcript=transcript)
        receipt = ticket_service().submit(draft)
        payload = {"handover": {"reference": receipt.reference, "target": route.id, "outcome": receipt.outcome}}
        dispatcher.utter_message(text=receipt_text(route, receipt.reference, receipt.outcome), json_message=payload)
        # Data minimisation: the contact details live in the ticket, not in the conversation.
        return [SlotSet(REFERENCE_SLOT, receipt.reference), *(SlotSet(slot, None) for slot in FORM_SLOTS)]
