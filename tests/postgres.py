"""A private PostgreSQL server for tests: initdb in a temporary folder, started on loopback.

The Debian packages (``postgresql``) provide the binaries; ``.ci/run`` installs them. Without them
the PostgreSQL tests are skipped on a developer machine, and fail when ZORGROUTE_REQUIRE_SYSTEM_PACKAGES=1
(as in CI), so CI can never pass without having run them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

from deploy.local.services import PostgresCluster, ServiceError, free_port, postgres_bin

REQUIRE_ENV = "ZORGROUTE_REQUIRE_SYSTEM_PACKAGES"


def skip_or_fail(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"PostgreSQL is required here but {reason}")
    pytest.skip(reason)


class PostgresServer(PostgresCluster):
    """One throw-away cluster (no fsync); ``url(db)`` gives a SQLAlchemy URL for a database on it."""

    def __init__(self) -> None:
        if postgres_bin() is None:
            skip_or_fail("no PostgreSQL server binaries were found (install the Debian package postgresql)")
        super().__init__(Path(tempfile.mkdtemp(prefix="zr-pg-")), free_port())
        self.init(fsync=False)
        self.start()

    def start(self, fsync: bool = False) -> None:
        """Start without fsync (test data need not survive a power cut)."""
        super().start(fsync=fsync)

    def create_database(self) -> str:
        import psycopg2
        from psycopg2 import sql

        name = f"zr_{uuid.uuid4().hex[:12]}"
        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        connection.close()
        return name

    def close(self) -> None:
        with contextlib.suppress(ServiceError):
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
