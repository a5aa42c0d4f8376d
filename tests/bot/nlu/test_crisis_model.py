"""The dedicated crisis classifier: its corpus, its training and its scores."""

from __future__ import annotations

import json

import pytest

from bot.errors import SchemaError
from bot.nlu.crisis_model import CrisisClassifier, LabelledText, normalise, read_corpus, read_corpus_file
from tests.conftest import PROJECT_DIR

CORPUS = PROJECT_DIR / "corpus" / "crisis"


def _small_training_set() -> list[LabelledText]:
    crisis = ["ik wil dood", "ik wil niet meer leven", "hij ademt niet meer", "ze is bewusteloos",
              "ik sta op de brug en wil springen", "mijn vader reageert niet en ademt raar"]
    safe = ["ik zoek thuiszorg voor mijn moeder", "de gemeente zegt nee tegen huishoudelijke hulp",
            "hoe vraag ik een wlz indicatie aan", "ik wil een klacht indienen over de thuiszorg",
            "mijn zoon heeft autisme en zoekt begeleiding", "wat is het nummer van het zorgkantoor"]
    return [LabelledText(t, True) for t in crisis] + [LabelledText(t, False) for t in safe]


def test_normalise_folds_case_accents_and_spaces():
    assert normalise("  Suïcidaal   GEVOEL\n") == "suicidaal gevoel"


def test_trained_classifier_separates_danger_from_care_questions():
    classifier = CrisisClassifier.train(_small_training_set())
    assert classifier.score("ik wil echt dood") > 0.5
    assert classifier.score("ik zoek hulp bij de gemeente voor thuiszorg") < 0.5
    assert classifier.score("   ") == 0.0


def test_training_needs_both_classes():
    with pytest.raises(ValueError, match=r"both crisis and non-crisis"):
        CrisisClassifier.train([LabelledText("ik wil dood", True)])


def test_a_text_labelled_crisis_anywhere_stays_crisis():
    examples = [*_small_training_set(), LabelledText("Ik wil dood", False)]
    classifier = CrisisClassifier.train(examples)
    assert classifier.score("ik wil dood") > 0.5


def test_malformed_corpus_files_are_named(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("nlu:\n- examples: |\n    - zonder intent\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"bad\.yml"):
        read_corpus_file(bad)
    with pytest.raises(SchemaError, match=r"directory not found"):
        read_corpus(tmp_path / "missing")


def test_the_crisis_corpus_has_several_authors_with_both_classes():
    authors = [read_corpus_file(path) for path in sorted(CORPUS.glob("crisis_*.yml"))]
    assert len(authors) >= 5
    for examples in authors:
        assert sum(e.crisis for e in examples) >= 100
        assert sum(not e.crisis for e in examples) >= 80


def _jsonl_texts(path):
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_held_out_messages_are_not_in_any_training_data():
    """No held-out message (intent set or crisis set) is trained on by DIET or the crisis classifier."""
    import yaml

    trained = {normalise(e.text) for e in read_corpus(CORPUS)}
    for path in (PROJECT_DIR / "data" / "nlu").glob("*.yml"):
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            trained |= {normalise(line.strip()[2:]) for line in item.get("examples", "").splitlines()
                        if line.strip().startswith("- ")}
    held_out = [t for path in sorted((PROJECT_DIR / "tests" / "crisis").glob("heldout_messages*.jsonl"))
                for t in _jsonl_texts(path)]
    held_out += _jsonl_texts(PROJECT_DIR / "tests" / "heldout" / "messages.jsonl")
    assert len(held_out) > 300
    # One- and two-word chat ("Goedemiddag", "nee hoor") is written identically by any author.
    assert [t for t in held_out if len(t.split()) > 2 and normalise(t) in trained] == []
