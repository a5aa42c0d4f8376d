"""Crisis detection by rules, independent of the trained model."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.errors import SchemaError
from bot.knowledge import DEFAULT_KNOWLEDGE_DIR, read_yaml


@dataclass(frozen=True)
class CrisisMatch:
    """Which crisis pattern group matched, and the matched text."""

    group: str
    text: str


class CrisisDetector:
    """Matches the patterns of ``knowledge/crisis.yml``."""

    def __init__(self, patterns: dict[str, list[re.Pattern[str]]]) -> None:
        self.patterns = patterns

    @classmethod
    def from_file(cls, path: Path) -> CrisisDetector:
        """Load and compile the patterns; a bad regex raises :class:`SchemaError`."""
        raw = read_yaml(path, "patterns")
        compiled: dict[str, list[re.Pattern[str]]] = {}
        for group, expressions in raw.items():
            compiled[group] = []
            for expression in expressions:
                try:
                    compiled[group].append(re.compile(expression))
                except re.error as exc:
                    problem = f"bad regex {expression!r}: {exc}"
                    raise SchemaError(path.name, f"pattern group '{group}'", problem) from exc
        return cls(compiled)

    def match(self, text: str) -> CrisisMatch | None:
        """The first crisis signal in ``text``, or None."""
        lowered = " ".join(text.lower().split())
        for group, patterns in self.patterns.items():
            for pattern in patterns:
                found = pattern.search(lowered)
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
