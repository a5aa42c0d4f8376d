"""Database access: an engine per process (never at import time), sessions, Alembic migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_SECONDS = 30


def _configure_sqlite(engine: Engine) -> None:
    """Foreign keys on, WAL for concurrent readers, and writers that queue instead of failing.

    pysqlite's own transaction handling would start transactions late and break SAVEPOINTs;
    every unit of work here starts with ``BEGIN IMMEDIATE`` so two writers wait for each other.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000:d}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_db_engine(url: str) -> Engine:
    """An engine for ``url`` (SQLite files get their folder created)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, future=True,
                               connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, future=True, pool_pre_ping=True,
                         connect_args={"connect_timeout": 5} if parsed.get_backend_name() == "postgresql" else {})


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@dataclass
class Database:
    """An engine and its session factory; create one per process with :func:`open_database`."""

    engine: Engine
    sessions: sessionmaker

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One session, one transaction: committed at the end, rolled back on any error."""
        session: Session = self.sessions()
        try:
            with session.begin():
                yield session
        finally:
            session.close()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def open_database(url: str, *, run_migrations: bool = True) -> Database:
    """Connect to ``url`` and (by default) migrate it to the newest schema."""
    engine = create_db_engine(url)
    if run_migrations:
        migrate(engine)
    return Database(engine, sessionmaker(bind=engine, future=True, expire_on_commit=False))
