"""Redact personal data from free text before it is stored (AVG data minimisation).

Detection runs on spaCy's Dutch tokenizer: candidate spans come from a spaCy ``Matcher`` (e-mail
tokens, written dates, "ik heet ...") and from patterns over the text, always widened to whole
tokens, and are then checked (BSN elfproef, IBAN mod-97, date in the past, birth words nearby).
What is found is replaced by a Dutch label such as ``[BSN]``. Names are only found where the
text introduces them ("ik heet", "mijn naam is", "meneer ..."): there is no Dutch named-entity
model offline, so the chat asks people not to type names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

LABELS = {
    "bsn": "[BSN]",
    "iban": "[IBAN]",
    "email": "[E-MAIL]",
    "phone": "[TELEFOON]",
    "birthdate": "[GEBOORTEDATUM]",
    "address": "[ADRES]",
    "name": "[NAAM]",
}

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
          "oktober", "november", "december", "jan", "feb", "mrt", "apr", "jun", "jul", "aug", "sep",
          "sept", "okt", "nov", "dec")
# A written date this many years back or more is treated as a date of birth even without a birth word.
BIRTHDATE_MIN_YEARS_AGO = 15
# A birth word ("geboren", "geb.", "geboortedatum") counts when it ends at most this many characters before a date.
BIRTH_WORD_WINDOW = 20

_SEP = r"[ .\-]?"
_PATTERNS: dict[str, re.Pattern[str]] = {
    # The e-mail tokens of the Matcher miss addresses the tokenizer splits ("jan@voorbeeld.NL").
    "email": re.compile(r"(?<![\w.%+\-])[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[^\W\d_]{2,24}(?![\w\-])"),
    "iban": re.compile(
        r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?(?![A-Za-z0-9])"
    ),
    "phone": re.compile(
        r"(?<![\w+])(?:(?:\+|00)\d{2}[ \-]?(?:\(0\)[ \-]?)?\d(?:[ \-.]?\d){7,10}"
        r"|\(0\d{1,3}\)[ \-]?\d(?:[ \-.]?\d){5,7}"
        r"|0[1-9](?:[ \-.]?\d){8})(?!\d)"
    ),
    "bsn": re.compile(
        r"(?<![\d.\-])(?:\d{9}|\d{4}[. ]\d{2}[. ]\d{3}|\d{3}[. ]\d{3}[. ]\d{3}|\d{2}[. ]\d{3}[. ]\d{2}[. ]\d{2})"
        r"(?![\d\-])"
    ),
    # The street word is bounded: unbounded, a long run of "-" or "'" took quadratic time (100k: minutes).
    "address": re.compile(
        r"(?<!\w)(?:postcode:? ?[1-9]\d{3} ?[a-zA-Z]{2}|[1-9]\d{3}(?: ?[A-Z]{2}|[a-z]{2}))(?!\w)"
        r"(?:,? ?(?:nr\.? ?)?\d{1,5} ?[a-zA-Z]?(?!\w))?"
        r"|(?<!\w)[A-Za-zÀ-ÿ'\-]{1,100}(?:straat|laan|weg|plein|gracht|kade|singel|dijk|hof|steeg|pad|dreef|"
        r"plantsoen|markt|baan|park|erf|veld|wal)(?: \d{1,5}(?: ?[a-zA-Z](?!\w)|-\d+)?)(?!\d)"
    ),
    "numeric_date": re.compile(r"(?<![\d\-/.])(\d{1,2})[\-/.](\d{1,2})[\-/.](\d{4}|\d{2})(?![\d\-/.])"),
    "iso_date": re.compile(r"(?<![\d\-])(\d{4})-(\d{2})-(\d{2})(?![\d\-])"),
}
_BIRTH_WORDS = re.compile(r"\b(geboren|geb\.?|geboortedatum|geb\.? ?datum|geboortedag|verjaardag|jarig)\b", re.I)
_BSN_WORDS = re.compile(r"\b(bsn|burgerservicenummer|sofinummer|sofi-nummer)\b", re.I)


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: its kind (a key of :data:`LABELS`) and character span."""

    kind: str
    start: int
    end: int


def bsn_is_valid(digits: str) -> bool:
    """The elfproef for a 9-digit BSN (8 digits get a leading zero)."""
    digits = re.sub(r"\D", "", digits)
    if len(digits) == 8:
        digits = "0" + digits
    if len(digits) != 9 or digits == "0" * 9:
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:8], range(9, 1, -1), strict=True))
    return (total - int(digits[8])) % 11 == 0


def iban_is_valid(text: str) -> bool:
    """ISO 13616 check (mod 97 == 1); a Dutch IBAN must also have 18 characters."""
    compact = re.sub(r"\s", "", text).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", compact):
        return False
    if compact.startswith("NL") and not re.fullmatch(r"NL\d{2}[A-Z]{4}\d{10}", compact):
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def _full_year(year: int) -> int:
    if year >= 100:
        return year
    return 1900 + year if year > 30 else 2000 + year


