"""Routing quality on the held-out set, side by side with the peers a Rasa user would compare against.

``python -m bench.quality --ours MODEL --default MODEL --out DIR [--heldout FILE]`` scores four systems on
``tests/heldout/messages.jsonl`` (never used for training or tuning), all with the same triage core and
knowledge base, and writes ``DIR/quality.json``, one ``DIR/confusion_<system>.png`` per system and a table
on stdout:

* ``zorgroute``: this project's model (``config.yml``): intent, crisis guard and fact entities.
* ``rasa_default``: the pipeline ``rasa init`` writes (``bench/configs/rasa_default.yml``), trained on the
  same ``data/nlu``; its parse has no fact entities, which is what a Rasa user gets.
* ``rasa_default_with_facts``: the default model's intent plus this project's fact extractor
  (:func:`bot.nlu.extract.extract_entities`), to isolate the intent classifier.
* ``keyword``: :mod:`bench.keyword_baseline` plus the same fact extractor.

The triage core's rule-based crisis check (``Decision.crisis_by_rule``, ``knowledge/crisis.yml``) runs
for every system alike, so each system's crisis recall includes it.

Metrics (per system):

* ``category_accuracy``: the gold category is ``INTENT_CATEGORY`` of the gold intent (``overig`` for
  ``vastgelopen`` and every non-help intent). The predicted category is the triage's category before the
  knowledge base's category overrides: ``INTENT_CATEGORY`` of the predicted intent, or ``crisis`` when
  the crisis rule fired. The overrides (a child under 18 -> jeugdwet, a stuck person naming the
  zorgkantoor -> wlz, ...) need facts; counting them against a gold label made without facts would
  penalise exactly the systems that have facts. ``Decision.category`` (after overrides) is still
  reported as ``routed_category_accuracy``. Per-category precision/recall/F1/support, their macro-F1 and
  the confusion matrix use the same categories (:func:`bot.evaluation.intent_scores`).
* ``next_step_accuracy``: ``Decision.next_step`` is one of the accepted route ids, over the messages
  with a ``next_step`` label (:func:`bot.evaluation.evaluate`, the project's own number).
* ``handover_accuracy``, over the same labelled messages. The gold handover is derived from the
  accepted next steps: every accepted step that is a handover desk (a route with ``handover: true``
  in ``knowledge/routes.yml``: ``juiste_loket``, ``vws_unit``) is an accepted handover, and ``None``
  (no handover) is accepted as soon as one accepted step is not a desk. So "all accepted steps are
  desks" -> that set of desks; "none are" -> ``{None}``; a mixed label accepts both. The system's
  handover is ``Decision.handover``.
* ``crisis_recall``: the share of gold-``crisis`` messages whose predicted category is ``crisis``.
* ``parse_seconds``: wall time spent parsing all messages (model loading excluded).

Errors (a missing model or held-out file, a malformed line) print one line naming the problem and exit
with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from bot.evaluation import HELDOUT, evaluate, intent_scores, load_examples
from bot.knowledge import KnowledgeBase, default_knowledge
from bot.triage import INTENT_CATEGORY, Decision, Triage

CATEGORIES = ("wlz", "zvw", "wmo", "jeugdwet", "klacht", "crisis", "overig")
SYSTEMS = ("zorgroute", "rasa_default", "rasa_default_with_facts", "keyword")
T = TypeVar("T")


class BenchError(Exception):
    """A problem with the inputs, reported as one line and exit status 2."""


def read_heldout(path: Path) -> list[dict[str, Any]]:
    """The held-out examples, checked line by line (:func:`bot.evaluation.load_examples` reads them)."""
    if not path.is_file():
        raise BenchError(f"held-out file not found: {path}")
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            example = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BenchError(f"{path} line {number}: not valid JSON ({exc.msg})") from None
        if not (isinstance(example, dict) and isinstance(example.get("text"), str)
                and isinstance(example.get("intent"), str)):
            raise BenchError(f"{path} line {number}: needs a string 'text' and a string 'intent'")
        if not isinstance(example.get("next_step") or [], list):
            raise BenchError(f"{path} line {number}: 'next_step' must be a list of route ids")
    return load_examples(path)


def gold_category(intent: str) -> str:
    """The category a gold intent means."""
    return INTENT_CATEGORY.get(intent, "overig")


def nlu_category(decision: Decision) -> str:
    """The triage's category before the knowledge base's overrides."""
    return "crisis" if decision.crisis_by_rule else INTENT_CATEGORY.get(decision.intent or "", "overig")


def accepted_handovers(accepted: Sequence[str | None], kb: KnowledgeBase) -> set[str | None]:
    """The handovers a next_step label accepts (see the module docstring)."""
    desks = {step for step in accepted if step in kb.routes and kb.routes[step].handover}
    return desks | ({None} if len(desks) < len(accepted) else set())


def confusion(gold: list[str], predicted: list[str]) -> dict[str, Any]:
    """Rows: gold category, columns: predicted category."""
    labels = list(CATEGORIES)
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted, strict=True):
        matrix[labels.index(g)][labels.index(p)] += 1
    return {"labels": labels, "matrix": matrix}


def parse_all(examples: list[dict[str, Any]], parse: Callable[[str], T]) -> tuple[dict[str, T], float]:
    """``parse`` of every distinct message, and the wall time it took."""
    started = time.perf_counter()
    cache: dict[str, T] = {}
    for example in examples:
        if example["text"] not in cache:
            cache[example["text"]] = parse(example["text"])
    return cache, time.perf_counter() - started


def score_system(
    examples: list[dict[str, Any]], parses: dict[str, dict[str, Any]], seconds: float, triage: Triage
) -> dict[str, Any]:
    """All metrics of one system from its parse of every message."""
    official = evaluate(examples, parses.__getitem__, triage)
    gold, predicted, routed, handovers, crisis = [], [], [], [], []
    for example in examples:
        decision = triage.decide_parse(parses[example["text"]])
        gold.append(gold_category(example["intent"]))
        predicted.append(nlu_category(decision))
        routed.append(decision.category)
        accepted = example.get("next_step") or [None]
        if accepted != [None]:
            handovers.append(decision.handover in accepted_handovers(accepted, triage.kb))
        if gold[-1] == "crisis":
            crisis.append(predicted[-1] == "crisis")
    per_category, macro = intent_scores(gold, predicted)
    return {
        "category_accuracy": sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold),
        "routed_category_accuracy": sum(g == r for g, r in zip(gold, routed, strict=True)) / len(gold),
        "intent_accuracy": official.intent_accuracy,
        "next_step_accuracy": official.next_step_accuracy,
        "handover_accuracy": sum(handovers) / len(handovers) if handovers else 0.0,
        "crisis_recall": sum(crisis) / len(crisis) if crisis else 0.0,
        "macro_f1": macro,
        "per_category": per_category,
        "confusion": confusion(gold, predicted),
        "parse_seconds": round(seconds, 3),
    }


def plot_confusion(name: str, scores: dict[str, Any], path: Path) -> None:
    """A labelled confusion-matrix PNG with the counts in the cells."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels, matrix = scores["confusion"]["labels"], scores["confusion"]["matrix"]
    figure, axes = plt.subplots(figsize=(7.5, 6.5))
    image = axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels, rotation=35, ha="right")
    axes.set_yticks(range(len(labels)), labels)
    axes.set_xlabel("predicted category")
    axes.set_ylabel("gold category")
    top = max(max(row) for row in matrix) or 1
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            axes.text(j, i, str(count), ha="center", va="center", fontsize=11,
                      color="white" if count > top / 2 else "black")
    axes.set_title(f"{name}: category accuracy {scores['category_accuracy']:.1%}, "
                   f"next_step {scores['next_step_accuracy']:.1%}")
    figure.colorbar(image, ax=axes, fraction=0.046, pad=0.04)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def load_parser(path: Path) -> Any:
    """A :class:`bot.nlu.parser.RasaParser` for a model archive (checked to exist), or a :class:`BenchError`."""
    from bot.nlu.parser import RasaParser

    try:
        return RasaParser(path)
    except Exception as exc:  # a broken archive surfaces as many different Rasa errors
        raise BenchError(f"could not load model {path}: {exc}") from None


