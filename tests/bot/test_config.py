"""The settings object: embedded defaults, overrides, and clear errors for unusable values."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.config import (
    DEFAULT_TRACKER_RETENTION_DAYS,
    PROJECT_DIR,
    ActionServerSettings,
    ChatLimits,
    RedisSettings,
    Settings,
)
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


# --- Redis, chat limits, the action server and tracker retention ---------------------------------------------------

def test_embedded_defaults_for_the_production_settings():
    settings = Settings.from_env(None, {})
    assert not settings.redis.enabled and settings.redis.port == 6379 and settings.redis.db == 0
    assert (settings.chat.messages_per_window, settings.chat.window_seconds) == (20, 60)
    assert settings.chat.max_body_bytes == 8192 and settings.chat.turn_timeout_seconds == 20
    assert settings.actions.host == "127.0.0.1" and settings.actions.port == 5055 and settings.actions.token == ""
    assert settings.actions.health_url == "http://127.0.0.1:5055/health"
    assert settings.tracker_database_url == settings.database_url
    assert settings.tracker_retention_days == DEFAULT_TRACKER_RETENTION_DAYS == 7


def test_redis_and_chat_settings_are_read():
    password = "geheim"
    settings = Settings.from_env(None, {
        "REDIS_HOST": " redis.internal ", "REDIS_PORT": "6380", "REDIS_PASSWORD": password, "REDIS_DB": "2",
        "ZORGROUTE_CHAT_RATE_LIMIT": "5/10", "ZORGROUTE_CHAT_MAX_BYTES": "4096", "ZORGROUTE_TURN_TIMEOUT_SECONDS": "9",
        "ZORGROUTE_TRACKER_DATABASE_URL": "postgresql+psycopg2://rasa@db/rasa", "ZORGROUTE_TRACKER_RETENTION_DAYS": "3",
    })
    assert settings.redis == RedisSettings(host="redis.internal", port=6380, password=password, db=2)
    assert settings.redis.enabled
    assert settings.chat == ChatLimits(max_body_bytes=4096, messages_per_window=5, window_seconds=10,
                                       turn_timeout_seconds=9)
    assert settings.tracker_database_url == "postgresql+psycopg2://rasa@db/rasa"
    assert settings.tracker_retention_days == 3


@pytest.mark.parametrize(("raw", "expected"), [("5/10", (5, 10)), (" 1/1 ", (1, 1)), ("20/60", (20, 60)),
                                               ("", (20, 60))])
def test_chat_rate_limit_is_messages_per_seconds(raw, expected):
    chat = Settings.from_env(None, {"ZORGROUTE_CHAT_RATE_LIMIT": raw}).chat
    assert (chat.messages_per_window, chat.window_seconds) == expected


@pytest.mark.parametrize("raw", ["abc", "0/10", "5/0", "5", "5/", "/10", "-1/10", "5/10/20", "vijf/tien", "5.5/10"])
def test_unusable_chat_rate_limit_names_the_variable(raw):
    with pytest.raises(ConfigurationError) as problem:
        Settings.from_env(None, {"ZORGROUTE_CHAT_RATE_LIMIT": raw})
    assert "ZORGROUTE_CHAT_RATE_LIMIT" in str(problem.value)


@pytest.mark.parametrize(("name", "value"), [
    ("REDIS_PORT", "zes"), ("REDIS_PORT", "0"), ("REDIS_DB", "-1"), ("ACTIONS_PORT", "x"),
    ("ZORGROUTE_CHAT_MAX_BYTES", "100"), ("ZORGROUTE_TURN_TIMEOUT_SECONDS", "0"),
    ("ZORGROUTE_TRACKER_RETENTION_DAYS", "0"), ("ZORGROUTE_TRACKER_RETENTION_DAYS", "week"),
])
def test_unusable_production_values_name_the_variable(name, value):
    with pytest.raises(ConfigurationError) as problem:
        Settings.from_env(None, {name: value})
    assert name in str(problem.value)


def test_action_server_settings_are_read():
    actions = Settings.from_env(None, {"ACTIONS_HOST": "  ", "ACTIONS_PORT": "5056", "ACTION_SERVER_TOKEN": "t0k3n",
                                       "ACTION_SERVER_URL": "http://actions.internal:5055/webhook"}).actions
    assert actions.host == "127.0.0.1"  # blank is the default: loopback only
    assert (actions.port, actions.token) == (5056, "t0k3n")
    assert actions.health_url == "http://actions.internal:5055/health"
    assert Settings.from_env(None, {"ACTIONS_HOST": "0.0.0.0"}).actions.host == "0.0.0.0"  # noqa: S104


@pytest.mark.parametrize(("url", "health"), [
    ("http://127.0.0.1:5055/webhook", "http://127.0.0.1:5055/health"),
    ("http://actions:5055/webhook/", "http://actions:5055/health"),
    ("https://zorgroute.example/acties/webhook", "https://zorgroute.example/acties/health"),
    ("http://actions:5055", "http://actions:5055/health"),
])
def test_health_url_sits_next_to_the_webhook(url, health):
    assert ActionServerSettings(url=url).health_url == health


def _promised_days(text: str) -> list[int]:
    return [int(number) for number in re.findall(r"(\d+) dagen", text)]


def test_privacy_texts_promise_the_tracker_retention_period():
    domain = yaml.safe_load((PROJECT_DIR / "domain.yml").read_text(encoding="utf-8"))
    for name in ("utter_privacy_notice", "utter_ask_privacy"):
        variants = domain["responses"][name]
        assert variants
        for variant in variants:
            assert _promised_days(variant["text"]) == [DEFAULT_TRACKER_RETENTION_DAYS], (name, variant["text"])
