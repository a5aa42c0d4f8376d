"""What the assistant's own buttons send is never taken for a crisis (they are answers to its questions)."""

from __future__ import annotations

import pytest
import yaml

from actions.handover import CONSENT_BUTTONS
from bot.render import FOLLOW_UP_BUTTONS, TRIED_BUTTONS
from tests.conftest import PROJECT_DIR

TYPED_ANSWERS = ["Maakt niet uit", "maakt mij niet uit", "In de ochtend", "na 18 uur", "Liever geen naam",
                 "misschien, eerst even nadenken", "nee hoeft niet", "06-12345678", "jan@voorbeeld.nl",
                 # "weet ik niet" is the form's own way out; greetings open most conversations (none of
                 # these is in the training data in this exact form).
                 "Weet ik eigenlijk niet", "weet ik nu even niet", "geen idee hoor", "ik zou het niet weten",
                 "weet niet precies", "Goedemiddag, ik heb een vraag over zorg", "hoi daar", "hallo, goedemorgen"]


def button_payloads() -> list[str]:
    domain = yaml.safe_load((PROJECT_DIR / "domain.yml").read_text(encoding="utf-8"))
    payloads = [button["payload"] for variants in domain["responses"].values() for variant in variants
                for button in variant.get("buttons", [])]
    payloads += [b["payload"] for b in (*TRIED_BUTTONS, *FOLLOW_UP_BUTTONS, *CONSENT_BUTTONS)]
    return sorted(set(payloads))


def test_there_are_buttons_to_check():
    assert len(button_payloads()) >= 25


@pytest.mark.model
def test_button_payloads_and_typical_answers_are_not_crisis(parser):
    flagged = [text for text in [*button_payloads(), *TYPED_ANSWERS]
               if (parser.parse(text).get("intent") or {}).get("name") == "crisis"]
    assert flagged == []
