"""All contract examples in ../shared/examples/triage_examples.jsonl, through the trained model."""

from __future__ import annotations

import json

import pytest

from bot.triage import Triage
from tests.conftest import SHARED_DIR

EXAMPLES = [json.loads(line) for line in
            (SHARED_DIR / "examples" / "triage_examples.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]

pytestmark = pytest.mark.model


def test_there_are_24_examples():
    assert len(EXAMPLES) == 24


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["text"][:40] for e in EXAMPLES])
def test_contract_example(parser, kb, example):
    decision = Triage(kb).decide_parse(parser.parse(example["text"]))
    assert decision.category in [example["category"], *example.get("category_alt", [])]
    assert decision.next_step in example["next_step"]
    assert decision.handover in example["handover"]
