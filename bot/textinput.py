"""Checks on a citizen's message before it is triaged. Problems get a Dutch explanation."""

from __future__ import annotations

import re
import unicodedata

from bot.errors import InvalidInputError

MAX_CHARS = 3000

# Zero-width and bidirectional control characters carry no meaning here and can hide text.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TAG = re.compile(r"<[^>]{0,200}>")

_ENGLISH = frozenset((
    "the", "and", "my", "is", "are", "i", "you", "need", "help", "with", "to", "of", "for", "what",
    "how", "can", "please", "care", "mother", "father", "who", "where", "because", "not", "it",
    "this", "that", "have", "has",
))
_DUTCH = frozenset((
    "de", "het", "een", "en", "ik", "mijn", "is", "zijn", "niet", "wat", "hoe", "kan", "ze", "hij",
    "we", "wij", "voor", "van", "met", "op", "naar", "heeft", "heb", "er", "die", "dat", "maar",
    "ook", "nog", "al", "moet", "wil", "zorg", "hulp", "gemeente",
))

MESSAGES = {
    "empty": "Uw bericht is leeg. Schrijf in een paar zinnen waar u hulp bij zoekt.",
    "too_long": (
        f"Uw bericht is te lang (meer dan {MAX_CHARS} tekens). "
        "Kunt u het korter vertellen? Een paar zinnen is genoeg: om wie gaat het, wat is er nodig, "
        "en bij wie heeft u al aangeklopt?"
    ),
    "no_words": (
        "Ik zie geen woorden in uw bericht. Schrijf in een paar zinnen waar u hulp bij zoekt, "
        "dan zoek ik uit waar u terecht kunt."
    ),
    "not_dutch": (
        "Ik begrijp alleen Nederlands. Schrijf uw vraag in het Nederlands, dan help ik u graag. "
        "(Sorry, I only understand Dutch.)"
    ),
}


def clean(text: str) -> str:
    """Normalise unicode, drop control and invisible characters, collapse white space."""
    text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFC", text)  # after the removal: "e\u200b\u0301" is "é"
    text = _CONTROL.sub(" ", text)
    return " ".join(text.split())


def _letters(text: str) -> str:
    return "".join(ch for ch in _TAG.sub(" ", text) if ch.isalpha())


def check(text: object) -> str:
    """Return the cleaned message, or raise :class:`InvalidInputError` with a Dutch message."""
    if not isinstance(text, str):
        raise InvalidInputError("empty", MESSAGES["empty"])
    cleaned = clean(text)
    if not cleaned:
        raise InvalidInputError("empty", MESSAGES["empty"])
    if len(cleaned) > MAX_CHARS:
        raise InvalidInputError("too_long", MESSAGES["too_long"])
    letters = _letters(cleaned)
    if len(letters) < 2:
        raise InvalidInputError("no_words", MESSAGES["no_words"])
    latin = sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, ""))
    if latin < len(letters) / 2:
        raise InvalidInputError("not_dutch", MESSAGES["not_dutch"])
    words = re.findall(r"[a-zà-ÿ']+", cleaned.lower())
    english = sum(1 for w in words if w in _ENGLISH)
    dutch = sum(1 for w in words if w in _DUTCH)
    if english >= 3 and english > 2 * dutch:
        raise InvalidInputError("not_dutch", MESSAGES["not_dutch"])
    return cleaned
