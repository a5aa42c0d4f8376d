"""Ages and durations written in digits and Dutch words."""

from __future__ import annotations

import pytest

from bot.nlu.numbers import find_ages, find_durations_in_weeks, parse_number


@pytest.mark.parametrize(("word", "number"), [("7", 7), ("zeventien", 17), ("eenentwintig", 21),
                                              ("tweeëntachtig", 82), ("honderd", 100), ("veel", None)])
def test_parse_number(word, number):
    assert parse_number(word) == number


@pytest.mark.parametrize(("text", "age"), [
    ("mijn kleinzoon van drie", 3), ("een jongen (13) met autisme", 13), ("mijn 15-jarige dochter", 15),
    ("ik ben zesenzeventig", 76), ("hij is 9 jaar oud", 9), ("wij wachten al 2 jaar", None),
    ("mijn zoon van 4 maanden", None),
])
def test_find_ages(text, age):
    ages = find_ages(text)
    assert (ages[0][0] if ages else None) == age


def test_person_age_wins_over_writer_age():
    assert find_ages("ik ben 45 en mijn zoon van 12 krijgt geen hulp")[0][0] == 12


@pytest.mark.parametrize(("text", "weeks"), [
    ("al vijf weken", 5), ("na drie maanden", 13), ("al een half jaar", 26), ("sinds anderhalf jaar", 78),
    ("twee weken geleden", 2), ("mijn moeder is 80", None),
])
def test_find_durations(text, weeks):
    found = find_durations_in_weeks(text)
    assert (found[0][0] if found else None) == weeks
