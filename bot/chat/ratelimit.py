"""Per-conversation rate limits: in memory (one process) or in Redis (shared by all replicas).

Both count messages per conversation in fixed windows of ``window_seconds``. Conversation ids are
hashed before they are used as keys, so Redis never holds the ids themselves.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable
from typing import Protocol

from bot.config import ChatLimits, RedisSettings
from bot.errors import ZorgrouteError

MAX_TRACKED_CONVERSATIONS = 100_000


class RateLimiterUnavailableError(ZorgrouteError):
    """The shared counter (Redis) cannot be reached."""


class RateLimiter(Protocol):
    """Counts one message of a conversation and says how long it must wait (0: go ahead)."""

    def wait_seconds(self, conversation_id: str) -> int:
        """Seconds until the conversation may send again; 0 when this message is allowed."""


def _wait(count: int, limit: int, now: float, window_seconds: int) -> int:
    """0 while ``count`` is within ``limit``, else the seconds until the current window ends (at least 1)."""
    if count <= limit:
        return 0
    return max(1, math.ceil((int(now // window_seconds) + 1) * window_seconds - now))


def conversation_key(conversation_id: str) -> str:
    """A short, stable stand-in for a conversation id (no personal data in keys)."""
    return hashlib.sha256(conversation_id.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class MemoryRateLimiter:
    """Fixed-window counters in this process (embedded mode: one Rasa process)."""

    def __init__(self, limits: ChatLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limits.messages_per_window
        self.window = limits.window_seconds
        self.clock = clock
        self._counts: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def wait_seconds(self, conversation_id: str) -> int:
        """Count the message in the current window."""
        now = self.clock()
        window = int(now // self.window)
        key = conversation_key(conversation_id)
        with self._lock:
            if len(self._counts) >= MAX_TRACKED_CONVERSATIONS:
                self._counts = {k: v for k, v in self._counts.items() if v[0] == window}
            seen_window, count = self._counts.get(key, (window, 0))
            count = count + 1 if seen_window == window else 1
            self._counts[key] = (window, count)
        return _wait(count, self.limit, now, self.window)


class RedisRateLimiter:
    """Fixed-window counters in Redis, so every replica sees the same count."""

    def __init__(self, limits: ChatLimits, settings: RedisSettings, clock: Callable[[], float] = time.time) -> None:
        import redis

        self.limit = limits.messages_per_window
        self.window = limits.window_seconds
        self.clock = clock
        self.client = redis.Redis(host=settings.host, port=settings.port, db=settings.db,
                                  password=settings.password or None, socket_timeout=2, socket_connect_timeout=2)

    def wait_seconds(self, conversation_id: str) -> int:
        """Count the message in the current window (INCR + EXPIRE in one transaction).

        Raises:
            RateLimiterUnavailableError: Redis does not answer.
        """
        import redis

        now = self.clock()
        window = int(now // self.window)
        key = f"zorgroute:rate:{conversation_key(conversation_id)}:{window}"
        try:
            pipeline = self.client.pipeline()
            pipeline.incr(key)
            pipeline.expire(key, self.window + 1)
            count = int(pipeline.execute()[0])
        except redis.RedisError as error:
            raise RateLimiterUnavailableError(f"Redis rate limiter: {type(error).__name__}") from error
        return _wait(count, self.limit, now, self.window)


def rate_limiter_from_settings(limits: ChatLimits, redis_settings: RedisSettings) -> RateLimiter:
    """Redis when a host is configured (replicas share counts), else this process's memory."""
    if redis_settings.enabled:
        return RedisRateLimiter(limits, redis_settings)
    return MemoryRateLimiter(limits)
