"""The guarded REST chat channel: request checks, limits, the health probe and the Dutch apology."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.chat import texts
from bot.chat.channel import MAX_SENDER_CHARS, GuardedRestInput, RequestProblem, parse_chat_request
from bot.chat.probe import ActionServerProbe
from bot.chat.ratelimit import MemoryRateLimiter, RedisRateLimiter
from bot.config import ChatLimits, RedisSettings
from tests.servers import free_port

DESK_PHONE = "030 789 78 78"
PRIVATE_TEXT = "Mijn BSN is 123456782 en ik woon op de Dorpsstraat 12"


def body(sender: object = "burger-1", message: object = "Ik zoek hulp voor mijn moeder", **extra: object) -> bytes:
    return json.dumps({"sender": sender, "message": message, **extra}).encode("utf-8")


# --- parse_chat_request --------------------------------------------------------------------------------------------

def test_a_valid_request_gives_sender_and_text():
    assert parse_chat_request(body("burger-1", "Hallo, ik heb een vraag")) == ("burger-1", "Hallo, ik heb een vraag")
    assert parse_chat_request(body("b" * MAX_SENDER_CHARS, "")) == ("b" * 128, "")
    assert parse_chat_request(body("ü-🙂", "ëéï 🙂")) == ("ü-🙂", "ëéï 🙂")


@pytest.mark.parametrize("raw", [
    "Hallo".encode("latin-1") + b"\xe9\xff",
    '{"sender": "a", "message": "caf\xe9"}'.encode("latin-1"),
    b"",
    b"sender=a&message=hallo",
    b'{"sender": "a", "message": "hallo"',
    b'[{"sender": "a", "message": "hallo"}]',
    b'"hallo"',
    b"null",
    json.dumps({"message": "hallo"}).encode(),
    body(None),
    body(""),
    body("   "),
    body(12),
    body("b" * (MAX_SENDER_CHARS + 1)),
    body("burger\x00-1"),
    body("burger\n1"),
    body("burger\x1b[31m"),
    body("burger-1", 12),
    body("burger-1", None),
    body("burger-1", {"text": "hallo"}),
    body("burger-1", ["hallo"]),
    json.dumps({"sender": "burger-1"}).encode(),
], ids=["not-utf8", "latin1-json", "empty", "form", "broken-json", "json-list", "json-string", "json-null",
        "no-sender", "sender-null", "sender-empty", "sender-spaces", "sender-number", "sender-129-chars",
        "sender-nul", "sender-newline", "sender-escape", "message-number", "message-null", "message-object",
        "message-list", "no-message"])
def test_malformed_requests_are_a_request_problem(raw):
    with pytest.raises(RequestProblem):
        parse_chat_request(raw)


# --- a real action server health endpoint --------------------------------------------------------------------------

class _Health(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status = 200 if self.path == "/health" else 500
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def health_server() -> Iterator[str]:
    """A tiny HTTP server on loopback: 200 on /health, 500 elsewhere."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture()
def silent_server() -> Iterator[str]:
    """Accepts connections (the kernel does) but never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture()
async def make_probe() -> AsyncIterator[Callable[..., ActionServerProbe]]:
    made: list[ActionServerProbe] = []

    def make(url: str, timeout_seconds: float = 0.5) -> ActionServerProbe:
        probe = ActionServerProbe(url, timeout_seconds=timeout_seconds)
        made.append(probe)
        return probe

    yield make
    for probe in made:
        if probe._session is not None:
            await probe._session.close()


async def test_probe_is_healthy_when_health_answers_200(health_server, make_probe):
    probe = make_probe(f"{health_server}/health")
    assert await probe.healthy() is True
    assert await probe.healthy() is True  # the session is reused


async def test_probe_is_unhealthy_on_another_status(health_server, make_probe):
    assert await make_probe(f"{health_server}/broken").healthy() is False


async def test_probe_is_unhealthy_when_nothing_listens(make_probe):
    started = time.monotonic()
    assert await make_probe(f"http://127.0.0.1:{free_port()}/health", timeout_seconds=2.0).healthy() is False
    assert time.monotonic() - started < 1.0  # refused at once, not timed out


async def test_probe_gives_up_on_a_server_that_never_answers(silent_server, make_probe):
    started = time.monotonic()
    assert await make_probe(f"{silent_server}/health", timeout_seconds=0.5).healthy() is False
    assert 0.4 <= time.monotonic() - started < 2.0


# --- GuardedRestInput.handle ---------------------------------------------------------------------------------------

LIMITS = ChatLimits(max_body_bytes=256, messages_per_window=2, window_seconds=60, turn_timeout_seconds=1)


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class FakeRasa:
    """Stands in for Rasa's ``on_new_message``: records the turns and answers through the collector."""

    def __init__(self, replies: list[str] | None = None, error: Exception | None = None,
                 sleep_seconds: float = 0.0) -> None:
        self.replies = ["Waar kan ik u mee helpen?"] if replies is None else replies
        self.error = error
        self.sleep_seconds = sleep_seconds
        self.messages: list = []
        self.finished = False

    async def __call__(self, message) -> None:
        self.messages.append(message)
        if self.sleep_seconds:
            await asyncio.sleep(self.sleep_seconds)
        if self.error is not None:
            raise self.error
        for reply in self.replies:
            await message.output_channel.send_text_message(message.sender_id, reply)
        self.finished = True


@pytest.fixture()
def apology(kb) -> str:
    return texts.unavailable_text(kb)


