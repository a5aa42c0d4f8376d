"""A private redis-server on loopback for tests (Debian's package; ``make system-packages``)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import NoReturn

import pytest

from bot.config import RedisSettings
from deploy.local.services import RedisServer, ServiceError, free_port


def skip_or_fail(reason: str) -> NoReturn:
    """Skip, or fail where the system packages are required (``make test``)."""
    if os.environ.get("ZORGROUTE_REQUIRE_SYSTEM_PACKAGES") == "1":
        pytest.fail(f"redis-server is required here but {reason}")
    pytest.skip(reason)


def start_redis(root: Path) -> RedisServer:
    """A started server with a fresh password, its files in ``root``."""
    try:
        server = RedisServer(root, free_port(), secrets.token_urlsafe(16))
    except ServiceError as error:
        skip_or_fail(str(error))
    server.start()
    return server


def redis_settings(server: RedisServer) -> RedisSettings:
    """The settings a replica would read to reach ``server``."""
    return RedisSettings(host="127.0.0.1", port=server.port, password=server.password)
