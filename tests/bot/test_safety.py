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
