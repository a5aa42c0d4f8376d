"""Start and stop the servers a benchmark measures, on loopback only, and sample their memory.

Two shapes:

* :class:`LocalStack`: the embedded shape (``make run``): one action server and one ``rasa run`` with
  a given model, ``endpoints.yml`` (in-memory tracker and lock store), SQLite tickets in a scratch
  folder, Rasa's HTTP API on (``--enable-api`` with a random token) for NLU-only parse timing;
* :class:`ShapeProcess`: the production shape (``python -m deploy.local.shape``) with N replicas.

Both set ``ZORGROUTE_CHAT_RATE_LIMIT`` to :data:`BENCH_RATE_LIMIT` (100000 messages per 60 s per
conversation): the public chat's default (20/60) would otherwise answer a fast benchmark client with
429. Every process is started in a session of its own so that :meth:`stop` can end the whole group.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from deploy.local.services import ServiceError, free_port, wait_http

PROJECT_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
BENCH_RATE_LIMIT = "100000/60"
ACTIONS_STARTUP_SECONDS = 120
SHAPE_STARTUP_SECONDS = 420  # PostgreSQL, Redis, nginx and N Rasa replicas loading on 2 cores
QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}


class StackError(ServiceError):
    """A server did not start or answer; the message names which one."""


def exit_on_sigterm(signum: int, _frame: object) -> None:
    """A SIGTERM handler that exits through the ``finally`` blocks, so they stop the servers."""
    raise SystemExit(128 + signum)


def spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start ``command`` in the project folder, in a new session, output to ``log``."""
    with log.open("ab") as handle:
        return subprocess.Popen(command, cwd=PROJECT_DIR, env={**os.environ, **QUIET_ENV, **env}, stdout=handle,
                                stderr=subprocess.STDOUT, start_new_session=True)


def stop_process(process: subprocess.Popen[bytes] | None, seconds: float = 30, group: bool = True) -> None:
    """SIGTERM (to the whole process group when ``group``); SIGKILL the group after ``seconds``.

    With ``group`` the group is also killed after a clean exit, so no child outlives the benchmark.
    """
    if process is None:
        return
    if process.poll() is None:
        try:
            if group:
                os.killpg(process.pid, signal.SIGTERM)
            else:
                process.terminate()
            process.wait(timeout=seconds)
            if not group:
                return
        except subprocess.TimeoutExpired:
            pass
        except ProcessLookupError:
            return
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    process.wait(timeout=10)


@dataclass
class LocalStack:
    """One action server and one Rasa server with ``model`` (the embedded shape)."""

    model: Path
    scratch: Path
    api_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    actions: subprocess.Popen[bytes] | None = None
    rasa: subprocess.Popen[bytes] | None = None
    actions_url: str = ""
    rasa_url: str = ""
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The environment both servers share (a fresh action server token per run).
        self.env.update({
            "ACTION_SERVER_TOKEN": secrets.token_urlsafe(24),
            "DATABASE_URL": f"sqlite:///{self.scratch / 'zr.db'}",
            "ZORGROUTE_OUTBOX_DIR": str(self.scratch / "outbox"),
            "ZORGROUTE_DATA_DIR": str(self.scratch),
            "ZORGROUTE_CHAT_RATE_LIMIT": BENCH_RATE_LIMIT,
            "SANIC_REQUEST_MAX_SIZE": "1048576",
        })

    def start_actions(self) -> None:
        """Start the action server and wait for its ``/health``.

        Raises:
            ServiceError: it did not start.
        """
        port = free_port()
        self.actions_url = f"http://127.0.0.1:{port}"
        self.env["ACTION_SERVER_URL"] = f"{self.actions_url}/webhook"
        self.actions = spawn([str(VENV_BIN / "python"), "-m", "bot", "actions", "--port", str(port)], self.env,
                             self.scratch / "actions.log")
        wait_http(f"{self.actions_url}/health", self.actions, ACTIONS_STARTUP_SECONDS, "the action server")

    def start_rasa(self) -> subprocess.Popen[bytes]:
        """Spawn ``rasa run`` with the model; returns at once (the caller times the first answer)."""
        port = free_port()
        self.rasa_url = f"http://127.0.0.1:{port}"
        self.rasa = spawn([str(VENV_BIN / "rasa"), "run", "--model", str(self.model), "--endpoints", "endpoints.yml",
                           "--credentials", "credentials.yml", "--enable-api", "--auth-token", self.api_token,
                           "--interface", "127.0.0.1", "--port", str(port)], self.env, self.scratch / "rasa.log")
        return self.rasa

    def log_tail(self, name: str, characters: int = 1500) -> str:
        """The end of a server's log (for error messages)."""
        path = self.scratch / f"{name}.log"
        return path.read_text(encoding="utf-8", errors="replace")[-characters:] if path.exists() else ""

    def stop(self) -> None:
        """Stop Rasa, then the action server; never raises."""
        for process in (self.rasa, self.actions):
            try:
                stop_process(process)
            except (OSError, subprocess.SubprocessError) as error:
                print(f"could not stop process {process.pid if process else '?'}: {error}", file=sys.stderr)


