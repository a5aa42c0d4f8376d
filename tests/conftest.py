"""Shared fixtures. Model-backed fixtures load the trained model once per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.knowledge import DEFAULT_KNOWLEDGE_DIR, KnowledgeBase, default_knowledge

if TYPE_CHECKING:
    from bot.tickets.db import Database
    from tests.postgres import PostgresServer

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _find_shared_dir() -> Path:
    """The design card's shared material: $ZORGROUTE_SHARED_DIR, ../shared, or ../shared of a local origin.

    The last case covers a clean clone of a local checkout made elsewhere (``git clone . /tmp/x``).
    """
    if os.environ.get("ZORGROUTE_SHARED_DIR"):
        return Path(os.environ["ZORGROUTE_SHARED_DIR"])
    beside = PROJECT_DIR.parent / "shared"
    if beside.is_dir():
        return beside
    origin = subprocess.run(["git", "-C", str(PROJECT_DIR), "config", "--get", "remote.origin.url"],
                            capture_output=True, text=True, check=False).stdout.strip()
    if origin and Path(origin).is_dir():
        return Path(origin).resolve().parent / "shared"
    return beside


SHARED_DIR = _find_shared_dir()


# Every database test runs against SQLite and against a real PostgreSQL server, each with its own database.
@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    from tests.postgres import PostgresServer

    server = PostgresServer()
    yield server
    server.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tickets.db'}"
    server = request.getfixturevalue("postgres_server")
    return server.url(server.create_database())


@pytest.fixture()
def database(database_url: str) -> Iterator[Database]:
    from bot.tickets.db import open_database

    opened = open_database(database_url)
    yield opened
    opened.dispose()


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return default_knowledge()


@pytest.fixture()
def knowledge_copy(tmp_path: Path) -> Path:
    """A writable copy of knowledge/ for tests that break it on purpose."""
    target = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, target)
    return target


@pytest.fixture(scope="session")
def nlp(kb: KnowledgeBase):
    """The Dutch spaCy pipeline, built in memory from the knowledge base."""
    from bot.nlu.pipeline import build_nlp

    return build_nlp(kb)


@pytest.fixture(scope="session")
def parser() -> Iterator[object]:
    """The trained Rasa model (``make train`` builds it before the tests run)."""
    from bot.nlu.parser import RasaParser, latest_model

    model = latest_model(PROJECT_DIR / "models")
    rasa_parser = RasaParser(model)
    yield rasa_parser
    rasa_parser.close()


# --- One Rasa + action server pair on loopback, shared by the chat tests (started on first use) ---

@pytest.fixture(scope="session")
def ticket_env(tmp_path_factory) -> dict[str, str]:
    """Where the action server of these tests stores tickets (its own SQLite file and outbox)."""
    data = tmp_path_factory.mktemp("tickets")
    return {"DATABASE_URL": f"sqlite:///{data / 'tickets.db'}", "ZORGROUTE_OUTBOX_DIR": str(data / "outbox")}


@pytest.fixture(scope="session")
def server_logs(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("logs")


@pytest.fixture(scope="session")
def chat_url(server_logs, ticket_env) -> Iterator[str]:
    """Rasa's chat endpoint of one Rasa + action server pair shared by the REST and hostile-input tests."""
    from deploy.local.services import stop_processes, wait_http
    from tests.servers import STARTUP_SECONDS, action_server, rasa_server

    actions, actions_url = action_server({**ticket_env, "TF_CPP_MIN_LOG_LEVEL": "3"}, server_logs / "actions.log")
    env = {**ticket_env, "ACTION_SERVER_URL": f"{actions_url}/webhook", "TF_CPP_MIN_LOG_LEVEL": "3"}
    rasa, rasa_url = rasa_server(env, server_logs / "rasa.log")
    try:
        wait_http(f"{actions_url}/health", actions, STARTUP_SECONDS)
        wait_http(f"{rasa_url}/", rasa, STARTUP_SECONDS)
        yield f"{rasa_url}/webhooks/rest/webhook"
    finally:
        stop_processes(rasa, actions)
