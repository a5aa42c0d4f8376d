"""Load a trained Rasa model once and parse messages with it (for the CLI, tests and benchmarks)."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import Any

from bot.errors import ModelNotFoundError


def latest_model(models_dir: Path) -> Path:
    """The newest trained model archive in ``models_dir``.

    Raises:
        ModelNotFoundError: when there is none.
    """
    archives = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not archives:
        raise ModelNotFoundError(
            f"Geen getraind model gevonden in {models_dir}/. Train eerst het model met: make train"
        )
    return archives[-1]


def quiet_logging() -> None:
    """Keep TensorFlow noise and Rasa's debug logs (which contain message text) out of output."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ["LOG_LEVEL"] = "ERROR"
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.ERROR)
    for name in ("rasa", "tensorflow", "absl", "sanic", "rasa_sdk"):
        logging.getLogger(name).setLevel(logging.ERROR)


class RasaParser:
    """Parses text with a trained Rasa model; the model is loaded once per instance."""

    def __init__(self, model_path: Path) -> None:
        quiet_logging()
        from rasa.core.agent import Agent  # heavy import, only when a parser is built

        self.model_path = model_path
        self._loop = asyncio.new_event_loop()
        self._agent = Agent.load(str(model_path))

    def parse(self, text: str) -> dict[str, Any]:
        """Rasa's parse result for ``text`` (intent, intent_ranking, entities, text)."""
        return self._loop.run_until_complete(self._agent.parse_message(text))

    def close(self) -> None:
        """Release the event loop."""
        self._loop.close()