@dataclass
class ShapeProcess:
    """``python -m deploy.local.shape`` with ``replicas`` Rasa replicas, run in ``run_dir``."""

    run_dir: Path
    replicas: int
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    state: dict[str, object] = field(default_factory=dict)

    def start(self, seconds: float = SHAPE_STARTUP_SECONDS) -> str:
        """Start the shape and wait for ``shape.json``; returns the public URL.

        Raises:
            StackError: the launcher exited or the shape was not ready within ``seconds``.
        """
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.process = spawn([str(VENV_BIN / "python"), "-m", "deploy.local.shape", "--run-dir", str(self.run_dir),
                              "--port", str(self.port), "--replicas", str(self.replicas), "--no-fsync"],
                             {"ZORGROUTE_CHAT_RATE_LIMIT": BENCH_RATE_LIMIT}, self.run_dir / "shape.out")
        ready = self.run_dir / "shape.json"
        deadline = time.monotonic() + seconds
        while not ready.exists():
            if self.process.poll() is not None:
                raise StackError(f"the production shape ({self.replicas} replica(s)) exited with code "
                                 f"{self.process.returncode} while starting: {self.log_tail(300)!r}")
            if time.monotonic() > deadline:
                raise StackError(f"the production shape ({self.replicas} replica(s)) was not ready in {seconds:.0f} s")
            time.sleep(0.5)
        time.sleep(0.2)  # written in one call; give the write a moment to finish
        self.state = json.loads(ready.read_text(encoding="utf-8"))
        return str(self.state["public_url"])

    def log_tail(self, characters: int = 1500) -> str:
        """The end of the launcher's output."""
        path = self.run_dir / "shape.out"
        return path.read_text(encoding="utf-8", errors="replace")[-characters:] if path.exists() else ""

    def stop(self) -> None:
        """SIGTERM the launcher (it stops every part itself) and wait; kill its group if it hangs."""
        try:
            stop_process(self.process, seconds=150, group=False)
        except (OSError, subprocess.SubprocessError) as error:
            print(f"could not stop the production shape: {error}", file=sys.stderr)


def _children() -> dict[int, list[int]]:
    """Parent pid → child pids, from ``/proc/<pid>/stat``."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def rss_kb(pid: int) -> int:
    """Resident set size of one process in kB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def tree_rss_kb(pid: int, children: dict[int, list[int]]) -> int:
    """RSS of ``pid`` and all its descendants, in kB."""
    total, todo, seen = 0, [pid], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        total += rss_kb(current)
        todo.extend(children.get(current, []))
    return total


class PeakRss(threading.Thread):
    """Samples the RSS of named process trees every ``interval`` seconds and keeps each peak."""

    def __init__(self, interval: float = 0.5) -> None:
        super().__init__(daemon=True, name="peak-rss")
        self.interval = interval
        self.pids: dict[str, int] = {}
        self.peaks_kb: dict[str, int] = {}
        self._done = threading.Event()

    def watch(self, name: str, pid: int) -> None:
        """Add a process tree to sample."""
        self.pids[name] = pid

    def run(self) -> None:
        """Sample until :meth:`finish`."""
        while not self._done.is_set():
            children = _children()
            for name, pid in list(self.pids.items()):
                self.peaks_kb[name] = max(self.peaks_kb.get(name, 0), tree_rss_kb(pid, children))
            self._done.wait(self.interval)

    def finish(self) -> dict[str, float]:
        """Stop sampling; peak RSS per name in MB."""
        self._done.set()
        if self.is_alive():
            self.join(timeout=5)
        return {name: round(kb / 1024, 1) for name, kb in self.peaks_kb.items()}
