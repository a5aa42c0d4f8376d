"""Rasa's ``RedisLockStore`` with its ticket bookkeeping made atomic across replicas.

Rasa keeps the queue of a conversation (a ``TicketLock``) as one JSON value in Redis and changes it
by read-modify-write: issue a ticket, drop expired tickets, finish serving. Two replicas that take a
message of the same conversation at the same moment both read "no lock", both write a lock with
ticket 1, and both handle their message at once, against the same tracker (RasaHQ/rasa#9213; the
fix, ``ConcurrentRedisLockStore``, is not in Rasa Open Source). This subclass runs each of those
read-modify-write steps under a short Redis mutex (``SET NX`` with an expiry, redis-py's ``Lock``)
per conversation; waiting for one's turn stays exactly Rasa's.

endpoints file::

    lock_store:
      type: bot.trackers.lock_store.AtomicRedisLockStore
      url: ${REDIS_HOST}
      port: ${REDIS_PORT}
      password: ${REDIS_PASSWORD}
      db: ${REDIS_DB}
      key_prefix: zorgroute
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import redis
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

# Each guarded step is a few Redis round trips on loopback; the expiry only matters when a replica
# dies while holding the mutex.
MUTEX_SECONDS = 5.0


class AtomicRedisLockStore(RedisLockStore):
    """``RedisLockStore`` whose ticket changes are atomic per conversation (see the module docstring)."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, mutex_seconds: float = MUTEX_SECONDS,
                 **kwargs: Any) -> None:
        """Connect like ``RedisLockStore``; from an endpoints file the ``url`` is the Redis host."""
        if endpoint_config is not None:
            kwargs = {**endpoint_config.kwargs, **kwargs}
            if endpoint_config.url:
                kwargs.setdefault("host", endpoint_config.url)
        super().__init__(**kwargs)
        self.mutex_seconds = mutex_seconds

    @contextmanager
    def _mutex(self, conversation_id: str) -> Iterator[None]:
        mutex = self.red.lock(f"{self.key_prefix}{conversation_id}:mutex", timeout=self.mutex_seconds,
                              blocking_timeout=self.mutex_seconds)
        try:
            acquired = mutex.acquire()
        except redis.exceptions.RedisError as error:
            raise LockError(f"lock store unavailable: {type(error).__name__}") from error
        if not acquired:
            raise LockError(f"could not change the lock within {self.mutex_seconds} s")
        try:
            yield
        finally:
            # Expired (the step took longer than its expiry): nothing left to release.
            with suppress(redis.exceptions.LockError):
                mutex.release()

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Rasa's ``issue_ticket``, atomic per conversation.

        Raises:
            LockError: Redis is unreachable or busy beyond ``mutex_seconds``.
        """
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: str) -> None:
        """Rasa's ``update_lock`` (drop expired tickets), atomic per conversation."""
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Rasa's ``cleanup`` (finish serving, delete the lock when nobody waits), atomic per conversation."""
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)
