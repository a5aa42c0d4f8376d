"""Leave-one-author-out evaluation of the crisis rules and classifier (no Rasa, no held-out data).

Each ``corpus/crisis/crisis_*.yml`` file is one independent author. For every author in turn the
crisis classifier is trained exactly as :class:`bot.nlu.rasa_components.ZorgrouteCrisisScorer` trains
it (the ``crisis`` intent of ``data/nlu`` against all other intents, plus the corpus) but without that
author's file, and the left-out author's messages are scored: recall on their crisis messages and
false alarms on their hard negatives, the same two numbers the held-out crisis sets report. The
supplements (files not named ``crisis_*``) always stay in training.

This is the honest stand-in for a new author while choosing the threshold or a model variant: the
held-out sets in ``tests/crisis/heldout_messages*.jsonl`` are never read here. The intent model's
corroborated guess (the third detector) needs a trained Rasa model and is left out, so the full
system flags a little more than these numbers.

``python -m bench.crisis_authors [--thresholds 0.5 0.6 0.7] [--regularisation 10]`` prints a table.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.nlu.crisis_model import CRISIS_LABEL, CrisisClassifier, LabelledText, read_corpus_file, read_nlu_examples
from bot.safety import CrisisDetector, default_detector

ROOT = Path(__file__).resolve().parent.parent
AUTHOR_GLOB = "crisis_*.yml"


@dataclass(frozen=True)
class AuthorResult:
    """One left-out author: how many crises and hard negatives, and how many of each were flagged."""

    author: str
    crises: int
    negatives: int
    rules_found: int
    rules_false: int
    found: dict[float, int]
    false: dict[float, int]


def intent_examples(nlu_dir: Path) -> list[LabelledText]:
    """The intent training data as crisis / not crisis (what the scorer sees next to the corpus)."""
    return [LabelledText(text, intent == CRISIS_LABEL)
            for path in sorted(nlu_dir.glob("*.yml")) for text, intent in read_nlu_examples(path)]


def leave_one_author_out(
    corpus_dir: Path, nlu_dir: Path, thresholds: Sequence[float],
    train: Callable[[list[LabelledText]], CrisisClassifier], detector: CrisisDetector | None = None,
) -> list[AuthorResult]:
    """Train without each author in turn and count what is flagged in that author's messages.

    Raises:
        ValueError: the corpus has fewer than two authors.
    """
    authors = sorted(corpus_dir.glob(AUTHOR_GLOB))
    if len(authors) < 2:
        raise ValueError(f"need at least two author files ({AUTHOR_GLOB}) in {corpus_dir}")
    rules = detector or default_detector()
    base = intent_examples(nlu_dir)
    supplements = [item for path in sorted(corpus_dir.glob("*.yml")) if path not in authors
                   for item in read_corpus_file(path)]
    by_author = {path: read_corpus_file(path) for path in authors}
    results = []
    for left_out in authors:
        training = base + supplements + [item for path, items in by_author.items() if path != left_out
                                         for item in items]
        classifier = train(training)
        scored = [(item.crisis, rules.match(item.text) is not None, classifier.score(item.text))
                  for item in by_author[left_out]]
        results.append(AuthorResult(
            left_out.stem, sum(c for c, _, _ in scored), sum(not c for c, _, _ in scored),
            sum(1 for c, r, _ in scored if c and r), sum(1 for c, r, _ in scored if not c and r),
            {t: sum(1 for c, r, s in scored if c and (r or s >= t)) for t in thresholds},
            {t: sum(1 for c, r, s in scored if not c and (r or s >= t)) for t in thresholds}))
    return results


def format_table(results: Sequence[AuthorResult], thresholds: Sequence[float]) -> str:
    """Per author and pooled: recall / false-alarm rate of the rules alone and with the classifier."""
    header = f"{'author':<12}{'n+':>5}{'n-':>5}  {'rules':>11}" + "".join(f"  {f'>= {t:.2f}':>11}" for t in thresholds)
    lines = [header, "-" * len(header)]

    def cell(found: int, crises: int, false: int, negatives: int) -> str:
        return f"{found / crises:.3f}/{false / negatives:.3f}" if crises and negatives else "n/a"

    for r in results:
        cells = "".join(f"  {cell(r.found[t], r.crises, r.false[t], r.negatives):>11}" for t in thresholds)
        lines.append(f"{r.author:<12}{r.crises:>5}{r.negatives:>5}  "
                     f"{cell(r.rules_found, r.crises, r.rules_false, r.negatives):>11}{cells}")
    crises, negatives = sum(r.crises for r in results), sum(r.negatives for r in results)
    pooled = "".join(
        f"  {cell(sum(r.found[t] for r in results), crises, sum(r.false[t] for r in results), negatives):>11}"
        for t in thresholds)
    rules = cell(sum(r.rules_found for r in results), crises, sum(r.rules_false for r in results), negatives)
    lines.append(f"{'all':<12}{crises:>5}{negatives:>5}  {rules:>11}{pooled}")
    lines.append("cells: recall on the left-out author's crises / false-alarm rate on their hard negatives")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the leave-one-author-out table."""
    parser = argparse.ArgumentParser(prog="python -m bench.crisis_authors", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus" / "crisis")
    parser.add_argument("--nlu", type=Path, default=ROOT / "data" / "nlu")
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.4, 0.5, 0.6, 0.7, 0.8])
    parser.add_argument("--regularisation", type=float, default=10.0)
    args = parser.parse_args(argv)
    try:
        results = leave_one_author_out(args.corpus, args.nlu, args.thresholds,
                                       lambda items: CrisisClassifier.train(items, args.regularisation))
    except ValueError as problem:
        print(f"crisis_authors: {problem}", file=sys.stderr)
        return 2
    print(format_table(results, args.thresholds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
