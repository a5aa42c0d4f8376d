"""Crisis rules catch danger without a model and leave hard-but-safe situations alone."""

from __future__ import annotations

import re

import pytest

from bot.errors import SchemaError
from bot.safety import CrisisDetector, is_crisis


@pytest.mark.parametrize("text", [
    "ik wil er niet meer zijn, ik heb al pillen gespaard",
    "Mijn opa is net flauwgevallen en is nu bewusteloos",
    "m'n vriend zegt dat hij zichzelf van kant wil maken",
    "Ze ademt bijna niet meer en reageert nergens op",
    "mijn broer is psychotisch en dreigt met een mes",
    "Ik zie het echt niet meer zitten, ik denk aan zelfmoord",
])
def test_crisis_is_recognised(text):
    assert is_crisis(text)


@pytest.mark.parametrize("text", [
    "ik ben zo moe van al het bellen met de gemeente",
    "Mijn moeder heeft dementie en wordt steeds verwarder",
    "sinds zijn beroerte kan mijn man niet meer lopen",
    "we zijn echt op, de wachtlijst duurt al een jaar",
    "Mijn zoon is vorig jaar psychotisch geweest en zoekt nu begeleiding",
])
def test_hard_situations_without_danger_are_not_crisis(text):
    assert not is_crisis(text)


def test_bad_pattern_file_is_reported(tmp_path):
    path = tmp_path / "crisis.yml"
    path.write_text("patterns:\n  kapot:\n    - '(onafgesloten'\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=re.escape("crisis.yml")):
        CrisisDetector.from_file(path)


def _jsonl(path):
    import json

    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_rules_catch_every_crisis_of_the_dev_set_without_false_alarms():
    from tests.conftest import PROJECT_DIR

    rows = _jsonl(PROJECT_DIR / "tests" / "crisis" / "dev_messages.jsonl")
    assert sum(r["crisis"] for r in rows) >= 60 and sum(not r["crisis"] for r in rows) >= 60
    assert [r["text"] for r in rows if r["crisis"] and not is_crisis(r["text"])] == []
    assert [r["text"] for r in rows if not r["crisis"] and is_crisis(r["text"])] == []


def test_rules_raise_no_false_alarm_on_labelled_non_crisis_messages():
    import yaml

    from tests.conftest import PROJECT_DIR

    texts = []
    for path in (PROJECT_DIR / "data" / "nlu").glob("*.yml"):
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            if item["intent"] != "crisis":
                texts += [line.strip()[2:] for line in item["examples"].splitlines() if line.strip()]
    for path in (PROJECT_DIR / "tests" / "dev").glob("*.jsonl"):
        texts += [r["text"] for r in _jsonl(path) if r["intent"] != "crisis"]
    assert len(texts) > 1000
    assert [t for t in texts if is_crisis(t)] == []


def test_rules_or_classifier_decide_a_crisis():
    from bot.safety import crisis_decision

    by_rules = crisis_decision("ik wil niet meer leven", 0.0, 0.5)
    assert by_rules.is_crisis and by_rules.reason == "rules" and by_rules.match is not None
    by_model = crisis_decision("het heeft allemaal geen waarde meer voor me", 0.7, 0.5)
    assert by_model.is_crisis and by_model.reason == "classifier"
    assert not crisis_decision("ik zoek dagbesteding", 0.49, 0.5).is_crisis
    assert not crisis_decision("ik zoek dagbesteding", None, 0.5).is_crisis


def test_the_intent_models_crisis_guess_needs_the_classifiers_support():
    from bot.safety import crisis_decision

    supported = crisis_decision("ik weet het echt niet meer", 0.55, 0.7, intent_says_crisis=True, corroboration=0.5)
    assert supported.is_crisis and supported.reason == "intent_model"
    alone = crisis_decision("misschien, eerst even nadenken", 0.33, 0.7, intent_says_crisis=True, corroboration=0.5)
    assert not alone.is_crisis
    assert crisis_decision("ik wil niet meer leven", 0.0, 0.7, intent_says_crisis=False, corroboration=0.5).is_crisis
