"""The settings object: embedded defaults, overrides, and clear errors for unusable values."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import PROJECT_DIR, Settings
from bot.errors import ConfigurationError


def test_embedded_defaults():
    settings = Settings.from_env(None, {})
    assert settings.database_url == f"sqlite:///{PROJECT_DIR / 'var' / 'zorgroute.db'}"
    assert settings.outbox_dir == PROJECT_DIR / "var" / "outbox" and settings.retention_days == 90
    assert not settings.smtp.enabled


def test_overrides_and_dotenv(tmp_path: Path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text("ZORGROUTE_DATA_DIR=/srv/zr\nZORGROUTE_RETENTION_DAYS=30\n")
    monkeypatch.delenv("ZORGROUTE_DATA_DIR", raising=False)
    monkeypatch.delenv("ZORGROUTE_RETENTION_DAYS", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://u@h/db")
    settings = Settings.from_env(env_file)
    assert settings.database_url == "postgresql+psycopg2://u@h/db"
    assert settings.outbox_dir == Path("/srv/zr/outbox") and settings.retention_days == 30


@pytest.mark.parametrize(("name", "value"), [("ZORGROUTE_RETENTION_DAYS", "ninety"), ("ZORGROUTE_RETENTION_DAYS", "0"),
                                             ("ZORGROUTE_SMTP_PORT", "x"), ("ZORGROUTE_SMTP_STARTTLS", "misschien")])
def test_unusable_values_name_the_variable(name, value):
    with pytest.raises(ConfigurationError) as problem:
        Settings.from_env(None, {name: value})
    assert name in str(problem.value)
