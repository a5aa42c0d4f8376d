"""One settings object for the Python side, read from the environment (and ``.env``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv

from bot.errors import ConfigurationError

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_RETENTION_DAYS = 90
# The privacy notice in domain.yml promises this (tests/bot/test_config.py checks it).
DEFAULT_TRACKER_RETENTION_DAYS = 7


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, not {value}.")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{name} must be true or false, not {raw!r}.")


def _rate(env: Mapping[str, str], name: str, default: tuple[int, int]) -> tuple[int, int]:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    count, _, seconds = raw.partition("/")
    try:
        parsed = int(count), int(seconds)
    except ValueError:
        raise ConfigurationError(f"{name} must look like 20/60 (messages/seconds), not {raw!r}.") from None
    if parsed[0] < 1 or parsed[1] < 1:
        raise ConfigurationError(f"{name} needs at least 1 message per at least 1 second, not {raw!r}.")
    return parsed


@dataclass(frozen=True)
class RedisSettings:
    """The Redis server shared by the replicas; ``host`` empty means none (embedded mode)."""

    host: str = ""
    port: int = 6379
    password: str = ""
    db: int = 0

    @property
    def enabled(self) -> bool:
        """A host is configured."""
        return bool(self.host)


@dataclass(frozen=True)
class ChatLimits:
    """Limits on the public chat endpoint, per request and per conversation."""

    max_body_bytes: int = 8192
    messages_per_window: int = 20
    window_seconds: int = 60
    # A turn that takes longer (a hanging action server) is cut off with an apology.
    turn_timeout_seconds: int = 20


@dataclass(frozen=True)
class ActionServerSettings:
    """Where the action server listens and the secret every call must carry."""

    host: str = "127.0.0.1"
    port: int = 5055
    token: str = ""
    # Where Rasa calls the action server (its webhook); the chat channel checks /health next to it.
    url: str = "http://127.0.0.1:5055/webhook"

    @property
    def health_url(self) -> str:
        """The action server's health check next to its webhook."""
        base = self.url.rstrip("/")
        return (base[: -len("/webhook")] if base.endswith("/webhook") else base) + "/health"


@dataclass(frozen=True)
class SmtpSettings:
    """Where new-ticket notifications go; ``host`` empty means notifications are off."""

    host: str = ""
    port: int = 25
    username: str = ""
    password: str = ""
    starttls: bool = False
    sender: str = "zorgroute@localhost"
    recipient: str = ""
    timeout_seconds: int = 10

    @property
    def enabled(self) -> bool:
        """Notifications are sent only with a host and a desk address."""
        return bool(self.host and self.recipient)


@dataclass(frozen=True)
class Settings:
    """Settings with embedded defaults; see the environment table in README.md."""

    models_dir: Path
    model_path: Path | None
    knowledge_dir: Path
    database_url: str
    outbox_dir: Path
    retention_days: int
    smtp: SmtpSettings
    web_port: int = 8080
    # Where browsers reach the Rasa REST channel (the chat widget posts there).
    public_rasa_url: str = "http://127.0.0.1:5005"
    # Send the console's session cookie only over HTTPS (set true behind TLS).
    cookie_secure: bool = False
    redis: RedisSettings = RedisSettings()
    chat: ChatLimits = ChatLimits()
    actions: ActionServerSettings = ActionServerSettings()
    # Rasa's tracker store (production: the same PostgreSQL database as the tickets).
    tracker_database_url: str = ""
    tracker_retention_days: int = DEFAULT_TRACKER_RETENTION_DAYS

    @classmethod
    def from_env(cls, env_file: Path | None = PROJECT_DIR / ".env",
                 environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings; values already in the environment win over ``.env``.

        Raises:
            ConfigurationError: a value cannot be used (names the variable).
        """
        if environ is None and env_file is not None and env_file.is_file():
            load_dotenv(env_file, override=False)
        env = os.environ if environ is None else environ
        model = env.get("ZORGROUTE_MODEL")
        data_dir = Path(env.get("ZORGROUTE_DATA_DIR") or PROJECT_DIR / "var")
        database_url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'zorgroute.db'}"
        rate = _rate(env, "ZORGROUTE_CHAT_RATE_LIMIT", (20, 60))
        return cls(
            models_dir=Path(env.get("ZORGROUTE_MODELS_DIR") or PROJECT_DIR / "models"),
            model_path=Path(model) if model else None,
            knowledge_dir=Path(env.get("ZORGROUTE_KNOWLEDGE_DIR") or PROJECT_DIR / "knowledge"),
            database_url=database_url,
            outbox_dir=Path(env.get("ZORGROUTE_OUTBOX_DIR") or data_dir / "outbox"),
            retention_days=_int(env, "ZORGROUTE_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, minimum=1),
            smtp=SmtpSettings(
                host=env.get("ZORGROUTE_SMTP_HOST", "").strip(),
                port=_int(env, "ZORGROUTE_SMTP_PORT", 25, minimum=1),
                username=env.get("ZORGROUTE_SMTP_USER", ""),
                password=env.get("ZORGROUTE_SMTP_PASSWORD", ""),
                starttls=_bool(env, "ZORGROUTE_SMTP_STARTTLS", False),
                sender=env.get("ZORGROUTE_NOTIFY_FROM") or "zorgroute@localhost",
                recipient=env.get("ZORGROUTE_NOTIFY_TO", "").strip(),
            ),
            web_port=_int(env, "ZORGROUTE_WEB_PORT", 8080, minimum=1),
            public_rasa_url=(env.get("ZORGROUTE_PUBLIC_RASA_URL") or
                             f"http://127.0.0.1:{env.get('RASA_PORT') or 5005}").rstrip("/"),
            cookie_secure=_bool(env, "ZORGROUTE_COOKIE_SECURE", False),
            redis=RedisSettings(
                host=env.get("REDIS_HOST", "").strip(),
                port=_int(env, "REDIS_PORT", 6379, minimum=1),
                password=env.get("REDIS_PASSWORD", ""),
                db=_int(env, "REDIS_DB", 0),
            ),
            chat=ChatLimits(
                max_body_bytes=_int(env, "ZORGROUTE_CHAT_MAX_BYTES", 8192, minimum=256),
                messages_per_window=rate[0],
                window_seconds=rate[1],
                turn_timeout_seconds=_int(env, "ZORGROUTE_TURN_TIMEOUT_SECONDS", 20, minimum=1),
            ),
            actions=ActionServerSettings(
                host=env.get("ACTIONS_HOST", "").strip() or "127.0.0.1",
                port=_int(env, "ACTIONS_PORT", 5055, minimum=1),
                token=env.get("ACTION_SERVER_TOKEN", ""),
                url=env.get("ACTION_SERVER_URL") or "http://127.0.0.1:5055/webhook",
            ),
            tracker_database_url=env.get("ZORGROUTE_TRACKER_DATABASE_URL") or database_url,
            tracker_retention_days=_int(env, "ZORGROUTE_TRACKER_RETENTION_DAYS", DEFAULT_TRACKER_RETENTION_DAYS,
                                        minimum=1),
        )
