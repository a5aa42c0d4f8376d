"""Start project servers on loopback for tests: free ports, waiting until they answer, stopping them."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.conftest import PROJECT_DIR

VENV_BIN = PROJECT_DIR / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {seconds} s")


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as handle:
        return subprocess.Popen(command, cwd=PROJECT_DIR, env={**os.environ, **env}, stdout=handle,
                                stderr=subprocess.STDOUT)


def stop(*processes: subprocess.Popen) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


STARTUP_SECONDS = 180  # Rasa loads TensorFlow and the model first


def action_server(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    """The rasa-sdk action server on a free port; returns it and its webhook URL."""
    port = free_port()
    process = start([str(VENV_BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)], env, log)
    return process, f"http://127.0.0.1:{port}"


def rasa_server(env: dict[str, str], log: Path, cors: str | None = None) -> tuple[subprocess.Popen, str]:
    """Rasa with the project's model on a free loopback port (``env`` names the action server)."""
    port = free_port()
    command = [str(VENV_BIN / "rasa"), "run", "--model", "models/zorgroute.tar.gz", "--endpoints", "endpoints.yml",
               "--credentials", "credentials.yml", "--interface", "127.0.0.1", "--port", str(port)]
    return start([*command, *(["--cors", cors] if cors else [])], env, log), f"http://127.0.0.1:{port}"


def web_server(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = start([str(VENV_BIN / "python"), "-m", "bot", "web", "--port", str(port)], env, log)
    base = f"http://127.0.0.1:{port}"
    wait_for(f"{base}/health", process, 60)
    return process, base


def add_staff(env: dict[str, str], username: str, password: str) -> None:
    subprocess.run([str(VENV_BIN / "python"), "-m", "bot", "staff", "add", username, "--password-stdin"],
                   input=password + "\n", text=True, cwd=PROJECT_DIR, env={**os.environ, **env}, check=True,
                   capture_output=True, timeout=120)
