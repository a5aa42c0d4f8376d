"""Start project servers on loopback for tests (waiting and stopping: deploy.local.services)."""

from __future__ import annotations

import os
import secrets
import subprocess
from pathlib import Path

from deploy.local.services import free_port, wait_http
from tests.conftest import PROJECT_DIR

VENV_BIN = PROJECT_DIR / ".venv" / "bin"
# The secret Rasa sends and the action server checks, made once per test run (never stored).
ACTION_SERVER_TOKEN = secrets.token_urlsafe(24)


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as handle:
        return subprocess.Popen(command, cwd=PROJECT_DIR,
                                env={**os.environ, "ACTION_SERVER_TOKEN": ACTION_SERVER_TOKEN, **env}, stdout=handle,
                                stderr=subprocess.STDOUT)


RASA_MAX_REQUEST_BYTES = 1_048_576  # as scripts/run.sh sets SANIC_REQUEST_MAX_SIZE
STARTUP_SECONDS = 180  # Rasa loads TensorFlow and the model first


def action_server(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    """The project's action server (rasa-sdk behind the token check) on a free port; returns it and its URL."""
    port = free_port()
    process = start([str(VENV_BIN / "python"), "-m", "bot", "actions", "--port", str(port)], env, log)
    return process, f"http://127.0.0.1:{port}"


def rasa_server(env: dict[str, str], log: Path, cors: str | None = None) -> tuple[subprocess.Popen, str]:
    """Rasa with the project's model on a free loopback port (``env`` names the action server)."""
    port = free_port()
    command = [str(VENV_BIN / "rasa"), "run", "--model", "models/zorgroute.tar.gz", "--endpoints", "endpoints.yml",
               "--credentials", "credentials.yml", "--interface", "127.0.0.1", "--port", str(port)]
    env = {"SANIC_REQUEST_MAX_SIZE": str(RASA_MAX_REQUEST_BYTES), **env}
    return start([*command, *(["--cors", cors] if cors else [])], env, log), f"http://127.0.0.1:{port}"


def web_server(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = start([str(VENV_BIN / "python"), "-m", "bot", "web", "--port", str(port)], env, log)
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/health", process, 60)
    return process, base


def add_staff(env: dict[str, str], username: str, password: str) -> None:
    subprocess.run([str(VENV_BIN / "python"), "-m", "bot", "staff", "add", username, "--password-stdin"],
                   input=password + "\n", text=True, cwd=PROJECT_DIR, env={**os.environ, **env}, check=True,
                   capture_output=True, timeout=120)
