"""Held-out quality bars: intent macro-F1 >= 0.85 and next_step accuracy >= 0.85.

The held-out messages (tests/heldout/) were written by a different author than the training data
(data/nlu/) and are never passed to `rasa train`.
"""

from __future__ import annotations

import pytest
import yaml

from bot.evaluation import HELDOUT, evaluate, format_report, intent_scores, load_examples, threshold_sweep
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


def test_threshold_sweep_by_hand():
    parses = {"a": {"intent_ranking": [{"name": "wlz", "confidence": 0.9}]},
              "b": {"intent_ranking": [{"name": "wmo", "confidence": 0.25}]},
              "c": {"intent_ranking": [{"name": "nlu_fallback", "confidence": 0.3},
                                       {"name": "zvw", "confidence": 0.35}]}}
    examples = [{"text": "a", "intent": "wlz"}, {"text": "b", "intent": "wlz"}, {"text": "c", "intent": "zvw"}]
    rows = {r["threshold"]: r for r in threshold_sweep(examples, parses.__getitem__, (0.3, 0.5))}
    assert rows[0.3] == {"threshold": 0.3, "fallback_rate": 1 / 3, "wrong_caught": 1.0, "right_lost": 0.0}
    assert rows[0.5]["fallback_rate"] == 2 / 3 and rows[0.5]["right_lost"] == 1 / 3


CRISIS_SETS = PROJECT_DIR / "tests" / "crisis"


@pytest.mark.model
@pytest.mark.parametrize("name", ["dev_messages.jsonl", "dev_messages_b.jsonl"])
def test_crisis_bar_holds_on_the_development_sets(parser, name):
    """The issue's bar as a regression guard on the two crisis sets the rules were tuned on.

    These sets were read while writing the rules, so passing here says nothing about new writers
    (that is what the held-out sets below measure); failing here means something broke, for example
    a model or the fallback hiding a crisis that the rules found (the message guard must run last).
    """
    from bot.evaluation import crisis_scores

    scores = crisis_scores(load_examples(CRISIS_SETS / name), parser.parse)
    assert scores.crisis >= 60 and scores.non_crisis >= 60
    assert scores.missed == []
    assert scores.false_alarm_rate <= 0.05


CRISIS_HELDOUT = [CRISIS_SETS / "heldout_messages.jsonl",
                  *(CRISIS_SETS / f"heldout_messages_{n}.jsonl" for n in range(2, 10))]


@pytest.mark.model
@pytest.mark.parametrize(("path", "min_recall", "max_false_alarms"), [
    # Measured 2026-12-05 with the eighteen-author corpus (docs/evaluation.md, "Fourth round").
    (CRISIS_HELDOUT[0], 0.98, 0.05),  # 0.989 / 0.033 (89/90, 3/90)
    (CRISIS_HELDOUT[1], 0.98, 0.08),  # 1.000 / 0.063 (79/79, 5/79)
    (CRISIS_HELDOUT[2], 0.97, 0.12),  # 0.978 / 0.100 (88/90, 9/90)
    (CRISIS_HELDOUT[3], 0.97, 0.10),  # 0.978 / 0.078 (88/90, 7/90)
    (CRISIS_HELDOUT[4], 0.98, 0.09),  # 0.989 / 0.067 (89/90, 6/90)
    (CRISIS_HELDOUT[5], 0.98, 0.09),  # 1.000 / 0.067 (90/90, 6/90)
    # Measured once each, 2026-12-05, with no change made after ("Sets 7-9").
    (CRISIS_HELDOUT[6], 0.97, 0.13),  # 0.978 / 0.112 (88/90, 10/89)
    (CRISIS_HELDOUT[7], 0.98, 0.08),  # 0.989 / 0.056 (89/90, 5/90)
    (CRISIS_HELDOUT[8], 0.98, 0.03),  # 0.989 / 0.011 (89/90, 1/90)
])
def test_crisis_detection_does_not_fall_below_its_held_out_measurement(parser, path, min_recall, max_false_alarms):
    """Regression floors at the levels measured on the nine held-out crisis sets (docs/evaluation.md)."""
    from bot.evaluation import crisis_scores

    scores = crisis_scores(load_examples(path), parser.parse)
    assert scores.crisis >= 60 and scores.non_crisis >= 60
    assert scores.recall >= min_recall
    assert scores.false_alarm_rate <= max_false_alarms


@pytest.mark.model
@pytest.mark.xfail(strict=True, reason="conversation issue bar (recall 1.00, false alarms <= 0.05) not reached yet: "
                   "measured 789/799 recall, 52/798 false alarms over the nine held-out sets, see "
                   "docs/evaluation.md")
def test_crisis_bar_on_the_held_out_crisis_sets(parser):
    """The conversation issue's bar: every crisis found, at most 5 % false alarms, over all held-out sets."""
    from bot.evaluation import crisis_scores

    examples = [example for path in CRISIS_HELDOUT for example in load_examples(path)]
    assert len(examples) >= 9 * 150  # 1,597 messages
    scores = crisis_scores(examples, parser.parse)
    assert scores.missed == [], f"recall {scores.recall:.3f}"
    assert scores.false_alarm_rate <= 0.05, f"false alarms {scores.false_alarm_rate:.3f}"


def test_crisis_threshold_sweep_by_hand():
    from bot.evaluation import crisis_threshold_sweep

    parses = {"ik wil dood": {"crisis_score": 0.1},             # caught by the rules whatever the score
              "alles is zwart om me heen": {"crisis_score": 0.65},
              "ik zoek thuiszorg": {"crisis_score": 0.55}}
    examples = [{"text": "ik wil dood", "crisis": True}, {"text": "alles is zwart om me heen", "crisis": True},
                {"text": "ik zoek thuiszorg", "crisis": False}]
    rows = {r["threshold"]: r for r in crisis_threshold_sweep(examples, parses.__getitem__, (0.5, 0.6, 0.7))}
    assert rows[0.5] == {"threshold": 0.5, "recall": 1.0, "false_alarm_rate": 1.0}
    assert rows[0.6] == {"threshold": 0.6, "recall": 1.0, "false_alarm_rate": 0.0}
    assert rows[0.7]["recall"] == 0.5
