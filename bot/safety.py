"""Crisis detection by rules, independent of the trained model."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.errors import SchemaError
from bot.knowledge import DEFAULT_KNOWLEDGE_DIR, read_yaml_document
from bot.textinput import clean


@dataclass(frozen=True)
class CrisisMatch:
    """Which crisis pattern group matched, and the matched text."""

    group: str
    text: str


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def _compile(expression: str, file: str, item: str) -> re.Pattern[str]:
    try:
        return re.compile(expression)
    except re.error as exc:
        raise SchemaError(file, item, f"bad regex {expression!r}: {exc}") from exc


class CrisisDetector:
    """Matches the patterns of ``knowledge/crisis.yml`` sentence by sentence."""

    def __init__(
        self, patterns: dict[str, list[re.Pattern[str]]],
        now: re.Pattern[str] | None = None, not_now: re.Pattern[str] | None = None,
    ) -> None:
        self.patterns = patterns
        self.now = now
        self.not_now = not_now

    @classmethod
    def from_file(cls, path: Path) -> CrisisDetector:
        """Load and compile the patterns; a bad regex raises :class:`SchemaError`."""
        data = read_yaml_document(path, "patterns")
        compiled = {
            group: [_compile(e, path.name, f"pattern group '{group}'") for e in expressions]
            for group, expressions in data["patterns"].items()
        }
        now, not_now = data.get("now"), data.get("not_now")  # optional guards
        return cls(
            compiled,
            _compile(now, path.name, "now") if now else None,
            _compile(not_now, path.name, "not_now") if not_now else None,
        )

    def _only_past(self, sentence: str) -> bool:
        """A sentence about the past or a hypothetical, with no sign of now."""
        if self.not_now is None or not self.not_now.search(sentence):
            return False
        return self.now is None or not self.now.search(sentence)

    def _sentences_about_now(self, text: str) -> list[str]:
        # Cleaned like every other reader of the message: an invisible character must not hide a signal.
        sentences = (" ".join(s.split()) for s in _SENTENCE_END.split(clean(text).lower()))
        return [s for s in sentences if s and not self._only_past(s)]

    def match(self, text: str) -> CrisisMatch | None:
        """The first crisis signal in ``text``, or None."""
        for sentence in self._sentences_about_now(text):
            for group, patterns in self.patterns.items():
                for pattern in patterns:
                    found = pattern.search(sentence)
                    if found:
                        return CrisisMatch(group, found.group(0))
        return None


@dataclass(frozen=True)
class CrisisVerdict:
    """Whether a message is a crisis, and what said so (``rules``, ``classifier``, ``intent_model`` or None)."""

    reason: str | None
    match: CrisisMatch | None = None

    @property
    def is_crisis(self) -> bool:
        """True when any detector flagged the message."""
        return self.reason is not None


def crisis_decision(
    text: str, classifier_score: float | None, threshold: float, detector: CrisisDetector | None = None,
    intent_says_crisis: bool = False, corroboration: float = 0.0,
) -> CrisisVerdict:
    """Combine the rules, the crisis classifier and the intent model (a missed crisis is worst).

    The rules alone, or the classifier alone (score >= ``threshold``), are enough. The intent
    model's own ``crisis`` guess counts only when the classifier leans the same way (score >=
    ``corroboration``): on the crisis development sets every such guess without that support was
    a false alarm (6 of 6), and in the handover it turned answers like "misschien, eerst even
    nadenken" into crisis messages.

    Args:
        text: The citizen's message.
        classifier_score: The crisis classifier's score (0..1) or None when there is no classifier.
        threshold: The score from which the classifier alone makes the message a crisis.
        detector: The rule detector; the project's own by default.
        intent_says_crisis: The intent model's best intent is ``crisis``.
        corroboration: The classifier score the intent model's guess needs to count.
    """
    found = (detector or default_detector()).match(text)
    if found is not None:
        return CrisisVerdict("rules", found)
    if classifier_score is not None and classifier_score >= threshold:
        return CrisisVerdict("classifier")
    if intent_says_crisis and (classifier_score is None or classifier_score >= corroboration):
        return CrisisVerdict("intent_model")
    return CrisisVerdict(None)


@lru_cache(maxsize=1)
def default_detector() -> CrisisDetector:
    """The detector for the project's own ``knowledge/crisis.yml`` (loaded once)."""
    return CrisisDetector.from_file(DEFAULT_KNOWLEDGE_DIR / "crisis.yml")


def is_crisis(text: str) -> bool:
    """Whether ``text`` contains a crisis signal."""
    return default_detector().match(text) is not None
