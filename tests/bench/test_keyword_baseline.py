"""The keyword/regex baseline of the quality benchmark: valid Rasa-shaped output, obvious cases right."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.keyword_baseline import FALLBACK_INTENT, KeywordClassifier, ages
from bot.knowledge import KnowledgeBase
from bot.triage import INTENT_CATEGORY, Triage

PROJECT_DIR = Path(__file__).resolve().parents[2]
DOMAIN_INTENTS = set(yaml.safe_load((PROJECT_DIR / "domain.yml").read_text(encoding="utf-8"))["intents"])
CATEGORIES = {"wlz", "zvw", "wmo", "jeugdwet", "klacht", "crisis", "overig"}

classifier = KeywordClassifier()


def intent_of(text: str) -> str:
    return classifier.parse(text)["intent"]["name"]


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=400))
def test_any_text_gets_a_domain_intent_and_a_rasa_shaped_parse(text: str) -> None:
    parse = classifier.parse(text)
    assert parse["text"] == text
    assert parse["intent"]["name"] in DOMAIN_INTENTS
    assert 0.0 <= parse["intent"]["confidence"] <= 1.0
    assert parse["intent_ranking"][0] == parse["intent"]
    confidences = [item["confidence"] for item in parse["intent_ranking"]]
    assert confidences == sorted(confidences, reverse=True)
    assert parse["entities"] == []


@pytest.mark.parametrize("text", ["", "   ", "xyzzy plugh", "🙂🙂", "1234"])
def test_no_evidence_falls_back_without_a_care_category(text: str) -> None:
    parse = classifier.parse(text)
    assert parse["intent"]["name"] in {FALLBACK_INTENT, "inform"}
    assert INTENT_CATEGORY.get(parse["intent"]["name"], "overig") == "overig"


@pytest.mark.parametrize(("text", "intent"), [
    ("mijn moeder heeft dementie en moet naar een verpleeghuis, hoe vraag ik een indicatie aan bij het ciz", "wlz"),
    ("ik sta al acht maanden op de wachtlijst voor een psycholoog, kan mijn zorgverzekeraar helpen", "zvw"),
    ("mijn vader komt uit het ziekenhuis en heeft wijkverpleging nodig voor zijn wond", "zvw"),
    ("ik wil een traplift aanvragen bij de gemeente", "wmo"),
    ("de gemeente heeft mijn huishoudelijke hulp gestopt", "wmo"),
    ("mijn zoon van 12 heeft adhd en het jeugdteam kan niets voor ons doen", "jeugdwet"),
    ("ik ben 15 en thuis gaat het helemaal mis", "jeugdwet"),
    ("ik wil een klacht indienen over de thuiszorg, ze komen steeds te laat", "klacht"),
    ("de medewerker van het zorgkantoor was heel onbeschoft tegen mij", "klacht"),
    ("we worden van het kastje naar de muur gestuurd, niemand voelt zich verantwoordelijk", "vastgelopen"),
    ("hallo", "greet"),
    ("dank je wel", "thanks"),
    ("doei", "goodbye"),
    ("nee hoor", "deny"),
    ("ben jij een robot?", "bot_challenge"),
    ("ik wil een echte medewerker spreken", "request_human"),
    ("wat is het telefoonnummer van het ciz", "ask_contact"),
    ("wat gebeurt er met mijn gegevens", "ask_privacy"),
    ("hoe laat gaat het zwembad open", "out_of_scope"),
])
def test_obvious_messages_get_the_obvious_intent(text: str, intent: str) -> None:
    assert intent_of(text) == intent


@pytest.mark.parametrize("text", [
    "ik wil niet meer leven",
    "ik denk de hele dag aan zelfmoord",
    "mijn vader ligt op de grond en ademt niet meer",
    "ik heb net al mijn pillen ingenomen",
    "mijn zoon van 15 zegt dat hij er vanavond een einde aan maakt",
    "mijn man bedreigt me met een mes",
])
def test_crisis_words_give_crisis(text: str) -> None:
    assert intent_of(text) == "crisis"


def test_a_greeting_in_front_of_a_care_question_is_not_small_talk() -> None:
    assert intent_of("hallo, mijn vader heeft alzheimer en kan echt niet meer alleen thuis wonen, "
                     "hij heeft dag en nacht toezicht nodig") == "wlz"


def test_ages_are_found_and_waiting_times_are_not() -> None:
    assert ages("mijn zoon van 14 en mijn dochter (9)") == [14, 9]
    assert ages("ik ben vijftien") == [15]
    assert ages("de wachtlijst is 2 jaar") == []
    assert ages("uren verlaagd van 4 naar 2 per week") == []


def test_the_triage_core_accepts_the_parse_and_entities_pass_through(kb: KnowledgeBase) -> None:
    entities = [{"entity": "leeftijd", "value": "12", "start": 12, "end": 14,
                 "confidence_entity": 1.0, "extractor": "test"}]
    parse = classifier.parse("mijn zoon is 12 en heeft hulp nodig bij het wmo loket", entities)
    assert parse["entities"] == entities
    decision = Triage(kb).decide_parse(parse)
    assert decision.category in CATEGORIES
    assert decision.intent == parse["intent"]["name"]
