"""Fact extraction from Dutch text through the real spaCy pipeline."""

from __future__ import annotations

import pytest

from bot.facts import facts_from_entities
from bot.nlu.extract import extract_entities
from bot.nlu.spacy_components import edit_distance


def facts_of(nlp, kb, text):
    return facts_from_entities(extract_entities(nlp(text.lower()), kb))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bij Menzis zeggen ze dat er nergens plek is voor mijn man", {"contacted": ["zorgverzekeraar"]}),
        ("het zorgkantor heeft niks kunnen regelen voor oma", {"failed": ["zorgkantoor"], "who": "familie"}),
        ("onze dochter van twaalf heeft angstaanvallen", {"age": 12, "who": "kind"}),
        ("ik ben 84 en woon alleen", {"age": 84, "who": "zelf"}),
        ("pa heeft geen wlz-indicatie", {"wlz_indication": False}),
        ("ma heeft sinds vorig jaar een wlz indicatie", {"wlz_indication": True}),
        ("hoe kan ik een wlz-indicatie aanvragen voor mijn vader", {"wlz_indication": False}),
        ("De gemeente heeft de aanvraag voor een rolstoel afgewezen", {"rejected": True, "failed": ["gemeente"]}),
        ("ik heb drie maanden geleden een klacht ingediend bij de thuiszorg",
         {"complaint_filed": True, "weeks": 13, "complaint_target": "zorgaanbieder"}),
        ("We worden van het kastje naar de muur gestuurd", {"sent_around": True}),
        ("Kan er een cliëntondersteuner met mij mee naar de gemeente?", {"wants_support": True}),
        ("de psychiater van mijn broer vertelt ons niks, we worden buitengesloten",
         {"ggz": True, "family_left_out": True}),
        ("wat is het nummer van de skgz", {"desks": ["skgz"]}),
    ],
)
def test_facts_from_text(nlp, kb, text, expected):
    facts = facts_of(nlp, kb, text).to_dict()
    for name, value in expected.items():
        assert facts[name] == value, (name, facts)


def test_failure_links_to_the_party_in_the_same_sentence(nlp, kb):
    facts = facts_of(nlp, kb, "De huisarts verwees ons naar de gemeente. Daar kregen we geen hulp.")
    assert facts.failed == ["gemeente"]
    assert "huisarts" in facts.contacted


def test_failure_in_a_sentence_without_a_party_refers_back(nlp, kb):
    facts = facts_of(nlp, kb, "We hebben het zorgkantoor gebeld. Er is nog steeds niets.")
    assert facts.failed == ["zorgkantoor"]


def test_misspellings_are_normalised_before_matching(nlp, kb):
    doc = nlp("mijn zorgverzekeraa en de gemeende")
    assert [t.norm_ for t in doc if t.norm_ != t.lower_] == ["zorgverzekeraar", "gemeente"]


def test_ordinary_dutch_words_are_not_corrected(nlp):
    doc = nlp("de uren zijn verlaagd en de hulp is verminderd")
    assert all(t.norm_ == t.lower_ for t in doc)


@pytest.mark.parametrize(("a", "b", "distance"), [("gemeente", "gemeende", 1), ("abc", "acb", 1),
                                                  ("verzekeraar", "verzekeraa", 1), ("kat", "hond", 4)])
def test_edit_distance(a, b, distance):
    assert edit_distance(a, b, limit=5) == distance


def test_negated_signal_is_reported_as_known_false(nlp, kb):
    entities = extract_entities(nlp("mijn moeder heeft nog geen wlz-indicatie"), kb)
    assert {"entity": "signaal_niet", "value": "wlz_indication"}.items() <= next(
        e for e in entities if e["entity"] == "signaal_niet").items()
    assert facts_from_entities(entities).wlz_indication is False
