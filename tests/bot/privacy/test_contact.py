"""The callback number and e-mail address: normalised when valid, asked again with an example when not."""

from __future__ import annotations

import pytest

from bot.errors import InvalidContactError
from bot.privacy.contact import normalise_email, normalise_name, normalise_phone


@pytest.mark.parametrize(("typed", "normalised"), [
    ("06-12345678", "06 12345678"), ("0612345678", "06 12345678"), ("+31 6 1234 5678", "06 12345678"),
    ("+31 (0)6 12345678", "06 12345678"), ("0031612345678", "06 12345678"), ("030 - 123 45 67", "030 1234567"),
    ("(0294) 123456", "0294 123456"), ("+32 470 12 34 56", "+32470123456"),
])
def test_valid_phone_numbers(typed, normalised):
    assert normalise_phone(typed) == normalised


@pytest.mark.parametrize("typed", ["0612", "06 1234 56789", "bel me maar", "0800-0113", "0900 1234567",
                                   "+1 23", "", "06-1234567a"])
def test_invalid_phone_numbers_get_an_example(typed):
    with pytest.raises(InvalidContactError) as problem:
        normalise_phone(typed)
    assert "Bijvoorbeeld: 06 12345678" in problem.value.dutch_message


@pytest.mark.parametrize(("typed", "normalised"), [("Jan@Voorbeeld.NL", "Jan@voorbeeld.nl"),
                                                   (" a.b+zorg@mail.example.org ", "a.b+zorg@mail.example.org")])
def test_valid_email(typed, normalised):
    assert normalise_email(typed) == normalised


@pytest.mark.parametrize("typed", ["jan@", "jan@voorbeeld", "jan voorbeeld.nl", "a..b@x.nl", "<b>@x.nl",
                                   "x@" + "a" * 250 + ".nl"])
def test_invalid_email_gets_an_example(typed):
    with pytest.raises(InvalidContactError) as problem:
        normalise_email(typed)
    assert "Bijvoorbeeld: naam@voorbeeld.nl" in problem.value.dutch_message


def test_names_are_optional_and_bounded():
    assert normalise_name("   ") is None
    assert normalise_name(" Fatima \u0000 el  Amrani ") == "Fatima el Amrani"
    with pytest.raises(InvalidContactError):
        normalise_name("x" * 81)
