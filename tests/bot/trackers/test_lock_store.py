"""The lock store of the replicas, against a real redis-server: one conversation, one turn at a time."""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from collections.abc import Iterator

import pytest
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.trackers.lock_store import AtomicRedisLockStore
from deploy.local.services import RedisServer, free_port
from tests.redis_server import start_redis

REPLICAS = 4


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory) -> Iterator[RedisServer]:
    server = start_redis(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


def replica(server: RedisServer) -> AtomicRedisLockStore:
    """A lock store as one Rasa replica makes it from deploy/endpoints.prod.yml."""
    config = EndpointConfig(url="127.0.0.1", type="bot.trackers.lock_store.AtomicRedisLockStore",
                            port=server.port, password=server.password, db=0, key_prefix="zorgroute")
    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore)
    return store


def at_once(work, count: int) -> list:
    """Run ``work(index)`` in ``count`` threads released together; the results in index order."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        results[index] = work(index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_replicas_issuing_tickets_at_the_same_instant_never_share_one(redis_server):
    conversation = f"gesprek-{secrets.token_hex(4)}"
    stores = [replica(redis_server) for _ in range(REPLICAS)]
    per_replica = 10

    def issue(index: int) -> list[int]:
        return [stores[index].issue_ticket(conversation) for _ in range(per_replica)]

    tickets = [number for numbers in at_once(issue, REPLICAS) for number in numbers]
    assert sorted(tickets) == list(range(REPLICAS * per_replica))  # Rasa numbers tickets from 0
    lock = stores[0].get_lock(conversation)
    assert lock is not None and [t.number for t in lock.tickets] == sorted(tickets)


def test_turns_of_one_conversation_on_several_replicas_never_overlap(redis_server):
    conversation = f"gesprek-{secrets.token_hex(4)}"
    stores = [replica(redis_server) for _ in range(REPLICAS)]
    busy = threading.Lock()
    overlaps: list[int] = []
    turns_per_replica = 3

    def replica_turns(index: int) -> int:
        async def turns() -> int:
            done = 0
            for _ in range(turns_per_replica):
                async with stores[index].lock(conversation, wait_time_in_seconds=0.01):
                    if not busy.acquire(blocking=False):
                        overlaps.append(index)
                        continue
                    try:
                        await asyncio.sleep(0.02)  # the turn: read tracker, predict, run actions, save
                    finally:
                        busy.release()
                done += 1
            return done

        return asyncio.run(turns())

    assert at_once(replica_turns, REPLICAS) == [turns_per_replica] * REPLICAS
    assert overlaps == []
    assert stores[0].get_lock(conversation) is None  # the last turn removed the lock


def test_a_mutex_left_by_a_dead_replica_expires(redis_server):
    conversation = f"gesprek-{secrets.token_hex(4)}"
    store = replica(redis_server)
    store.mutex_seconds = 1.0
    # A replica killed inside a guarded step leaves its mutex behind; it expires by itself.
    store.red.set(f"{store.key_prefix}{conversation}:mutex", "dood", px=800)
    started = time.monotonic()
    assert store.issue_ticket(conversation) == 0
    assert 0.5 < time.monotonic() - started < 5


def test_redis_down_is_a_lock_error_not_a_hang(tmp_path):
    nothing_listens = free_port()
    store = AtomicRedisLockStore(host="127.0.0.1", port=nothing_listens, socket_timeout=1)
    started = time.monotonic()
    with pytest.raises(LockError):
        store.issue_ticket("gesprek")
    assert time.monotonic() - started < 10
