"""Handover rules: consent, target desk, the summary from facts and the ticket draft."""

from __future__ import annotations

import pytest

from bot.facts import Facts
from bot.handover import (
    Contact,
    build_draft,
    handover_key,
    handover_target,
    is_clear_yes,
    offer_text,
    situation_summary,
    transcript_from_turns,
)
from bot.render import MAX_MESSAGE_CHARS
from bot.tickets.reference import is_well_formed
from bot.triage import Triage


@pytest.mark.parametrize(("intent", "text", "consent"), [
    ("affirm", "ja", True), ("affirm", "Ja graag", True), (None, "ja, stuur maar door", True),
    ("affirm", "/affirm", True), (None, "akkoord", True), (None, "Ja, dat mag", True),
    ("affirm", "ja maar eerst wil ik weten wie het leest", False), (None, "misschien", False),
    ("deny", "nee", False), (None, "ja nee weet niet", False), (None, "liever niet", False),
    (None, "06 12345678", False), ("affirm", "ik twijfel", False), (None, "", False),
])
def test_only_a_clear_yes_is_consent(intent, text, consent):
    assert is_clear_yes(intent, text) is consent


def test_the_target_is_the_knowledge_bases_choice_or_het_juiste_loket():
    assert handover_target({"handover": "vws_unit"}) == "vws_unit"
    assert handover_target({"handover": None, "next_step": "ciz"}) == "juiste_loket"
    assert handover_target(None) == "juiste_loket"


def test_the_offer_names_the_desk_and_the_sourced_reply_time(kb):
    offer = offer_text(kb.routes["juiste_loket"])
    assert "Het Juiste Loket" in offer and "3 werkdagen" in offer and offer.endswith("doorsturen?")
    assert len(offer) <= MAX_MESSAGE_CHARS
    vws = offer_text(kb.routes["vws_unit"])
    assert "geen vaste termijn" in vws and len(vws) <= MAX_MESSAGE_CHARS


def test_summary_comes_from_facts_only(kb):
    facts = Facts(who="ouder", age=84, contacted=["zorgkantoor"], failed=["zorgkantoor"], waiting=True)
    decision = Triage(kb).decide("bla", "wlz", 0.9, facts=facts).to_dict()
    summary = situation_summary(kb, decision, "juiste_loket")
    assert "Het gaat om een ouder van 84 jaar." in summary
    assert "Al geprobeerd zonder resultaat: " in summary and "wachtlijst" in summary
    assert f"(regel {decision['rule']})" in summary and summary.endswith("Doorgestuurd naar: Het Juiste Loket.")


def test_same_conversation_and_decision_give_the_same_key_and_reference(kb):
    decision = Triage(kb).decide("x", "wmo", 0.9).to_dict()
    contact = Contact("email", "a@b.nl")
    one = build_draft(kb, conversation_id="c1", decision=decision, target="juiste_loket", contact=contact,
                      transcript=None)
    again = build_draft(kb, conversation_id="c1", decision=decision, target="juiste_loket", contact=contact,
                        transcript=None)
    other = build_draft(kb, conversation_id="c2", decision=decision, target="juiste_loket", contact=contact,
                        transcript=None)
    assert one.reference == again.reference and one.handover_key == again.handover_key
    assert other.reference != one.reference and is_well_formed(one.reference)
    climbed = {**decision, "route": decision["route"][1:], "rule": decision["rule"]}
    assert handover_key("c1", "juiste_loket", climbed) != one.handover_key


def test_transcript_is_redacted_and_capped():
    turns = [("burger", "bel 0612345678"), ("zorgroute", "Bel 030 789 78 78."), ("burger", "  ")] + \
        [("burger", "x")] * 100
    transcript = transcript_from_turns(turns)
    assert len(transcript) == 60
    assert transcript_from_turns(turns[:2]) == [{"from": "burger", "text": "bel [TELEFOON]"},
                                                {"from": "zorgroute", "text": "Bel 030 789 78 78."}]
