"""The production shape on loopback (``make run-prod``), broken on purpose.

One launcher run (``python -m deploy.local.shape``) brings up PostgreSQL, Redis, nginx, two Rasa
replicas and two action servers; each test breaks one part for real (SIGKILL, SIGSTOP, pg_ctl
stop, redis-server stopped) and checks what the citizen gets and what the stores hold afterwards.
The replica kill runs last: it leaves one replica.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from deploy.local.services import PostgresCluster, RedisServer, postgres_bin, stop_processes, wait_http
from tests.postgres import skip_or_fail
from tests.servers import VENV_BIN, start

pytestmark = [pytest.mark.model, pytest.mark.server, pytest.mark.production]

SECRETS = {name: secrets.token_urlsafe(18) for name in
           ("RASA_API_TOKEN", "ACTION_SERVER_TOKEN", "REDIS_PASSWORD", "ZORGROUTE_PG_PASSWORD")}
HJL_PHONE = "030 789 78 78"
HELP_REQUEST = "Het zorgkantoor zoekt al een jaar en vindt niks voor mijn broer"
SHAPE_SECONDS = 480


@dataclass
class Prod:
    state: dict
    run_dir: Path
    # Servers a test started again after breaking them; the fixture stops them at the end.
    restarted: list[subprocess.Popen] = field(default_factory=list)
    redis: RedisServer | None = None

    @property
    def webhook(self) -> str:
        return f"{self.state['public_url']}/webhooks/rest/webhook"

    def say(self, sender: str, message: str, timeout: float = 60) -> tuple[int, list[dict]]:
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(self.webhook, data=body, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as reply:
                return reply.status, json.loads(reply.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def tracker(self, sender: str) -> dict:
        """The stored conversation, read through the HTTP API of a replica that is alive."""
        for replica in self.state["rasa"]:
            url = (f"http://127.0.0.1:{replica['port']}/conversations/{sender}/tracker"
                   f"?token={SECRETS['RASA_API_TOKEN']}")
            try:
                with urllib.request.urlopen(url, timeout=30) as reply:
                    return json.loads(reply.read())
            except urllib.error.URLError:
                continue
        raise AssertionError("no Rasa replica answers")

    def postgres(self) -> PostgresCluster:
        return PostgresCluster(Path(self.state["postgres"]["root"]), self.state["postgres"]["port"])

    def database_url(self) -> str:
        return self.postgres().url("zorgroute", "zorgroute", SECRETS["ZORGROUTE_PG_PASSWORD"])

    def tickets_for(self, reference: str) -> int:
        import sqlalchemy as sa

        engine = sa.create_engine(self.database_url())
        try:
            with engine.connect() as connection:
                return connection.execute(sa.text("SELECT count(*) FROM tickets WHERE reference = :r"),
                                          {"r": reference}).scalar_one()
        finally:
            engine.dispose()

    def signal_actions(self, signum: int) -> None:
        for server in self.state["actions"]:
            os.kill(server["pid"], signum)


def text_of(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def refused_by_victim(port: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                time.sleep(0.2)
        except OSError:
            return
    raise AssertionError(f"port {port} still accepts connections")


def user_texts(tracker: dict) -> list[str]:
    return [e["text"] for e in tracker["events"] if e["event"] == "user"]


@pytest.fixture(scope="module")
def prod() -> Iterator[Prod]:
    for name, found in (("nginx", shutil.which("nginx") or Path("/usr/sbin/nginx").exists()),
                        ("redis-server", shutil.which("redis-server")), ("postgresql", postgres_bin())):
        if not found:
            skip_or_fail(f"{name} is not installed (make system-packages installs it)")
    run_dir = Path(tempfile.mkdtemp(prefix="zr-prod-"))
    from tests.servers import free_port

    log = run_dir / "shape.out"
    launcher = start([str(VENV_BIN / "python"), "-m", "deploy.local.shape", "--run-dir", str(run_dir),
                      "--port", str(free_port()), "--no-fsync"], SECRETS, log)
    try:
        deadline = time.monotonic() + SHAPE_SECONDS
        while not (run_dir / "shape.json").exists():
            if launcher.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the production shape did not start:\n{log.read_text()[-3000:]}")
            time.sleep(1)
        shape = Prod(json.loads((run_dir / "shape.json").read_text()), run_dir)
        yield shape
        stop_processes(*shape.restarted)
        if shape.redis is not None:
            shape.redis.stop()
    finally:
        launcher.send_signal(signal.SIGTERM)
        try:
            launcher.wait(timeout=120)
        except subprocess.TimeoutExpired:
            launcher.kill()
        shutil.rmtree(run_dir, ignore_errors=True)


def test_the_tracker_lives_in_postgresql_and_rasas_api_needs_the_token(prod):
    status, replies = prod.say("prod-store", HELP_REQUEST)
    assert status == 200 and "Welkom" in text_of(replies)
    port = prod.state["rasa"][0]["port"]
    for path in ("/conversations/prod-store/tracker", "/status", "/model"):
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                         method="PUT" if path == "/model" else "GET")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code in (401, 403), path
    # The public address does not lead to Rasa's API at all.
    with pytest.raises(urllib.error.HTTPError) as hidden:
        urllib.request.urlopen(f"{prod.state['public_url']}/conversations/prod-store/tracker"
                               f"?token={SECRETS['RASA_API_TOKEN']}", timeout=10)
    assert hidden.value.code == 404
    import sqlalchemy as sa

    engine = sa.create_engine(prod.database_url())
    with engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT count(*) FROM events WHERE sender_id = 'prod-store'")).scalar_one()
    engine.dispose()
    assert stored == len(prod.tracker("prod-store")["events"]) > 0


def test_action_server_calls_without_the_secret_are_refused(prod):
    port = prod.state["actions"][0]["port"]
    body = json.dumps({"next_action": "action_triage", "sender_id": "x", "tracker": {}, "domain": {}}).encode()
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        request = urllib.request.Request(f"http://127.0.0.1:{port}/webhook", data=body,
                                         headers={"Content-Type": "application/json", **headers})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 401


def test_action_server_slow_or_down_gets_an_apology_and_the_conversation_survives(prod):
    prod.say("prod-actions", HELP_REQUEST)
    before = prod.tracker("prod-actions")
    prod.signal_actions(signal.SIGSTOP)  # hanging: accepts connections, never answers
    try:
        status, replies = prod.say("prod-actions", "Nee, nog niet", timeout=30)  # no 300 s hang
    finally:
        prod.signal_actions(signal.SIGCONT)
    assert status == 503 and "Sorry" in text_of(replies) and HJL_PHONE in text_of(replies)
    assert prod.tracker("prod-actions")["events"] == before["events"]  # nothing half-done was stored

    prod.signal_actions(signal.SIGTERM)  # down: nothing listens
    time.sleep(2)
    status, replies = prod.say("prod-actions", "Nee, nog niet", timeout=30)
    assert status == 503 and HJL_PHONE in text_of(replies)
    assert prod.tracker("prod-actions")["events"] == before["events"]

    env = {"DATABASE_URL": prod.database_url(), "ACTION_SERVER_TOKEN": SECRETS["ACTION_SERVER_TOKEN"],
           "ZORGROUTE_OUTBOX_DIR": prod.state["outbox"]}
    for server in prod.state["actions"]:
        process = start([str(VENV_BIN / "python"), "-m", "bot", "actions", "--port", str(server["port"])], env,
                        prod.run_dir / f"actions-again-{server['port']}.log")
        wait_http(f"http://127.0.0.1:{server['port']}/health", process, 120)
        server["pid"] = process.pid
        prod.restarted.append(process)
    # nginx skips a failed server for a few seconds (fail_timeout) before trying it again.
    wait_http(prod.state["actions_url"].replace("/webhook", "/health"), prod.restarted[0], 60)
    status, replies = prod.say("prod-actions", "Nee, nog niet")
    assert status == 200 and any("custom" in m for m in replies)  # the answer card: it works again
    slots = prod.tracker("prod-actions")["slots"]
    assert slots["triage_state"]["text"] == HELP_REQUEST


def test_redis_down_is_a_clear_error_and_leaves_the_conversation_alone(prod):
    prod.say("prod-redis", HELP_REQUEST)
    before = prod.tracker("prod-redis")
    os.kill(prod.state["redis"]["pid"], signal.SIGTERM)
    time.sleep(1)
    prod.redis = RedisServer(Path(prod.state["redis"]["root"]), prod.state["redis"]["port"],
                             SECRETS["REDIS_PASSWORD"])
    status, replies = prod.say("prod-redis", "Nee, nog niet", timeout=60)
    assert status == 503 and "Sorry" in text_of(replies) and HJL_PHONE in text_of(replies)
    assert prod.tracker("prod-redis")["events"] == before["events"]
    prod.redis.start()
    status, replies = prod.say("prod-redis", "Nee, nog niet")
    assert status == 200 and any("custom" in m for m in replies)
    assert user_texts(prod.tracker("prod-redis")) == [HELP_REQUEST, "Nee, nog niet"]


def test_postgresql_restarted_during_a_handover_loses_and_duplicates_no_ticket(prod):
    sender = "prod-handover"
    prod.say(sender, HELP_REQUEST + ", bel me op 0612345678")
    _, card = prod.say(sender, "Nee, nog niet")
    for message in (card[-1]["buttons"][-1]["payload"], "Ja, stuur maar door", "Telefoon", "06-87654321",
                    "Liever geen naam", "na 18 uur"):
        status, _ = prod.say(sender, message)
        assert status == 200
    cluster = prod.postgres()
    cluster.stop()
    restart = threading.Timer(3.0, cluster.start, kwargs={"fsync": False})
    restart.start()
    try:
        status, done = prod.say(sender, "Ja, dat mag", timeout=60)  # waits for the database to come back
    finally:
        restart.join()
    assert status == 200, text_of(done)
    reference = re.search(r"ZR-[0-9A-Z]{7}", text_of(done)).group()
    deadline = time.monotonic() + 30  # a queued ticket is written by the drainer within seconds
    while prod.tickets_for(reference) == 0 and time.monotonic() < deadline:
        time.sleep(1)
    assert prod.tickets_for(reference) == 1
    # The same handover again: the same reference, still one ticket.
    for message in ("/request_human", "ja", "burger@example.nl", "Liever geen naam", "Maakt niet uit"):
        prod.say(sender, message)
    _, again = prod.say(sender, "Nee, liever niet")
    assert reference in text_of(again) and prod.tickets_for(reference) == 1
    assert not list(Path(prod.state["outbox"]).glob("*.json"))  # nothing left behind in the outbox
    slots = prod.tracker(sender)["slots"]
    assert slots["triage_state"]["text"].startswith(HELP_REQUEST)  # the conversation kept its state


def test_two_messages_of_one_conversation_at_once_are_handled_one_after_the_other(prod):
    sender = "prod-together"
    prod.say(sender, HELP_REQUEST)
    results: dict[str, tuple[int, list[dict]]] = {}
    barrier = threading.Barrier(2)

    def send(message: str) -> None:
        barrier.wait()
        results[message] = prod.say(sender, message)

    threads = [threading.Thread(target=send, args=(m,)) for m in ("Nee, nog niet", "Weet ik niet")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert {status for status, _ in results.values()} == {200}
    events = prod.tracker(sender)["events"]
    said = user_texts({"events": events})
    assert said[0] == HELP_REQUEST and sorted(said[1:]) == ["Nee, nog niet", "Weet ik niet"]
    # Not interleaved: after each message the assistant finished (action_listen) before the next one.
    kinds = [e["event"] if e["event"] == "user" else e.get("name") for e in events
             if e["event"] == "user" or (e["event"] == "action" and e.get("name") == "action_listen")]
    user_positions = [i for i, k in enumerate(kinds) if k == "user"]
    assert all(kinds[i + 1] == "action_listen" for i in user_positions)
    assert events[-1]["event"] == "action" and events[-1]["name"] == "action_listen"
    assert prod.tracker(sender)["slots"]["triage_state"]["text"] == HELP_REQUEST


def test_a_replica_killed_mid_conversation_the_other_one_carries_on(prod):
    sender = "prod-failover"
    prod.say(sender, HELP_REQUEST)
    prod.say(sender, "Nee, nog niet")  # two turns: round robin sent them to both replicas
    before = prod.tracker(sender)["slots"]
    victim = prod.state["rasa"][0]
    os.kill(victim["pid"], signal.SIGKILL)
    refused_by_victim(victim["port"])  # killed between two turns (a request in flight would get 502)
    status, replies = prod.say(sender, "Dat heb ik al geprobeerd")
    assert status == 200 and any("custom" in m for m in replies)
    after = prod.tracker(sender)
    assert after["slots"]["triage_state"]["text"] == before["triage_state"]["text"] == HELP_REQUEST
    assert user_texts(after) == [HELP_REQUEST, "Nee, nog niet", "Dat heb ik al geprobeerd"]
    decision = next(m["custom"] for m in replies if "custom" in m)
    assert decision["next_step"] == "vws_unit"  # escalated from where the conversation was

