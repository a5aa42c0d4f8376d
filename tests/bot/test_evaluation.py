"""Held-out quality bars: intent macro-F1 >= 0.85 and next_step accuracy >= 0.85.

The held-out messages (tests/heldout/) were written by a different author than the training data
(data/nlu/) and are never passed to `rasa train`.
"""

from __future__ import annotations

import pytest
import yaml

from bot.evaluation import HELDOUT, evaluate, format_report, intent_scores, load_examples
from bot.triage import Triage
from tests.conftest import PROJECT_DIR


def test_intent_scores_by_hand():
    per_intent, macro = intent_scores(["a", "a", "b", "b"], ["a", "b", "b", "b"])
    assert per_intent["a"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3), "support": 2}
    assert per_intent["b"]["precision"] == pytest.approx(2 / 3)
    assert macro == pytest.approx((2 / 3 + 0.8) / 2)


def _training_examples() -> set[str]:
    examples = set()
    for path in (PROJECT_DIR / "data" / "nlu").glob("*.yml"):
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            examples.update(" ".join(line.lstrip("- ").split()).lower()
                            for line in item.get("examples", "").splitlines() if line.strip())
    return examples


def test_heldout_is_not_in_the_training_data():
    training = _training_examples()
    texts = [" ".join(e["text"].split()).lower() for e in load_examples(HELDOUT)]
    assert len(texts) >= 150 and len(training) > 500
    # Very short replies ("ja", "bedankt") can coincide by nature; longer messages never may.
    assert not [t for t in texts if t in training and len(t.split()) > 3]


@pytest.mark.model
def test_heldout_quality_bars(parser, kb):
    scores = evaluate(load_examples(HELDOUT), parser.parse, Triage(kb))
    print(format_report(scores))
    assert scores.macro_f1 >= 0.85
    assert scores.next_step_accuracy >= 0.85
    assert scores.next_step_labelled >= 150
