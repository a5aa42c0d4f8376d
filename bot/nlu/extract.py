"""Turn a processed spaCy doc into Zorgroute entities (see :mod:`bot.facts` for their names)."""

from __future__ import annotations

from typing import Any

from spacy.tokens import Doc, Span

from bot.knowledge import KnowledgeBase
from bot.nlu.numbers import find_ages, find_durations_in_weeks
from bot.nlu.pipeline import SPANS_KEY

EXTRACTOR = "ZorgrouteFactExtractor"
NEGATIONS = frozenset({"geen", "niet", "zonder", "nooit", "nog geen", "nergens"})
FAILURE_SIGNALS = frozenset({"no_result", "rejected", "sent_around"})


def _entity(name: str, value: Any, start: int, end: int) -> dict[str, Any]:
    return {"entity": name, "value": value, "start": start, "end": end,
            "confidence_entity": 1.0, "extractor": EXTRACTOR}


def _negated(span: Span) -> bool:
    """Whether one of the two tokens before the span negates it ("geen wlz-indicatie")."""
    doc = span.doc
    before = {doc[i].lower_ for i in range(max(0, span.start - 2), span.start)}
    return bool(before & NEGATIONS)


def _blocked(span: Span, blockers: tuple[str, ...]) -> bool:
    """Whether the token right after the span is one of ``blockers``."""
    return span.end < len(span.doc) and span.doc[span.end].lower_ in blockers


def _sentence_index(doc: Doc) -> list[int]:
    """For every token, the number of its sentence."""
    index = [0] * len(doc)
    for number, sentence in enumerate(doc.sents if doc.has_annotation("SENT_START") else [doc[:]]):
        for i in range(sentence.start, sentence.end):
            index[i] = number
    return index


def extract_entities(doc: Doc, kb: KnowledgeBase) -> list[dict[str, Any]]:
    """Entities for one message, in text order.

    Parties mentioned in a sentence with a no-result, refusal or run-around signal (or the last
    party of the sentence before, when the signal's own sentence names no party) also become
    ``partij_zonder_resultaat``.
    """
    spans = sorted(doc.spans.get(SPANS_KEY, []), key=lambda s: (s.start, s.end))
    sentence_of = _sentence_index(doc)
    entities: list[dict[str, Any]] = []
    parties_by_sentence: dict[int, list[Span]] = {}
    failure_sentences: set[int] = set()

    for span in spans:
        label, item = span.label_, span.id_
        if label == "signaal":
            signal = kb.lexicon.signals[item]
            if _blocked(span, signal.blocked_by_next):
                continue
            if signal.negatable and _negated(span):
                # "nog geen wlz-indicatie": the fact is known to be false
                entities.append(_entity("signaal_niet", item, span.start_char, span.end_char))
                continue
            if item in FAILURE_SIGNALS:
                failure_sentences.add(sentence_of[span.start])
            entities.append(_entity("signaal", item, span.start_char, span.end_char))
        elif label == "partij":
            parties_by_sentence.setdefault(sentence_of[span.start], []).append(span)
            entities.append(_entity("partij", item, span.start_char, span.end_char))
        elif label in ("persoon", "loket"):
            entities.append(_entity(label, item, span.start_char, span.end_char))

    for sentence in sorted(failure_sentences):
        # Without a party of its own, the signal refers back to the nearest party before it.
        parties = parties_by_sentence.get(sentence) or parties_by_sentence.get(sentence - 1, [])[-1:]
        for span in parties:
            entities.append(_entity("partij_zonder_resultaat", span.id_, span.start_char, span.end_char))

    for age, start, end in find_ages(doc.text):
        entities.append(_entity("leeftijd", str(age), start, end))
    for weeks, start, end in find_durations_in_weeks(doc.text):
        entities.append(_entity("weken", str(weeks), start, end))
    entities.sort(key=lambda e: (e["start"], e["end"]))
    return entities
