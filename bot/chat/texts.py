"""What the chat endpoint itself says when it cannot let the assistant answer (Dutch, B1)."""

from __future__ import annotations

from bot.handover import DEFAULT_TARGET, desk_details
from bot.knowledge import KnowledgeBase


def unavailable_text(knowledge: KnowledgeBase) -> str:
    """Part of Zorgroute is down or too slow: apologise and give Het Juiste Loket's details."""
    desk = knowledge.routes[DEFAULT_TARGET]
    return (f"Sorry, er ging bij mij iets mis en ik kan u nu niet goed helpen. Probeer het over een paar "
            f"minuten opnieuw. Wilt u niet wachten? Neem dan contact op met {desk.name}.\n{desk_details(desk)}")


def too_fast_text(wait_seconds: int) -> str:
    """The conversation sent more messages than the rate limit allows."""
    wait = "een minuut" if wait_seconds > 30 else f"{wait_seconds} seconden"
    return (f"U stuurt veel berichten snel achter elkaar. Wacht {wait} en stuur uw bericht dan opnieuw. "
            "Uw gesprek blijft bewaard.")


def too_long_text(max_characters: int) -> str:
    """The request body is larger than the chat endpoint accepts."""
    return (f"Uw bericht is te lang. Schrijf het korter (hooguit ongeveer {max_characters} tekens) "
            "of stuur het in delen.")


def bad_request_text() -> str:
    """The request is not a chat message (no JSON object with a sender and a text)."""
    return "Dit bericht kan ik niet lezen. Typ uw vraag opnieuw en stuur hem dan nog een keer."
