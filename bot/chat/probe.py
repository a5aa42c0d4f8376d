"""Is the action server answering? Asked before every chat turn.

When Rasa cannot reach the action server in the middle of a turn, it records the failed actions in
the conversation and goes on, which can leave the conversation stuck afterwards. Checking first
means a turn only starts when the action server answers; otherwise the citizen gets the apology and
the conversation is left exactly as it was.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp

log = logging.getLogger(__name__)


class ActionServerProbe:
    """``GET /health`` on the action server with a short timeout (about a millisecond on loopback)."""

    def __init__(self, health_url: str, timeout_seconds: float = 2.0) -> None:
        self.health_url = health_url
        self.timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None

    async def healthy(self) -> bool:
        """True when the action server answered 200 within the timeout."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        try:
            async with self._session.get(self.health_url) as reply:
                ok = reply.status == 200
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            log.error("action server health check failed: %s", type(error).__name__)
            return False
        if not ok:
            log.error("action server health check answered %s", reply.status)
        return ok