@pytest.fixture()
def turn(health_server, make_probe, apology):
    """Runs ``handle`` like the webhook route does, with a healthy action server by default."""
    channel = GuardedRestInput()
    limiter = MemoryRateLimiter(LIMITS, clock=FakeClock())
    healthy = make_probe(f"{health_server}/health")

    async def run(raw: bytes, rasa: FakeRasa, probe: ActionServerProbe | None = None, limiter_=None):
        reply = await channel.handle(raw, rasa, LIMITS, limiter_ or limiter, probe or healthy, apology)
        return reply.status, json.loads(reply.body), reply.headers

    return run


def test_the_apology_gives_het_juiste_loket(apology):
    assert DESK_PHONE in apology and apology.startswith("Sorry")


async def test_a_normal_turn_passes_rasas_answers_through(turn):
    rasa = FakeRasa(replies=["Dag!", "Waar kan ik u mee helpen?"])
    status, replies, _ = await turn(body("burger-1", "Hallo"), rasa)
    assert status == 200
    assert replies == [{"recipient_id": "burger-1", "text": "Dag!"},
                       {"recipient_id": "burger-1", "text": "Waar kan ik u mee helpen?"}]
    [message] = rasa.messages
    assert (message.text, message.sender_id, message.input_channel) == ("Hallo", "burger-1", "rest")


async def test_too_large_body_gets_413_in_dutch(turn):
    rasa = FakeRasa()
    raw = body("burger-1", "x" * 300)
    assert len(raw) > LIMITS.max_body_bytes
    status, replies, _ = await turn(raw, rasa)
    assert status == 413
    assert "Uw bericht is te lang" in replies[0]["text"] and "204 tekens" in replies[0]["text"]
    assert rasa.messages == []


async def test_body_of_exactly_the_limit_is_accepted(turn):
    rasa = FakeRasa()
    raw = body("burger-1", "")
    raw = body("burger-1", "x" * (LIMITS.max_body_bytes - len(raw)))
    assert len(raw) == LIMITS.max_body_bytes
    status, _, _ = await turn(raw, rasa)
    assert status == 200 and len(rasa.messages) == 1


@pytest.mark.parametrize("raw", [b"\xff\xfe", b"[1, 2]", body("burger\x00"), body("burger-1", 3)],
                         ids=["not-utf8", "list", "nul-sender", "number-message"])
async def test_malformed_request_gets_400_in_dutch(turn, raw, caplog):
    caplog.set_level(logging.DEBUG)
    rasa = FakeRasa()
    status, replies, _ = await turn(raw, rasa)
    assert status == 400
    assert replies == [{"recipient_id": None, "text": texts.bad_request_text()}]
    assert "Dit bericht kan ik niet lezen" in replies[0]["text"]
    assert rasa.messages == []


async def test_too_many_messages_get_429_with_retry_after_in_dutch(turn):
    rasa = FakeRasa()
    assert [(await turn(body("burger-1"), rasa))[0] for _ in range(2)] == [200, 200]
    status, replies, headers = await turn(body("burger-1"), rasa)
    assert status == 429
    assert headers["Retry-After"] == "20"  # the fake clock is 20 s before the end of the window
    assert replies[0]["recipient_id"] == "burger-1"
    assert "U stuurt veel berichten" in replies[0]["text"] and "20 seconden" in replies[0]["text"]
    assert len(rasa.messages) == 2  # the refused message never reached Rasa
    assert (await turn(body("burger-2"), rasa))[0] == 200  # other conversations go on


async def test_unhealthy_action_server_gets_503_apology_and_rasa_is_not_called(turn, make_probe, apology):
    rasa = FakeRasa()
    down = make_probe(f"http://127.0.0.1:{free_port()}/health")
    status, replies, _ = await turn(body("burger-1"), rasa, probe=down)
    assert status == 503
    assert replies == [{"recipient_id": "burger-1", "text": apology}]
    assert DESK_PHONE in replies[0]["text"]
    assert rasa.messages == []


async def test_unreachable_rate_limiter_gets_503_apology(turn, apology):
    rasa = FakeRasa()
    redis_down = RedisRateLimiter(LIMITS, RedisSettings(host="127.0.0.1", port=free_port()))
    status, replies, _ = await turn(body("burger-1"), rasa, limiter_=redis_down)
    assert status == 503 and replies[0]["text"] == apology
    assert rasa.messages == []


async def test_failing_turn_gets_503_apology_and_the_log_holds_no_user_text(turn, apology, caplog):
    caplog.set_level(logging.DEBUG)
    rasa = FakeRasa(error=RuntimeError(f"kapot bij: {PRIVATE_TEXT}"))
    status, replies, _ = await turn(body("burger-1", PRIVATE_TEXT), rasa)
    assert status == 503 and replies == [{"recipient_id": "burger-1", "text": apology}]
    assert len(rasa.messages) == 1
    assert any("RuntimeError" in record.getMessage() for record in caplog.records)
    logged = caplog.text + "".join(str(record.exc_info) + str(record.exc_text) for record in caplog.records)
    assert "123456782" not in logged and "Dorpsstraat" not in logged


async def test_slow_turn_is_cut_off_with_503_apology(turn, apology):
    rasa = FakeRasa(sleep_seconds=5)
    started = time.monotonic()
    status, replies, _ = await turn(body("burger-1"), rasa)
    elapsed = time.monotonic() - started
    assert status == 503 and replies[0]["text"] == apology
    assert 0.9 <= elapsed < 3.0  # turn_timeout_seconds=1
    assert not rasa.finished


async def test_turn_without_answer_gets_the_apology_with_200(turn, apology):
    rasa = FakeRasa(replies=[])
    status, replies, _ = await turn(body("burger-1"), rasa)
    assert status == 200
    assert replies == [{"recipient_id": "burger-1", "text": apology}]
    assert len(rasa.messages) == 1
