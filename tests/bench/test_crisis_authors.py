"""Leave-one-author-out evaluation of the crisis detection, on small corpora written for the test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.crisis_authors import format_table, leave_one_author_out, main
from bot.nlu.crisis_model import CrisisClassifier, LabelledText
from bot.safety import CrisisDetector


def write_nlu(path: Path, blocks: dict[str, list[str]]) -> None:
    lines = ['version: "3.1"', "nlu:"]
    for intent, texts in blocks.items():
        lines += [f"- intent: {intent}", "  examples: |", *(f"    - {t}" for t in texts)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


class WordClassifier(CrisisClassifier):
    """Scores 1.0 when the text has a word seen only in crisis training messages (records what it saw)."""

    def __init__(self, examples: list[LabelledText]) -> None:
        crisis_words = {w for e in examples if e.crisis for w in e.text.split()}
        other_words = {w for e in examples if not e.crisis for w in e.text.split()}
        self.words = crisis_words - other_words
        self.seen = {e.text for e in examples}

    def score(self, text: str) -> float:
        return 1.0 if self.words & set(text.split()) else 0.0


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, Path]:
    corpus_dir, nlu_dir = tmp_path / "corpus", tmp_path / "nlu"
    corpus_dir.mkdir()
    nlu_dir.mkdir()
    write_nlu(nlu_dir / "data.yml", {"crisis": ["ik wil dood"], "wmo": ["ik zoek een traplift"]})
    write_nlu(corpus_dir / "crisis_a.yml", {"crisis": ["pillen geslikt", "touw klaar"], "wmo": ["rolstoel kapot"]})
    write_nlu(corpus_dir / "crisis_b.yml", {"crisis": ["pillen opgespaard", "brug springen"],
                                            "zvw": ["pillen vergeten", "rolstoel nodig"]})
    write_nlu(corpus_dir / "supplement_x.yml", {"inform": ["maakt niet uit"]})
    return corpus_dir, nlu_dir


def test_each_author_is_scored_by_a_model_that_never_saw_it(corpus: tuple[Path, Path]) -> None:
    corpus_dir, nlu_dir = corpus
    trained: list[WordClassifier] = []

    def train(examples: list[LabelledText]) -> CrisisClassifier:
        trained.append(WordClassifier(examples))
        return trained[-1]

    results = leave_one_author_out(corpus_dir, nlu_dir, [0.5], train, CrisisDetector({}))
    assert [r.author for r in results] == ["crisis_a", "crisis_b"]
    # Without author a: its texts are unseen; the supplement and the intent data are always there.
    assert "pillen geslikt" not in trained[0].seen and "pillen opgespaard" in trained[0].seen
    assert {"maakt niet uit", "ik wil dood"} <= trained[0].seen and {"maakt niet uit", "ik wil dood"} <= trained[1].seen
    a, b = results
    # Author a: trained on b, where "pillen" is also in a hard negative, so none of a's texts is flagged.
    assert (a.crises, a.negatives, a.found[0.5], a.false[0.5]) == (2, 1, 0, 0)
    # Author b: "pillen" is a crisis-only word in a, so both b's "pillen" messages are flagged.
    assert (b.crises, b.negatives, b.found[0.5], b.false[0.5]) == (2, 2, 1, 1)


def test_rules_count_for_the_left_out_author_whatever_the_score(corpus: tuple[Path, Path]) -> None:
    corpus_dir, nlu_dir = corpus
    rules = CrisisDetector({"test": [re.compile("springen|touw")]})
    results = leave_one_author_out(corpus_dir, nlu_dir, [0.5, 2.0], WordClassifier, rules)
    by_author = {r.author: r for r in results}
    assert by_author["crisis_a"].rules_found == 1 and by_author["crisis_a"].found[2.0] == 1
    assert by_author["crisis_b"].rules_found == 1 and by_author["crisis_b"].rules_false == 0
    table = format_table(results, [0.5, 2.0])
    assert table.splitlines()[-2].split()[:3] == ["all", "4", "3"]
    assert "0.500/0.000" in table  # rules alone pooled: 2 of 4 crises, no false alarm


def test_one_author_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "nlu").mkdir()
    write_nlu(tmp_path / "crisis_a.yml", {"crisis": ["pillen geslikt"], "wmo": ["rolstoel"]})
    assert main(["--corpus", str(tmp_path), "--nlu", str(tmp_path / "nlu")]) == 2
    assert "at least two author files" in capsys.readouterr().err