def fact_extractor(kb: KnowledgeBase) -> Callable[[str], list[dict[str, Any]]]:
    """This project's fact extraction alone (the spaCy pipeline ``nl_zorgroute``, lower-cased like SpacyNLP)."""
    import spacy

    from bot.nlu.extract import extract_entities

    try:
        nlp = spacy.load("nl_zorgroute")
    except OSError as exc:
        raise BenchError(f"could not load the spaCy pipeline nl_zorgroute: {exc}") from None
    return lambda text: extract_entities(nlp(text.lower()), kb)


def run(ours: Path, default: Path, heldout: Path, out: Path) -> dict[str, Any]:
    """Score the four systems and write quality.json and the PNGs into ``out``."""
    from bench.keyword_baseline import KeywordClassifier

    examples = read_heldout(heldout)
    if not examples:
        raise BenchError(f"held-out file is empty: {heldout}")
    for path in (ours, default):
        if not path.is_file():
            raise BenchError(f"model not found: {path}")
    kb = default_knowledge()
    triage = Triage(kb)
    facts, facts_seconds = parse_all(examples, fact_extractor(kb))
    systems: dict[str, dict[str, Any]] = {}
    parser = load_parser(ours)  # one Rasa model in memory at a time
    systems["zorgroute"] = score_system(examples, *parse_all(examples, parser.parse), triage)
    parser.close()
    parser = load_parser(default)
    parses, seconds = parse_all(examples, parser.parse)
    parser.close()
    systems["rasa_default"] = score_system(examples, parses, seconds, triage)
    with_facts = {text: {**parse, "entities": facts[text]} for text, parse in parses.items()}
    systems["rasa_default_with_facts"] = score_system(examples, with_facts, seconds + facts_seconds, triage)
    keyword = KeywordClassifier()
    parses, seconds = parse_all(examples, lambda text: keyword.parse(text, facts[text]))
    systems["keyword"] = score_system(examples, parses, seconds + facts_seconds, triage)
    labelled = sum(1 for example in examples if (example.get("next_step") or [None]) != [None])
    result = {"heldout": {"path": str(heldout), "messages": len(examples), "next_step_labelled": labelled},
              "systems": systems}
    out.mkdir(parents=True, exist_ok=True)
    (out / "quality.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    for name, scores in systems.items():
        plot_confusion(name, scores, out / f"confusion_{name}.png")
    return result


def format_table(result: dict[str, Any]) -> str:
    """The compact comparison table, with our margin on next_step accuracy."""
    systems = result["systems"]
    held = result["heldout"]
    lines = [f"held-out: {held['messages']} messages, {held['next_step_labelled']} with a next_step label",
             f"{'system':<25}{'category':>9}{'next_step':>10}{'handover':>9}{'crisis_R':>9}{'macro_F1':>9}"
             f"{'parse_s':>9}"]
    for name in SYSTEMS:
        s = systems[name]
        lines.append(f"{name:<25}{s['category_accuracy']:>9.3f}{s['next_step_accuracy']:>10.3f}"
                     f"{s['handover_accuracy']:>9.3f}{s['crisis_recall']:>9.3f}{s['macro_f1']:>9.3f}"
                     f"{s['parse_seconds']:>9.1f}")
    ours = systems["zorgroute"]["next_step_accuracy"]
    for peer in ("rasa_default", "keyword"):
        margin = (ours - systems[peer]["next_step_accuracy"]) * 100
        verdict = "beats" if margin > 0 else "does NOT beat"
        lines.append(f"zorgroute {verdict} {peer} on next_step accuracy by {margin:+.1f} percentage points")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description="Routing quality on the held-out set against baselines.")
    parser.add_argument("--ours", type=Path, required=True, help="this project's trained model archive")
    parser.add_argument("--default", type=Path, required=True, help="the Rasa-default-pipeline model archive")
    parser.add_argument("--out", type=Path, required=True, help="directory for quality.json and the PNGs")
    parser.add_argument("--heldout", type=Path, default=HELDOUT, help="held-out JSONL (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        result = run(args.ours, args.default, args.heldout, args.out)
    except BenchError as exc:
        print(f"bench.quality: error: {exc}", file=sys.stderr)
        return 2
    print(format_table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
