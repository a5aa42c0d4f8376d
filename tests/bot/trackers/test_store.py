"""The project's SQL tracker store on a real PostgreSQL server that is stopped and restarted under it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import OperationalError

from bot.errors import ConfigurationError
from bot.trackers.store import ResilientSQLTrackerStore, store_arguments
from tests.conftest import PROJECT_DIR
from tests.postgres import PostgresServer


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    """A server of its own: these tests stop it, which must not disturb the session's shared one."""
    server = PostgresServer()
    yield server
    server.close()


@pytest.fixture()
def running(postgres) -> Iterator[PostgresServer]:
    """The module's server, running at the start of the test and again after it."""
    if not (postgres.data / "postmaster.pid").exists():
        postgres.start()
    yield postgres
    if not (postgres.data / "postmaster.pid").exists():
        postgres.start()


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(PROJECT_DIR / "domain.yml")


def make_store(server: PostgresServer, domain: Domain, **kwargs) -> ResilientSQLTrackerStore:
    return ResilientSQLTrackerStore(domain=domain, database_url=server.url(server.create_database()), **kwargs)


def conversation(domain: Domain, sender_id: str = "burger-1") -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender_id, [
        ActionExecuted("action_listen"),
        UserUttered("Mijn moeder heeft een Wlz-indicatie maar er is geen plek",
                    {"name": "hulpvraag", "confidence": 0.93}),
        SlotSet("triage_state", {"feiten": {"wlz_indicatie": True}}),
        ActionExecuted("action_start_triage"),
        ActionExecuted("action_listen"),
    ], slots=domain.slots)


async def test_saved_tracker_reads_back_equal(running, domain):
    store = make_store(running, domain)
    tracker = conversation(domain)
    await store.save(tracker)
    retrieved = await store.retrieve("burger-1")
    assert retrieved == tracker
    assert retrieved is not None and len(retrieved.events) == 5
    assert retrieved.get_slot("triage_state") == {"feiten": {"wlz_indicatie": True}}
    assert retrieved.latest_message is not None and retrieved.latest_message.text.startswith("Mijn moeder")
    assert await store.retrieve("niemand") is None
    store.engine.dispose()


def test_the_engine_checks_connections_before_use(running, domain):
    store = make_store(running, domain)
    assert store.engine.pool._pre_ping is True
    assert store.engine.url.host == "127.0.0.1" and store.engine.url.port == running.port
    store.engine.dispose()


async def test_a_restart_of_postgresql_is_waited_out_not_a_new_conversation(running, domain):
    store = make_store(running, domain)
    tracker = conversation(domain)
    await store.save(tracker)
    await store.retrieve("burger-1")  # the pool now holds a connection to this server process
    running.stop()
    restart = threading.Timer(2.0, running.start)
    restart.start()
    started = time.monotonic()
    try:
        retrieved = await store.retrieve("burger-1")
    finally:
        restart.join()
    assert time.monotonic() - started >= 1.5  # it really waited for the restart
    assert retrieved == tracker
    store.engine.dispose()


async def test_a_write_during_a_restart_is_kept(running, domain):
    store = make_store(running, domain)
    tracker = conversation(domain)
    await store.save(tracker)
    running.stop()
    restart = threading.Timer(2.0, running.start)
    restart.start()
    tracker.update(UserUttered("Nee, nog niet", {"name": "ontkennen", "confidence": 0.9}))
    try:
        await store.save(tracker)
    finally:
        restart.join()
    retrieved = await store.retrieve("burger-1")
    assert retrieved is not None and retrieved.latest_message is not None
    assert retrieved.latest_message.text == "Nee, nog niet" and len(retrieved.events) == 6
    store.engine.dispose()


async def test_a_database_that_stays_down_raises_after_retry_seconds(running, domain):
    store = make_store(running, domain, retry_seconds=1)
    await store.save(conversation(domain))
    running.stop()
    started = time.monotonic()
    with pytest.raises(OperationalError):
        await store.retrieve("burger-1")
    assert 0.9 <= time.monotonic() - started < 5
    with pytest.raises(OperationalError):
        await store.save(conversation(domain, "burger-2"))
    store.engine.dispose()


def test_store_arguments_from_a_postgresql_url():
    arguments = store_arguments("postgresql+psycopg2://zorgroute:p%40ss%3Aw%2Frd@db.internal:5433/rasa?sslmode=require")
    assert arguments == {"dialect": "postgresql+psycopg2", "host": "db.internal", "port": 5433, "db": "rasa",
                         "username": "zorgroute", "password": "p@ss:w/rd", "query": {"sslmode": "require"}}


def test_store_arguments_from_a_sqlite_url(tmp_path):
    arguments = store_arguments(f"sqlite:///{tmp_path / 'rasa.db'}")
    assert arguments["dialect"] == "sqlite" and arguments["db"] == str(tmp_path / "rasa.db")
    assert arguments["host"] is None and arguments["query"] is None


@pytest.mark.parametrize("url", ["", "not a url", "://nohost", "postgresql+psycopg2//u@h/db"])
def test_a_bad_url_is_a_configuration_error(url):
    with pytest.raises(ConfigurationError) as problem:
        store_arguments(url)
    assert "DATABASE_URL" in str(problem.value)


def test_a_url_with_a_bad_port_is_a_configuration_error():
    with pytest.raises(ConfigurationError):
        store_arguments("postgresql+psycopg2://zorgroute@db:54x2/rasa")


def test_a_password_with_url_characters_reaches_the_engine(running, domain):
    # The test cluster trusts loopback, so any password connects; the point is that it arrives unmangled.
    url = f"postgresql+psycopg2://postgres:p%40ss%3Aw%2Frd@127.0.0.1:{running.port}/{running.create_database()}"
    store = ResilientSQLTrackerStore(domain=domain, database_url=url)
    assert store.engine.url.password == "p@ss:w/rd"
    store.engine.dispose()


async def test_a_sender_id_that_is_not_utf8_does_not_exit_the_process(running, domain):
    store = make_store(running, domain, retry_seconds=1)
    try:
        # parse_chat_request accepts this sender: the JSON escape "\ud800" decodes to a lone surrogate.
        try:
            result = await store.retrieve("burger-\ud800")
        except Exception:  # an ordinary error is fine: the fail-safe store and the channel handle it
            result = None
        assert result is None
    finally:
        store.engine.dispose()
