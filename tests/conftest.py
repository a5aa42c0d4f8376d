"""Shared fixtures. Model-backed fixtures load the trained model once per test session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.knowledge import DEFAULT_KNOWLEDGE_DIR, KnowledgeBase, default_knowledge

PROJECT_DIR = Path(__file__).resolve().parent.parent
SHARED_DIR = PROJECT_DIR.parent / "shared"


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return default_knowledge()


@pytest.fixture()
def knowledge_copy(tmp_path: Path) -> Path:
    """A writable copy of knowledge/ for tests that break it on purpose."""
    target = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, target)
    return target


@pytest.fixture(scope="session")
def nlp(kb: KnowledgeBase):
    """The Dutch spaCy pipeline, built in memory from the knowledge base."""
    from bot.nlu.pipeline import build_nlp

    return build_nlp(kb)


@pytest.fixture(scope="session")
def parser() -> Iterator[object]:
    """The trained Rasa model (``make train`` builds it before the tests run)."""
    from bot.nlu.parser import RasaParser, latest_model

    model = latest_model(PROJECT_DIR / "models")
    rasa_parser = RasaParser(model)
    yield rasa_parser
    rasa_parser.close()
