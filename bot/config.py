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
        return cls(
            models_dir=Path(env.get("ZORGROUTE_MODELS_DIR") or PROJECT_DIR / "models"),
            model_path=Path(model) if model else None,
            knowledge_dir=Path(env.get("ZORGROUTE_KNOWLEDGE_DIR") or PROJECT_DIR / "knowledge"),
            database_url=env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'zorgroute.db'}",
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
        )
