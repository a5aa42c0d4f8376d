"""PostgreSQL, Redis and nginx from Debian's packages, each in a folder of its own, on loopback.

Used by ``make run-prod`` (``deploy.local.shape``) and by the tests, which start and stop these
servers for real to inject faults.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from bot.errors import ZorgrouteError


class ServiceError(ZorgrouteError):
    """A server could not be installed, started or stopped; the message says which and why."""


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, seconds: float) -> None:
    """Wait until something accepts connections on ``127.0.0.1:port``.

    Raises:
        ServiceError: nothing answered in time.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise ServiceError(f"nothing listens on 127.0.0.1:{port} after {seconds:.0f} s")


def wait_http(url: str, process: subprocess.Popen[bytes], seconds: float, name: str | None = None) -> None:
    """Wait until ``url`` answers 200 while ``process`` (the server behind it) keeps running.

    Raises:
        ServiceError: the process exited or nothing answered within ``seconds`` (``name`` says which server).
    """
    what = name or url
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServiceError(f"{what}: the process exited with code {process.returncode} while starting")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback URL built by the caller
                return
        except OSError:
            time.sleep(0.3)
    raise ServiceError(f"{what} did not answer {url} within {seconds:.0f} s")


def stop_processes(*processes: subprocess.Popen[bytes] | None, seconds: float = 30) -> None:
    """SIGTERM every process still running, then wait for each; SIGKILL one that outlives ``seconds``."""
    running = [process for process in processes if process is not None and process.poll() is None]
    for process in running:
        process.terminate()
    for process in running:
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL server's bin folder (Debian layout first)."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if candidates:
        return candidates[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


class PostgresCluster:
    """A PostgreSQL cluster in ``root`` (created on first use), listening on loopback only."""

    def __init__(self, root: Path, port: int) -> None:
        bin_dir = postgres_bin()
        if bin_dir is None:
            raise ServiceError("no PostgreSQL server binaries found (install the Debian package postgresql)")
        self.bin = bin_dir
        self.root = root
        self.data = root / "data"
        self.port = port
        self.as_postgres = os.geteuid() == 0  # initdb and postgres refuse to run as root

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            raise ServiceError(f"{tool} failed: {result.stderr.strip() or result.stdout.strip()}")

    def init(self, fsync: bool = True) -> None:
        """Create the cluster unless it exists (superuser ``postgres``, local trust on loopback)."""
        self.root.mkdir(parents=True, exist_ok=True)
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        if (self.data / "PG_VERSION").exists():
            return
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  *([] if fsync else ["--no-sync"]))

    def start(self, fsync: bool = True) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1" + ("" if fsync else " -c fsync=off")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "server.log"), "-w", "start")

    def stop(self) -> None:
        """Stop the server (fast: open connections are closed) and wait until it is down."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def is_running(self) -> bool:
        """Does the cluster have a running server?"""
        return (self.data / "postmaster.pid").exists()

    def url(self, database: str = "postgres", user: str = "postgres", password: str | None = None) -> str:
        """A SQLAlchemy URL for ``database`` on this server."""
        credentials = f"{user}:{password}" if password else user
        return f"postgresql+psycopg2://{credentials}@127.0.0.1:{self.port}/{database}"

    def ensure_database(self, name: str, user: str, password: str) -> None:
        """Create the role and database (owned by the role) unless they exist; set the password."""
        import psycopg2
        from psycopg2 import sql

        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (user,))
                verb = "ALTER" if cursor.fetchone() else "CREATE"
                cursor.execute(sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(user), sql.Literal(password)))
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
                if not cursor.fetchone():
                    cursor.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(
                        sql.Identifier(name), sql.Identifier(user)))
        finally:
            connection.close()


class RedisServer:
    """``redis-server`` on loopback with a password and no persistence (locks and counters only)."""

    def __init__(self, root: Path, port: int, password: str) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServiceError("redis-server not found (install the Debian package redis-server)")
        self.binary = binary
        self.root = root
        self.port = port
        self.password = password
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        self.root.mkdir(parents=True, exist_ok=True)
        config = self.root / "redis.conf"
        config.write_text(f"bind 127.0.0.1\nport {self.port}\nrequirepass {self.password}\nsave \"\"\n"
                          f"appendonly no\ndir {self.root}\nprotected-mode yes\n", encoding="utf-8")
        config.chmod(0o600)
        with (self.root / "redis.log").open("ab") as log:
            self.process = subprocess.Popen([self.binary, str(config)], stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, 30)

    def stop(self) -> None:
        """Stop the server and wait until it is gone."""
        stop_processes(self.process)
        self.process = None


NGINX_TEMP_DIRS = ("body", "proxy", "fastcgi", "uwsgi", "scgi")


class Nginx:
    """nginx in the foreground with a generated configuration in ``root``."""

    def __init__(self, root: Path, config_text: str) -> None:
        binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
        if binary is None:
            raise ServiceError("nginx not found (install the Debian package nginx)")
        self.binary = binary
        self.root = root
        self.config_text = config_text
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, port: int) -> None:
        """Write the configuration, check it, start nginx and wait for ``port``."""
        for name in NGINX_TEMP_DIRS:
            (self.root / "tmp" / name).mkdir(parents=True, exist_ok=True)
        config = self.root / "nginx.conf"
        config.write_text(self.config_text, encoding="utf-8")
        check = subprocess.run([self.binary, "-t", "-q", "-p", str(self.root), "-c", str(config)],
                               capture_output=True, text=True, check=False)
        if check.returncode != 0:
            raise ServiceError(f"nginx configuration is invalid: {check.stderr.strip()}")
        with (self.root / "nginx.out").open("ab") as log:
            self.process = subprocess.Popen([self.binary, "-p", str(self.root), "-c", str(config),
                                             "-g", "daemon off;"], stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(port, 30)

    def stop(self) -> None:
        """Stop nginx (quick shutdown)."""
        stop_processes(self.process)
        self.process = None
