"""Plain Dutch: every message fits a phone screen and jargon is explained at first use."""

from __future__ import annotations

import re

import pytest
import yaml

from bot.engine import route
from bot.facts import Facts
from bot.render import MAX_MESSAGE_CHARS, decision_messages, explain_first_use, glossary
from bot.triage import Triage
from tests.bot.test_engine import CASES
from tests.conftest import PROJECT_DIR


def domain_texts() -> list[tuple[str, str]]:
    domain = yaml.safe_load((PROJECT_DIR / "domain.yml").read_text(encoding="utf-8"))
    return [(name, variant["text"]) for name, variants in domain["responses"].items() for variant in variants]


@pytest.mark.parametrize(("name", "text"), domain_texts(), ids=[n for n, _ in domain_texts()])
def test_every_response_fits_a_phone_screen(name, text):
    assert len(text) <= MAX_MESSAGE_CHARS


def _decisions(kb):
    triage = Triage(kb)
    for _, intent, facts, _, _ in CASES:
        data = Facts()
        for key, value in facts.items():
            setattr(data, key, value)
        yield triage.decide("", intent, 0.9, facts=data)


def test_every_answer_card_message_fits_a_phone_screen(kb):
    for decision in _decisions(kb):
        for message in decision_messages(decision):
            assert len(message) <= MAX_MESSAGE_CHARS, (decision.rule, len(message))


def test_abbreviations_are_explained_the_first_time(kb):
    for decision in _decisions(kb):
        text = "\n".join(decision_messages(decision))
        for term, meaning in glossary().items():
            first = re.search(rf"\b{re.escape(term)}\b", text)
            if first:
                assert meaning.lower() in text.lower(), (decision.rule, term)
                assert text.lower().index(meaning.lower()) < first.start() + 80, (decision.rule, term)


def test_explanation_of_a_compound_word():
    assert explain_first_use(["Vraag een Wlz-indicatie aan. De Wlz regelt zorg."]) == [
        "Vraag een Wlz-indicatie (Wlz: Wet langdurige zorg) aan. De Wlz regelt zorg."
    ]


def test_every_rule_routes_somewhere_sensible(kb):
    assert route(kb, "wlz", {**Facts().for_rules("wlz")}).ladder[0] == "ciz"
