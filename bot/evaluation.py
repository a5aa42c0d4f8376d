"""Held-out evaluation: intent precision/recall/F1 per intent and triage next_step accuracy.

``python -m bot.evaluation [--data FILE] [--json]`` prints the numbers. The held-out file is never
used for training (``rasa train`` only reads ``data/``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.triage import Triage, top_intent

PROJECT_DIR = Path(__file__).resolve().parent.parent
HELDOUT = PROJECT_DIR / "tests" / "heldout" / "messages.jsonl"


@dataclass
class Scores:
    """Evaluation results."""

    per_intent: dict[str, dict[str, float]] = field(default_factory=dict)
    macro_f1: float = 0.0
    intent_accuracy: float = 0.0
    next_step_accuracy: float = 0.0
    next_step_labelled: int = 0
    crisis_recall: float = 0.0
    fallback_rate: float = 0.0
    messages: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


def load_examples(path: Path) -> list[dict[str, Any]]:
    """Read a JSONL file of ``{"text", "intent", "next_step"}`` examples."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def intent_scores(gold: list[str], predicted: list[str]) -> tuple[dict[str, dict[str, float]], float]:
    """Per-intent precision/recall/F1/support and the macro-F1 over the gold intents."""
    per_intent = {}
    for intent in sorted(set(gold)):
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p == intent)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if p == intent != g)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == intent != p)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[intent] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    macro = sum(s["f1"] for s in per_intent.values()) / len(per_intent) if per_intent else 0.0
    return per_intent, macro


def evaluate(
    examples: Iterable[dict[str, Any]], parse: Callable[[str], dict[str, Any]], triage: Triage
) -> Scores:
    """Parse every example and score intents and next steps."""
    gold, predicted, errors = [], [], []
    labelled = correct_steps = fallbacks = 0
    for example in examples:
        result = parse(example["text"])
        intent, _ = top_intent(result)
        fallbacks += (result.get("intent") or {}).get("name") == "nlu_fallback"
        gold.append(example["intent"])
        predicted.append(intent or "none")
        accepted = example.get("next_step") or [None]
        decision = triage.decide_parse(result)
        if accepted != [None]:
            labelled += 1
            correct_steps += decision.next_step in accepted
        if intent != example["intent"] or decision.next_step not in accepted:
            errors.append({"text": example["text"], "intent": example["intent"], "predicted": intent,
                           "next_step": accepted, "got": decision.next_step, "rule": decision.rule})
    per_intent, macro = intent_scores(gold, predicted)
    crisis = per_intent.get("crisis", {}).get("recall", 0.0)
    total = len(gold)
    return Scores(
        per_intent=per_intent, macro_f1=macro,
        intent_accuracy=sum(g == p for g, p in zip(gold, predicted, strict=True)) / total if total else 0.0,
        next_step_accuracy=correct_steps / labelled if labelled else 0.0, next_step_labelled=labelled,
        crisis_recall=crisis, fallback_rate=fallbacks / total if total else 0.0, messages=total, errors=errors,
    )


@dataclass
class CrisisScores:
    """Crisis detection on a set of crisis / non-crisis messages."""

    recall: float
    false_alarm_rate: float
    crisis: int
    non_crisis: int
    missed: list[str]
    false_alarms: list[str]


def crisis_scores(examples: Iterable[dict[str, Any]], parse: Callable[[str], dict[str, Any]]) -> CrisisScores:
    """Score the full NLU (model + crisis rules): a message counts as crisis if its intent is crisis."""
    missed, alarms, positives, negatives = [], [], 0, 0
    for example in examples:
        predicted = (parse(example["text"]).get("intent") or {}).get("name") == "crisis"
        if example["crisis"]:
            positives += 1
            if not predicted:
                missed.append(example["text"])
        else:
            negatives += 1
            if predicted:
                alarms.append(example["text"])
    return CrisisScores(
        recall=1 - len(missed) / positives if positives else 0.0,
        false_alarm_rate=len(alarms) / negatives if negatives else 0.0,
        crisis=positives, non_crisis=negatives, missed=missed, false_alarms=alarms,
    )


def crisis_threshold_sweep(
    examples: Iterable[dict[str, Any]], parse: Callable[[str], dict[str, Any]],
    thresholds: Iterable[float] = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
) -> list[dict[str, float]]:
    """Recall and false alarms of :func:`bot.safety.crisis_decision` (rules or classifier) per threshold."""
    from bot.safety import crisis_decision

    rows = [(example["text"], bool(example["crisis"]), float(parse(example["text"]).get("crisis_score") or 0.0))
            for example in examples]
    positives = sum(1 for _, crisis, _ in rows if crisis) or 1
    negatives = sum(1 for _, crisis, _ in rows if not crisis) or 1
    sweep = []
    for threshold in thresholds:
        flagged = [(crisis, crisis_decision(text, score, threshold).is_crisis) for text, crisis, score in rows]
        sweep.append({
            "threshold": threshold,
            "recall": sum(1 for crisis, flag in flagged if crisis and flag) / positives,
            "false_alarm_rate": sum(1 for crisis, flag in flagged if not crisis and flag) / negatives,
        })
    return sweep


