"""Input that cannot be triaged gets a Dutch explanation; odd but valid input passes cleaned."""

from __future__ import annotations

import pytest

from bot.errors import InvalidInputError
from bot.textinput import MAX_CHARS, check


@pytest.mark.parametrize(("text", "code"), [
    ("", "empty"), ("   \n\t ", "empty"), (None, "empty"), ("x" * (MAX_CHARS + 1), "too_long"),
    ("😢😢😢", "no_words"), ("12345 !!!", "no_words"),
    ("I need help with care for my mother, who can not live alone", "not_dutch"),
    ("Моя мама нуждается в уходе", "not_dutch"), ("<b></b>", "no_words"),
])
def test_untriageable_input(text, code):
    with pytest.raises(InvalidInputError) as caught:
        check(text)
    assert caught.value.problem == code
    assert caught.value.dutch_message  # a Dutch sentence for the citizen


@pytest.mark.parametrize(("text", "cleaned"), [
    ("mijn\x00 moeder\u200b heeft  hulp nodig", "mijn moeder heeft hulp nodig"),
    ("'; DROP TABLE tickets; -- ik zoek zorg", "'; DROP TABLE tickets; -- ik zoek zorg"),
    ("<script>alert(1)</script> hulp thuis", "<script>alert(1)</script> hulp thuis"),
])
def test_odd_input_is_cleaned_not_rejected(text, cleaned):
    assert check(text) == cleaned
