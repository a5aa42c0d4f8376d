"""Per-conversation rate limits: in memory and in a real redis-server shared by two "replicas"."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from bot.chat import ratelimit
from bot.chat.ratelimit import (
    MemoryRateLimiter,
    RateLimiterUnavailableError,
    RedisRateLimiter,
    conversation_key,
    rate_limiter_from_settings,
)
from bot.config import ChatLimits, RedisSettings
from deploy.local.services import RedisServer, free_port
from tests.redis_server import redis_settings, start_redis

LIMITS = ChatLimits(messages_per_window=3, window_seconds=60)
# 1000 s is 40 s into the window [960, 1020).
START = 1000.0
WRONG_PASSWORD = "fout"
ODD_IDS = [
    "x" * 10_000,
    "gesprek-mevrouw-de-Vries-Öğrenci-漢字-🙂",
    "half\ud800surrogaat",  # a lone surrogate, as a JSON "\ud800" escape decodes to
    "",
    "a:b:*:?[]{}\n",
]


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def send(limiter, conversation_id: str, times: int) -> list[int]:
    return [limiter.wait_seconds(conversation_id) for _ in range(times)]


# --- conversation keys ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("conversation_id", ODD_IDS, ids=["long", "unicode", "surrogate", "empty", "glob-chars"])
def test_conversation_key_is_a_fixed_length_hash_never_the_id(conversation_id):
    key = conversation_key(conversation_id)
    assert len(key) == 32 and all(char in "0123456789abcdef" for char in key)
    assert key == conversation_key(conversation_id)  # stable: the same conversation keeps its counter
    if conversation_id:
        assert conversation_id not in key


def test_different_ids_get_different_keys():
    keys = {conversation_key(conversation_id) for conversation_id in [*ODD_IDS, "burger-1", "burger-2", "Burger-1"]}
    assert len(keys) == len(ODD_IDS) + 3


# --- in memory -----------------------------------------------------------------------------------------------------

def test_memory_allows_the_limit_then_says_how_long_to_wait():
    clock = FakeClock()
    limiter = MemoryRateLimiter(LIMITS, clock=clock)
    assert send(limiter, "burger-1", 3) == [0, 0, 0]
    wait = limiter.wait_seconds("burger-1")
    assert wait == 20  # the window ends at 1020
    assert 1 <= wait <= LIMITS.window_seconds


@pytest.mark.parametrize(("now", "expected"), [(960.0, 60), (1019.2, 1), (1019.99, 1), (990.5, 30)])
def test_memory_wait_is_between_one_second_and_the_window(now, expected):
    limiter = MemoryRateLimiter(LIMITS, clock=FakeClock(now))
    send(limiter, "burger-1", 3)
    assert limiter.wait_seconds("burger-1") == expected


def test_memory_new_window_resets_the_count():
    clock = FakeClock()
    limiter = MemoryRateLimiter(LIMITS, clock=clock)
    send(limiter, "burger-1", 4)
    clock.now = 1019.9
    assert limiter.wait_seconds("burger-1") > 0  # still the same window
    clock.now = 1020.0
    assert send(limiter, "burger-1", 3) == [0, 0, 0]
    assert limiter.wait_seconds("burger-1") == 60


def test_memory_conversations_are_counted_separately():
    limiter = MemoryRateLimiter(LIMITS, clock=FakeClock())
    send(limiter, "burger-1", 5)
    assert send(limiter, "burger-2", 3) == [0, 0, 0]
    assert limiter.wait_seconds("burger-2") > 0
    assert limiter.wait_seconds("burger-1") > 0


@pytest.mark.parametrize("conversation_id", ODD_IDS, ids=["long", "unicode", "surrogate", "empty", "glob-chars"])
def test_memory_odd_ids_are_counted_under_their_hash(conversation_id):
    limiter = MemoryRateLimiter(LIMITS, clock=FakeClock())
    assert send(limiter, conversation_id, 3) == [0, 0, 0]
    assert limiter.wait_seconds(conversation_id) == 20
    assert list(limiter._counts) == [conversation_key(conversation_id)]


def test_memory_forgets_old_windows_when_full_but_keeps_current_counts(monkeypatch):
    monkeypatch.setattr(ratelimit, "MAX_TRACKED_CONVERSATIONS", 3)
    clock = FakeClock()
    limiter = MemoryRateLimiter(LIMITS, clock=clock)
    send(limiter, "oud-1", 1)
    send(limiter, "oud-2", 1)
    clock.now = 1020.0
    send(limiter, "nu", 3)  # the table fills up: the old window's entries go
    send(limiter, "nieuw", 1)
    assert len(limiter._counts) == 2
    assert limiter.wait_seconds("nu") == 60  # the current window's count survived the clean-up


# --- Redis ---------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def redis_server(tmp_path_factory) -> Iterator[RedisServer]:
    server = start_redis(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture()
def conversation() -> str:
    """A conversation id of its own per test (the Redis server is shared by the module)."""
    return f"burger-{secrets.token_hex(6)}"


def test_redis_allows_the_limit_then_says_how_long_to_wait(redis_server, conversation):
    limiter = RedisRateLimiter(LIMITS, redis_settings(redis_server), clock=FakeClock())
    assert send(limiter, conversation, 3) == [0, 0, 0]
    wait = limiter.wait_seconds(conversation)
    assert wait == 20 and 1 <= wait <= LIMITS.window_seconds


def test_redis_new_window_resets_and_conversations_are_separate(redis_server, conversation):
    clock = FakeClock()
    limiter = RedisRateLimiter(LIMITS, redis_settings(redis_server), clock=clock)
    send(limiter, conversation, 4)
    assert send(limiter, conversation + "-ander", 3) == [0, 0, 0]
    clock.now = 1019.5
    assert limiter.wait_seconds(conversation) == 1
    clock.now = 1020.0
    assert send(limiter, conversation, 3) == [0, 0, 0]
    assert limiter.wait_seconds(conversation) == 60


def test_two_replicas_share_one_count(redis_server, conversation):
    clock = FakeClock()
    first = RedisRateLimiter(LIMITS, redis_settings(redis_server), clock=clock)
    second = RedisRateLimiter(LIMITS, redis_settings(redis_server), clock=clock)
    assert [first.wait_seconds(conversation), second.wait_seconds(conversation), first.wait_seconds(conversation)] \
        == [0, 0, 0]
    assert second.wait_seconds(conversation) == 20
    assert first.wait_seconds(conversation) == 20


@pytest.mark.parametrize("conversation_id", ODD_IDS, ids=["long", "unicode", "surrogate", "empty", "glob-chars"])
def test_redis_keys_never_hold_the_conversation_id(redis_server, conversation_id):
    limiter = RedisRateLimiter(LIMITS, redis_settings(redis_server), clock=FakeClock(START + 60_000))
    assert send(limiter, conversation_id, 3) == [0, 0, 0]
    assert limiter.wait_seconds(conversation_id) == 20
    keys = [key.decode("utf-8", "surrogateescape") for key in limiter.client.scan_iter(match="*", count=1000)]
    expected = f"zorgroute:rate:{conversation_key(conversation_id)}:{int((START + 60_000) // 60)}"
    assert expected in keys
    assert all(len(key) < 100 for key in keys)
    if conversation_id:
        assert not any(conversation_id in key for key in keys)
    assert 0 < limiter.client.ttl(expected) <= LIMITS.window_seconds + 1  # counters do not pile up


def test_redis_down_is_a_named_error_not_a_redis_exception(tmp_path):
    import redis

    server = start_redis(tmp_path / "redis")
    limiter = RedisRateLimiter(LIMITS, redis_settings(server), clock=FakeClock())
    try:
        assert limiter.wait_seconds("burger-1") == 0
    finally:
        server.stop()
    with pytest.raises(RateLimiterUnavailableError) as problem:
        limiter.wait_seconds("burger-1")
    assert not isinstance(problem.value, redis.RedisError)
    assert isinstance(problem.value.__cause__, redis.RedisError)
    assert "burger-1" not in str(problem.value)


def test_redis_wrong_password_is_the_same_named_error(redis_server):
    settings = RedisSettings(host="127.0.0.1", port=redis_server.port, password=WRONG_PASSWORD)
    with pytest.raises(RateLimiterUnavailableError):
        RedisRateLimiter(LIMITS, settings, clock=FakeClock()).wait_seconds("burger-1")


def test_nothing_listening_is_the_same_named_error():
    settings = RedisSettings(host="127.0.0.1", port=free_port(), password=WRONG_PASSWORD)
    with pytest.raises(RateLimiterUnavailableError):
        RedisRateLimiter(LIMITS, settings).wait_seconds("burger-1")


# --- choosing one --------------------------------------------------------------------------------------------------

def test_settings_without_redis_host_give_the_memory_limiter():
    limiter = rate_limiter_from_settings(LIMITS, RedisSettings())
    assert isinstance(limiter, MemoryRateLimiter)
    assert limiter.limit == 3 and limiter.window == 60


def test_settings_with_redis_host_give_the_shared_limiter(redis_server, conversation):
    limiter = rate_limiter_from_settings(LIMITS, redis_settings(redis_server))
    assert isinstance(limiter, RedisRateLimiter)
    assert limiter.limit == 3 and limiter.window == 60
    # It really talks to that server (with the real clock this time).
    assert send(limiter, conversation, 3) == [0, 0, 0]
    assert 1 <= limiter.wait_seconds(conversation) <= 60
