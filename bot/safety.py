"""Crisis detection by rules, independent of the trained model."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.errors import SchemaError
from bot.knowledge import DEFAULT_KNOWLEDGE_DIR, read_yaml_document


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

    def match(self, text: str) -> CrisisMatch | None:
        """The first crisis signal in ``text``, or None."""
        for sentence in _SENTENCE_END.split(" ".join(text.lower().split(" "))):
            sentence = " ".join(sentence.split())
            if not sentence or self._only_past(sentence):
                continue
            for group, patterns in self.patterns.items():
                for pattern in patterns:
                    found = pattern.search(sentence)
                    if found:
                        return CrisisMatch(group, found.group(0))
        return None


@lru_cache(maxsize=1)
def default_detector() -> CrisisDetector:
    """The detector for the project's own ``knowledge/crisis.yml`` (loaded once)."""
    return CrisisDetector.from_file(DEFAULT_KNOWLEDGE_DIR / "crisis.yml")


def is_crisis(text: str) -> bool:
    """Whether ``text`` contains a crisis signal."""
    return default_detector().match(text) is not None