def threshold_sweep(
    examples: Iterable[dict[str, Any]], parse: Callable[[str], dict[str, Any]],
    thresholds: Iterable[float] = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7),
) -> list[dict[str, float]]:
    """For each fallback threshold: how many messages would fall back, and how many of those were wrong.

    A good threshold sends most wrong guesses to the fallback ("Bedoelt u ...?") and few right ones.
    """
    results = []
    for example in examples:
        ranking = parse(example["text"]).get("intent_ranking") or []
        best: dict[str, Any] = next((r for r in ranking if r.get("name") != "nlu_fallback"), {})
        results.append((float(best.get("confidence") or 0.0), best.get("name") == example["intent"]))
    rows = []
    for threshold in thresholds:
        below = [ok for confidence, ok in results if confidence < threshold]
        wrong_total = sum(1 for _, ok in results if not ok)
        rows.append({
            "threshold": threshold,
            "fallback_rate": len(below) / len(results) if results else 0.0,
            "wrong_caught": (sum(1 for ok in below if not ok) / wrong_total) if wrong_total else 0.0,
            "right_lost": (sum(1 for ok in below if ok) / len(results)) if results else 0.0,
        })
    return rows


def format_report(scores: Scores) -> str:
    """A plain-text table of the scores."""
    lines = [f"{'intent':<16}{'precision':>10}{'recall':>10}{'f1':>8}{'n':>5}"]
    for intent, s in scores.per_intent.items():
        lines.append(f"{intent:<16}{s['precision']:>10.3f}{s['recall']:>10.3f}{s['f1']:>8.3f}{int(s['support']):>5}")
    lines += [
        "",
        f"messages            {scores.messages}",
        f"intent accuracy     {scores.intent_accuracy:.3f}",
        f"intent macro-F1     {scores.macro_f1:.3f}",
        f"next_step accuracy  {scores.next_step_accuracy:.3f} ({scores.next_step_labelled} labelled)",
        f"crisis recall       {scores.crisis_recall:.3f}",
        f"nlu_fallback rate   {scores.fallback_rate:.3f}",
    ]
    counts = Counter((e["intent"], e["predicted"]) for e in scores.errors if e["intent"] != e["predicted"])
    if counts:
        lines += ["", "most frequent intent confusions (gold -> predicted):"]
        lines += [f"  {g} -> {p}: {n}" for (g, p), n in counts.most_common(8)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    from bot.knowledge import default_knowledge
    from bot.nlu.parser import RasaParser, latest_model

    args_parser = argparse.ArgumentParser(description=__doc__)
    args_parser.add_argument("--data", type=Path, default=HELDOUT)
    args_parser.add_argument("--json", action="store_true")
    args_parser.add_argument("--crisis", type=Path, help="score crisis detection on a crisis set instead")
    args_parser.add_argument("--thresholds", action="store_true",
                             help="sweep the fallback threshold (with --crisis: the crisis classifier threshold)")
    args = args_parser.parse_args(argv)
    parser = RasaParser(latest_model(PROJECT_DIR / "models"))
    if args.crisis and args.thresholds:
        for row in crisis_threshold_sweep(load_examples(args.crisis), parser.parse):
            print("crisis classifier threshold {threshold:.2f}: recall {recall:.3f}, "
                  "false alarms {false_alarm_rate:.3f}".format(**row))
        return 0
    if args.crisis:
        crisis = crisis_scores(load_examples(args.crisis), parser.parse)
        print(f"crisis recall {crisis.recall:.3f} ({crisis.crisis} crisis), false alarms "
              f"{crisis.false_alarm_rate:.3f} ({crisis.non_crisis} other)")
        return 0
    if args.thresholds:
        for row in threshold_sweep(load_examples(args.data), parser.parse):
            print("threshold {threshold:.2f}: falls back {fallback_rate:.3f}, catches {wrong_caught:.3f} of the "
                  "wrong guesses, loses {right_lost:.3f} right ones".format(**row))
        return 0
    scores = evaluate(load_examples(args.data), parser.parse, Triage(default_knowledge()))
    print(json.dumps(scores.__dict__, ensure_ascii=False, indent=1) if args.json else format_report(scores))
    return 0


if __name__ == "__main__":
    sys.exit(main())
