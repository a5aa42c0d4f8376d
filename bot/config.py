"""One settings object for the Python side, read from the environment (and ``.env``)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv

PROJECT_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Settings with embedded defaults; see the environment table in README.md."""

    models_dir: Path
    model_path: Path | None
    knowledge_dir: Path

    @classmethod
    def from_env(cls, env_file: Path | None = PROJECT_DIR / ".env") -> Settings:
        """Read the settings; values already in the environment win over ``.env``."""
        if env_file is not None and env_file.is_file():
            load_dotenv(env_file, override=False)
        model = os.environ.get("ZORGROUTE_MODEL")
        return cls(
            models_dir=Path(os.environ.get("ZORGROUTE_MODELS_DIR", PROJECT_DIR / "models")),
            model_path=Path(model) if model else None,
            knowledge_dir=Path(os.environ.get("ZORGROUTE_KNOWLEDGE_DIR", PROJECT_DIR / "knowledge")),
        )
