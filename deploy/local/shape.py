"""``make run-prod``: the production shape on one machine, exactly as it would run on several.

PostgreSQL (tracker store and tickets) and Redis (lock store, rate limits) from Debian's packages,
N action servers and N Rasa replicas, the ticket outbox drainer, the web front end, and nginx in
front: one public address (``http://127.0.0.1:8000`` by default) and one internal address for the
action servers. Everything listens on loopback only.

Secrets come from the environment (or ``.env``); missing ones are made once and kept in
``<run-dir>/secrets.env`` (mode 0600), so a restart finds its database again. When everything
answers, ``<run-dir>/shape.json`` says which process listens where (no secrets in it).

Usage: ``python -m deploy.local.shape [--run-dir var/prod] [--port 8000] [--replicas 2]``
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values, load_dotenv

from deploy.local import nginx
from deploy.local.services import (
    Nginx,
    PostgresCluster,
    RedisServer,
    ServiceError,
    free_port,
    stop_processes,
    wait_http,
)

PROJECT_DIR = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
STARTUP_SECONDS = 300  # two Rasa replicas load TensorFlow and the model on two cores
SECRET_NAMES = ("RASA_API_TOKEN", "ACTION_SERVER_TOKEN", "REDIS_PASSWORD", "ZORGROUTE_PG_PASSWORD")
DATABASE = "zorgroute"


def load_secrets(run_dir: Path, environ: Mapping[str, str]) -> dict[str, str]:
    """Each secret from the environment, else from ``secrets.env`` in the run folder, else new."""
    path = run_dir / "secrets.env"
    kept = {k: v for k, v in dotenv_values(path).items() if v} if path.exists() else {}
    values = {name: environ.get(name) or kept.get(name) or secrets.token_urlsafe(24) for name in SECRET_NAMES}
    if values != kept:
        path.write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
    path.chmod(0o600)
    return values


@dataclass
class Shape:
    """The running production shape; :meth:`start` brings it up, :meth:`stop` takes it down."""

    run_dir: Path
    public_port: int = 8000
    replicas: int = 2
    fsync: bool = True
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    state: dict[str, object] = field(default_factory=dict)

    def _spawn(self, name: str, command: list[str], env: Mapping[str, str]) -> subprocess.Popen[bytes]:
        with (self.run_dir / "logs" / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(command, cwd=PROJECT_DIR, env={**os.environ, **env}, stdout=log,
                                       stderr=subprocess.STDOUT)
        self.processes[name] = process
        return process

    def start(self) -> None:
        """Start every part in dependency order and write ``shape.json``.

        Raises:
            ServiceError: a part did not start (the message names it).
        """
        (self.run_dir / "logs").mkdir(parents=True, exist_ok=True)
        self.run_dir.chmod(0o711)  # others (the postgres user) may pass through, not list
        secret = load_secrets(self.run_dir, os.environ)
        self.postgres = PostgresCluster(self.run_dir / "postgres", free_port())
        self.postgres.init(fsync=self.fsync)
        self.postgres.start(fsync=self.fsync)
        self.postgres.ensure_database(DATABASE, DATABASE, secret["ZORGROUTE_PG_PASSWORD"])
        self.redis = RedisServer(self.run_dir / "redis", free_port(), secret["REDIS_PASSWORD"])
        self.redis.start()

        actions_lb, web_port = free_port(), free_port()
        rasa_ports = [free_port() for _ in range(self.replicas)]
        action_ports = [free_port() for _ in range(self.replicas)]
        env = {
            "DATABASE_URL": self.postgres.url(DATABASE, DATABASE, secret["ZORGROUTE_PG_PASSWORD"]),
            "REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(self.redis.port),
            "REDIS_PASSWORD": secret["REDIS_PASSWORD"], "REDIS_DB": os.environ.get("REDIS_DB", "0"),
            "ACTION_SERVER_URL": f"http://127.0.0.1:{actions_lb}/webhook",
            "ACTION_SERVER_TOKEN": secret["ACTION_SERVER_TOKEN"],
            "ZORGROUTE_OUTBOX_DIR": os.environ.get("ZORGROUTE_OUTBOX_DIR") or str(self.run_dir / "outbox"),
            "ZORGROUTE_PUBLIC_RASA_URL": f"http://127.0.0.1:{self.public_port}",
            # Rasa's tracker store pool per replica; see README for the connection arithmetic.
            "SQL_POOL_SIZE": os.environ.get("SQL_POOL_SIZE", "5"),
            "SQL_MAX_OVERFLOW": os.environ.get("SQL_MAX_OVERFLOW", "5"),
            "TF_CPP_MIN_LOG_LEVEL": "3", "RASA_TELEMETRY_ENABLED": "false",
        }
        for job in (["tickets", "migrate"], ["trackers", "purge"]):  # schema first; retention at every start
            subprocess.run([str(VENV_BIN / "python"), "-m", "bot", *job], cwd=PROJECT_DIR,
                           env={**os.environ, **env}, check=True, capture_output=True, timeout=120)
        for number, port in enumerate(action_ports, start=1):
            self._spawn(f"actions-{number}", [str(VENV_BIN / "python"), "-m", "bot", "actions", "--port", str(port)],
                        env)
        self._spawn("drainer", [str(VENV_BIN / "python"), "-m", "bot", "tickets", "drain", "--watch", "5"], env)
        rasa_env = {**env, "SANIC_REQUEST_MAX_SIZE": os.environ.get("SANIC_REQUEST_MAX_SIZE", "1048576")}
        for number, port in enumerate(rasa_ports, start=1):
            self._spawn(f"rasa-{number}", [
                str(VENV_BIN / "rasa"), "run", "--model", "models/zorgroute.tar.gz",
                "--endpoints", "deploy/endpoints.prod.yml", "--credentials", "credentials.yml",
                "--enable-api", "--auth-token", secret["RASA_API_TOKEN"],
                "--interface", "127.0.0.1", "--port", str(port)], rasa_env)
        self._spawn("web", [str(VENV_BIN / "python"), "-m", "bot", "web", "--port", str(web_port)], env)
        self.nginx = Nginx(self.run_dir / "nginx", nginx.render(
            self.run_dir / "nginx", self.public_port, actions_lb, rasa_ports, action_ports, web_port))
        self.nginx.start(self.public_port)

        for number, port in enumerate(action_ports, start=1):
            wait_http(f"http://127.0.0.1:{port}/health", self.processes[f"actions-{number}"], 120)
        wait_http(f"http://127.0.0.1:{web_port}/health", self.processes["web"], 120)
        for number, port in enumerate(rasa_ports, start=1):
            wait_http(f"http://127.0.0.1:{port}/", self.processes[f"rasa-{number}"], STARTUP_SECONDS)

        self.state = {
            "public_url": f"http://127.0.0.1:{self.public_port}",
            "actions_url": env["ACTION_SERVER_URL"],
            "postgres": {"root": str(self.postgres.root), "port": self.postgres.port, "database": DATABASE},
            "redis": {"root": str(self.redis.root), "port": self.redis.port,
                      "pid": self.redis.process.pid if self.redis.process else None},
            "rasa": [{"port": port, "pid": self.processes[f"rasa-{n}"].pid}
                     for n, port in enumerate(rasa_ports, start=1)],
            "actions": [{"port": port, "pid": self.processes[f"actions-{n}"].pid}
                        for n, port in enumerate(action_ports, start=1)],
            "web": {"port": web_port, "pid": self.processes["web"].pid},
            "drainer": {"pid": self.processes["drainer"].pid},
            "outbox": env["ZORGROUTE_OUTBOX_DIR"],
        }
        (self.run_dir / "shape.json").write_text(json.dumps(self.state, indent=2), encoding="utf-8")

    def stop(self) -> None:
        """Stop everything, front to back; never raises."""
        if getattr(self, "nginx", None) is not None:
            self.nginx.stop()
        stop_processes(*reversed(self.processes.values()))
        if getattr(self, "redis", None) is not None:
            self.redis.stop()
        if getattr(self, "postgres", None) is not None and self.postgres.is_running():
            try:
                self.postgres.stop()
            except ServiceError as error:
                print(f"PostgreSQL did not stop: {error}", file=sys.stderr)
        (self.run_dir / "shape.json").unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    """Start the shape, print where it is, and run until Ctrl-C or SIGTERM."""
    load_dotenv(PROJECT_DIR / ".env", override=False)
    parser = argparse.ArgumentParser(prog="python -m deploy.local.shape", description=__doc__.split("\n")[0])
    parser.add_argument("--run-dir", type=Path, default=PROJECT_DIR / "var" / "prod")
    parser.add_argument("--port", type=int, default=int(os.environ.get("ZORGROUTE_PROD_PORT", "8000")))
    parser.add_argument("--replicas", type=int, default=2, help="Rasa replicas and action servers, each")
    parser.add_argument("--no-fsync", action="store_true", help="PostgreSQL without fsync (tests only)")
    args = parser.parse_args(argv)
    shape = Shape(args.run_dir.resolve(), args.port, args.replicas, fsync=not args.no_fsync)

    def _stop(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        shape.start()
        print(f"Zorgroute (production shape) runs: {shape.state['public_url']}/  (chat, information page, "
              f"console at /console). Logs: {args.run_dir}/logs. Stop with Ctrl-C.", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    except (ServiceError, subprocess.CalledProcessError) as error:
        print(f"The production shape did not start: {error}", file=sys.stderr)
        return 1
    finally:
        shape.stop()


if __name__ == "__main__":
    sys.exit(main())
