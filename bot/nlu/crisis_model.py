"""A small dedicated crisis classifier, trained next to the intent model.

The intent model has to spread its capacity over twenty intents; this binary model only learns
"danger now or not" from the crisis examples and many hard negatives (heavy situations without
danger), written by several independent authors (``corpus/crisis``). It scores whole messages:
scoring each sentence separately caught a few more hidden crises in cross-validation but flagged
ordinary care questions far too often (see ``docs/evaluation.md``).

Combined with the rules in ``knowledge/crisis.yml`` by :func:`bot.safety.crisis_decision`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from bot.errors import SchemaError
from bot.knowledge import read_yaml_document
from bot.textinput import clean

CRISIS_LABEL = "crisis"
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Drop invisible and control characters, lower-case, strip accents (ï -> i), collapse white space."""
    decomposed = unicodedata.normalize("NFKD", clean(text).lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", plain).strip()


@dataclass(frozen=True)
class LabelledText:
    """One training message with whether it is a crisis."""

    text: str
    crisis: bool


def read_nlu_examples(path: Path) -> list[tuple[str, str]]:
    """The ``(text, intent)`` examples of a Rasa NLU YAML file.

    Raises:
        SchemaError: the file is not an NLU file with ``intent`` blocks and ``examples``.
    """
    data = read_yaml_document(path, "nlu")
    found: list[tuple[str, str]] = []
    for position, block in enumerate(data["nlu"]):
        if not isinstance(block, dict) or "intent" not in block or not isinstance(block.get("examples"), str):
            raise SchemaError(path.name, f"nlu item {position + 1}", "needs 'intent' and an 'examples' block")
        for line in block["examples"].splitlines():
            line = line.strip()
            if line.startswith("- ") and line[2:].strip():
                found.append((line[2:].strip(), block["intent"]))
    return found


def read_corpus_file(path: Path) -> list[LabelledText]:
    """Read a Rasa NLU YAML file: examples of intent ``crisis`` are positives, all others negatives.

    Raises:
        SchemaError: the file is not an NLU file with ``intent`` blocks and ``examples``.
    """
    return [LabelledText(text, intent == CRISIS_LABEL) for text, intent in read_nlu_examples(path)]


def read_corpus(directory: Path) -> list[LabelledText]:
    """All ``*.yml`` files of a corpus directory, in name order.

    Raises:
        SchemaError: the directory does not exist or a file is malformed.
    """
    if not directory.is_dir():
        raise SchemaError(str(directory), "corpus", "directory not found")
    return [item for path in sorted(directory.glob("*.yml")) for item in read_corpus_file(path)]


class CrisisClassifier:
    """Character and word n-gram logistic regression over whole messages."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline

    @staticmethod
    def _new_pipeline(regularisation: float) -> Pipeline:
        features = FeatureUnion([
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1)),
            ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                                      token_pattern=r"(?u)\b\w+\b")),  # noqa: S106 (a regex, not a password)
        ])
        model = LogisticRegression(C=regularisation, class_weight="balanced", max_iter=2000)
        return Pipeline([("features", features), ("model", model)])

    @classmethod
    def train(cls, examples: Iterable[LabelledText], regularisation: float = 10.0) -> CrisisClassifier:
        """Fit on whole messages (duplicates removed, a text labelled crisis anywhere stays crisis).

        Raises:
            ValueError: there are no crisis or no non-crisis examples.
        """
        labels: dict[str, bool] = {}
        for example in examples:
            key = normalise(example.text)
            labels[key] = labels.get(key, False) or example.crisis
        if len(set(labels.values())) < 2:
            raise ValueError("the crisis classifier needs both crisis and non-crisis examples")
        pipeline = cls._new_pipeline(regularisation)
        pipeline.fit(list(labels), [int(v) for v in labels.values()])
        return cls(pipeline)

    def score(self, text: str) -> float:
        """The crisis probability of a message (0.0 for empty text)."""
        plain = normalise(text)
        if not plain:
            return 0.0
        return float(self.pipeline.predict_proba([plain])[0, 1])
