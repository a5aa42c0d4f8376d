"""Rasa's own ``SQLTrackerStore``, configured from ``DATABASE_URL`` and riding out a database restart.

Rasa wraps every tracker store in a fail-safe store: when reading a tracker fails, it silently
starts a *new* conversation, and writes that one over the stored one afterwards. A PostgreSQL
restart would do exactly that with stock settings, because the pool still holds connections to the
old server. This subclass changes only two things:

- the engine checks a connection before using it (``pool_pre_ping``), so a restarted server costs
  a reconnect instead of an error;
- reads and writes are retried for ``retry_seconds`` while the database does not answer, so a
  restart of a few seconds delays the turn instead of losing the conversation.

endpoints file::

    tracker_store:
      type: bot.trackers.store.ResilientSQLTrackerStore
      database_url: ${DATABASE_URL}
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.errors import ConfigurationError, ZorgrouteError

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRY_PAUSE_SECONDS = 0.5


def store_arguments(database_url: str) -> dict[str, Any]:
    """``SQLTrackerStore`` keyword arguments for an SQLAlchemy URL.

    Raises:
        ConfigurationError: the URL cannot be parsed.
    """
    try:
        url = make_url(database_url)
        port = url.port
    except (sa.exc.ArgumentError, ValueError) as error:
        raise ConfigurationError("DATABASE_URL is not a usable database URL.") from error
    return {"dialect": url.drivername, "host": url.host, "port": port, "db": url.database or "rasa.db",
            "username": url.username, "password": url.password, "query": dict(url.query) or None}


class UnstorableConversationIdError(ZorgrouteError):
    """A conversation id that cannot be written as UTF-8 (a lone surrogate)."""


def _check_id(sender_id: str) -> None:
    # Rasa's session_scope turns the driver's UnicodeEncodeError into sys.exit(1): refuse such ids first.
    try:
        sender_id.encode("utf-8")
    except UnicodeEncodeError as error:
        raise UnstorableConversationIdError("conversation id is not valid UTF-8") from error


class ResilientSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` with a pre-pinged pool and bounded retries (see the module docstring)."""

    def __init__(self, domain: Any = None, host: str | None = None, event_broker: Any = None,
                 database_url: str | None = None, retry_seconds: float = 10.0, **kwargs: Any) -> None:
        """Connect like ``SQLTrackerStore``; ``database_url`` replaces dialect/host/port/db/user/password."""
        if database_url:
            kwargs.update(store_arguments(database_url))
        elif host:
            kwargs["host"] = host
        super().__init__(domain=domain, event_broker=event_broker, **kwargs)
        stock: sa.engine.Engine = self.engine  # type: ignore[has-type]
        url = stock.url
        stock.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self.retry_seconds = float(retry_seconds)

    async def _with_retries(self, what: str, call: Callable[[], Awaitable[T]]) -> T:
        deadline = time.monotonic() + self.retry_seconds
        while True:
            try:
                return await call()
            except (OperationalError, DBAPIError) as error:
                if time.monotonic() >= deadline or not _is_connection_problem(error):
                    raise
                log.warning("tracker store: %s failed (%s); retrying", what, type(error).__name__)
                await asyncio.sleep(RETRY_PAUSE_SECONDS)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """Read a tracker, waiting for the database for up to ``retry_seconds``."""
        _check_id(sender_id)
        return await self._with_retries("read", lambda: SQLTrackerStore.retrieve(self, sender_id))

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        """Read a tracker with all sessions, waiting for the database like ``retrieve``."""
        _check_id(conversation_id)
        return await self._with_retries(
            "read", lambda: SQLTrackerStore.retrieve_full_tracker(self, conversation_id))

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Write new events, waiting for the database for up to ``retry_seconds``."""
        _check_id(tracker.sender_id)
        await self._with_retries("write", lambda: SQLTrackerStore.save(self, tracker))


def _is_connection_problem(error: DBAPIError) -> bool:
    return isinstance(error, OperationalError) or bool(error.connection_invalidated)
