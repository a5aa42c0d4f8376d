"""Ages and durations in Dutch text ("zoon van 14", "ik ben tweeëntachtig", "na tien weken")."""

from __future__ import annotations

import re

_UNITS = ["nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien",
          "elf", "twaalf", "dertien", "veertien", "vijftien", "zestien", "zeventien", "achttien",
          "negentien"]
_TENS = {"twintig": 20, "dertig": 30, "veertig": 40, "vijftig": 50, "zestig": 60, "zeventig": 70,
         "tachtig": 80, "negentig": 90}

NUMBER_WORDS: dict[str, int] = {word: n for n, word in enumerate(_UNITS)} | {"één": 1}
NUMBER_WORDS |= _TENS | {"honderd": 100}
for _unit in range(1, 10):
    for _tens_word, _tens in _TENS.items():
        _joiner = "ën" if _UNITS[_unit].endswith("e") else "en"
        NUMBER_WORDS[f"{_UNITS[_unit]}{_joiner}{_tens_word}"] = _tens + _unit
        NUMBER_WORDS[f"{_UNITS[_unit]}en{_tens_word}"] = _tens + _unit

_WORDS = "|".join(sorted((w for w in NUMBER_WORDS if w not in ("nul", "een", "één")), key=len, reverse=True))
NUM = rf"(?P<num>\d{{1,3}}|{_WORDS})"
_NOT_A_UNIT = r"(?!\s*(?:weken|week|maanden|maand|dagen|dag|keer|uur|euro|procent|%|kilo|kg|km|minuten|jaar\s+geleden))"

# Words for people whose age may follow ("zoon van 14", "oma (91)").
PERSON_WORDS = (
    "zoon|zoontje|dochter|dochtertje|kind|kindje|jongen|meisje|meid|puber|tiener|moeder|vader|opa|oma|"
    "man|vrouw|broer|broertje|zus|zusje|cliënt|client|cliënte|patiënt|patient|kleinzoon|kleindochter|"
    "kleinkind|neef|neefje|nicht|nichtje|pleegkind|pleegzoon|pleegdochter|buurman|buurvrouw|tante|oom|"
    "schoonmoeder|schoonvader|partner|bewoner|mevrouw|meneer|ouder"
)
_MODIFIER = r"(?:bijna\s+|pas\s+|net\s+|ruim\s+)?"
_PERSON_AGE = re.compile(
    rf"\b(?:{PERSON_WORDS})\s*(?:\(\s*|,\s*|van\s+|is\s+|wordt\s+){_MODIFIER}{NUM}\b{_NOT_A_UNIT}"
)
_JARIGE = re.compile(rf"\b{NUM}\s*-?\s*jarige?\b")
_SELF_WORDS = r"(?:ik ben|ik word|hij is|zij is|ze is|hij wordt|zij wordt|ben ik)"
_SELF_AGE = re.compile(rf"\b{_SELF_WORDS}\s+{_MODIFIER}{NUM}\b{_NOT_A_UNIT}")
_YEARS_OLD = re.compile(rf"\b{NUM}\s+jaar\s+oud\b")

_DURATION_NUM = rf"(?P<num>\d{{1,3}}|{_WORDS}|een half|een paar|paar|anderhalf|half|een)"
_UNIT = r"(?P<unit>weken|week|maanden|maand|jaren|jaar|dagen|dag)"
_DURATION_BEFORE = re.compile(
    r"\b(?P<pre>al|na|sinds|ruim|inmiddels|nu|meer dan|langer dan|bijna)\s+"
    r"(?:(?P<more>ruim|meer dan|langer dan)\s+|(?:bijna|zo'n|ongeveer|wel)\s+)?"
    rf"{_DURATION_NUM}\s+{_UNIT}\b"
)
_MORE_THAN = ("ruim", "meer dan", "langer dan")
_DURATION_AFTER = re.compile(
    rf"\b{_DURATION_NUM}\s+{_UNIT}\s+(?:geleden|terug|lang|op de wachtlijst|wachten|gewacht)\b"
)
_WEEKS_PER_UNIT = {"week": 1.0, "weken": 1.0, "dag": 1 / 7, "dagen": 1 / 7, "maand": 4.345, "maanden": 4.345,
                   "jaar": 52.0, "jaren": 52.0}
_FUZZY_NUM = {"een half": 0.5, "half": 0.5, "anderhalf": 1.5, "een paar": 3, "paar": 3, "een": 1}


def parse_number(word: str) -> int | None:
    """A number written as digits or as a Dutch word (1-99, 100), else None."""
    word = word.strip().lower()
    if word.isdecimal():  # not isdigit(): "²" and "①" are digits that int() rejects
        try:
            return int(word)
        except ValueError:  # more digits than int() converts (sys.get_int_max_str_digits)
            return None
    return NUMBER_WORDS.get(word)


def find_ages(text: str) -> list[tuple[int, int, int]]:
    """Ages as (age, start, end); ages tied to a person word come first."""
    text = text.lower()
    found: list[tuple[int, int, int, int]] = []
    for priority, pattern in enumerate((_PERSON_AGE, _JARIGE, _SELF_AGE, _YEARS_OLD)):
        for match in pattern.finditer(text):
            age = parse_number(match.group("num"))
            if age is not None and 0 < age <= 110:
                # the span is the number itself, so it never overlaps the person word before it
                found.append((priority, match.start("num"), age, match.end("num")))
    found.sort()
    seen: set[int] = set()
    ages = []
    for _, start, age, end in found:
        if start not in seen:
            seen.add(start)
            ages.append((age, start, end))
    return ages


def find_durations_in_weeks(text: str) -> list[tuple[int, int, int]]:
    """Durations converted to whole weeks, as (weeks, start, end)."""
    text = text.lower()
    result = []
    for pattern in (_DURATION_BEFORE, _DURATION_AFTER):
        for match in pattern.finditer(text):
            raw = match.group("num")
            amount = _FUZZY_NUM.get(raw) if raw in _FUZZY_NUM else parse_number(raw)
            if amount is None:
                continue
            weeks = round(amount * _WEEKS_PER_UNIT[match.group("unit")])
            groups = match.groupdict()
            if groups.get("pre") in _MORE_THAN or groups.get("more"):
                weeks += 1  # "meer dan 6 weken" is longer than 6 weeks
            result.append((weeks, match.start("num"), match.end("unit")))
    return sorted(set(result), key=lambda item: item[1])