def _date_parts(kind: str, match: re.Match[str]) -> tuple[int, int, int]:
    """Day, month and (four-digit) year of a ``numeric_date`` (d-m-y) or ``iso_date`` (y-m-d) match."""
    first, second, third = (int(group) for group in match.groups())
    return (third, second, first) if kind == "iso_date" else (first, second, _full_year(third))


def _is_real_date(day: int, month: int, year: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=1)
def _nlp() -> Any:
    """SpaCy's Dutch tokenizer and the matcher over it, loaded on first use."""
    import spacy
    from spacy.matcher import Matcher

    nlp = spacy.blank("nl")
    matcher = Matcher(nlp.vocab)
    matcher.add("email", [[{"LIKE_EMAIL": True}]])
    month = {"LOWER": {"IN": list(MONTHS)}}
    matcher.add("written_date", [[{"TEXT": {"REGEX": r"^\d{1,2}$"}}, month, {"TEXT": {"REGEX": r"^\d{4}$"}}]])
    name_part: dict[str, Any] = {"IS_TITLE": True, "IS_ALPHA": True}
    particle: dict[str, Any] = {"LOWER": {"IN": ["de", "van", "der", "den", "het", "ter", "ten", "el", "al"]},
                                "OP": "*"}
    introductions: list[list[dict[str, Any]]] = [
        [{"LOWER": "ik"}, {"LOWER": "heet"}],
        [{"LOWER": {"IN": ["mijn", "m'n", "mn"]}}, {"LOWER": "naam"}, {"LOWER": "is"}],
        [{"LOWER": "naam"}, {"ORTH": ":"}],
        [{"LOWER": {"IN": ["genaamd", "meneer", "mevrouw", "mevr", "dhr", "mw"]}}, {"ORTH": ".", "OP": "?"}],
    ]
    matcher.add("name", [[*intro, name_part, particle, {**name_part, "OP": "?"}] for intro in introductions],
                greedy="LONGEST")
    return nlp, matcher


def find_personal_data(text: str, today: date | None = None) -> list[Finding]:
    """Every piece of personal data in ``text``, as non-overlapping spans in text order."""
    if not text:
        return []
    from spacy.util import filter_spans

    nlp, matcher = _nlp()
    doc = nlp(text)
    today = today or date.today()
    spans = []

    def add(kind: str, start: int, end: int) -> None:
        span = doc.char_span(start, end, label=kind, alignment_mode="expand")
        if span is not None:
            spans.append(span)

    for match_id, start, end in matcher(doc):
        kind = nlp.vocab.strings[match_id]
        span = doc[start:end]
        if kind == "name":
            intro_tokens = next(i for i, tok in enumerate(span) if tok.is_title and tok.is_alpha and i > 0)
            span = span[intro_tokens:]
            add("name", span.start_char, span.end_char)
        elif kind == "written_date":
            day, year = int(span[0].text), int(span[2].text)
            if _looks_like_birthdate(text, span.start_char, year, today) and 1 <= day <= 31:
                add("birthdate", span.start_char, span.end_char)
        else:
            add(kind, span.start_char, span.end_char)
    for kind in ("email", "iban", "phone", "address"):
        for match in _PATTERNS[kind].finditer(text):
            if kind == "iban" and not iban_is_valid(match.group()):
                continue
            add(kind, match.start(), match.end())
    for match in _PATTERNS["bsn"].finditer(text):
        labelled = _BSN_WORDS.search(text[max(0, match.start() - 30):match.start()]) is not None
        if bsn_is_valid(match.group()) or labelled:
            add("bsn", match.start(), match.end())
    for kind in ("numeric_date", "iso_date"):
        for match in _PATTERNS[kind].finditer(text):
            day, month, year = _date_parts(kind, match)
            if _is_real_date(day, month, year) and _looks_like_birthdate(text, match.start(), year, today):
                add("birthdate", match.start(), match.end())
    # Longest span wins where findings overlap (an IBAN contains digit runs, a phone number a BSN-like run).
    kept = filter_spans(spans)
    return [Finding(span.label_, span.start_char, span.end_char) for span in sorted(kept, key=lambda s: s.start)]


def _looks_like_birthdate(text: str, start: int, year: int, today: date) -> bool:
    if year > today.year:
        return False
    if _BIRTH_WORDS.search(text[max(0, start - BIRTH_WORD_WINDOW):start]):
        return True
    return today.year - year >= BIRTHDATE_MIN_YEARS_AGO


def redact(text: str, today: date | None = None) -> str:
    """``text`` with every piece of personal data replaced by its Dutch label."""
    findings = find_personal_data(text, today)
    parts = []
    position = 0
    for finding in findings:
        parts.append(text[position:finding.start])
        parts.append(LABELS[finding.kind])
        position = finding.end
    parts.append(text[position:])
    return "".join(parts)

