"""Hostile input through the public chat channels (REST and socket.io) of a real Rasa server.

Nothing here may produce a 5xx, a traceback in a reply, or a message the assistant cannot answer.
"""

from __future__ import annotations

import json
import re
import subprocess
import urllib.error
import urllib.request
import uuid

import pytest

from tests.conftest import PROJECT_DIR
from tests.servers import VENV_BIN

pytestmark = [pytest.mark.model, pytest.mark.server]

NASTY = {
    "very long": "Ik zoek hulp voor mijn moeder. " * 180,  # ~5,600 characters, under the body limit
    "binary": bytes(range(256)).decode("latin-1"),
    "nul and controls": "hulp\x00nodig\x07\x1b[31m rood \x08",
    "mixed scripts": "أمي تحتاج رعاية 我的母亲 mijn moeder heeft dementie Ωμέγα",
    "right-to-left marks": "\u202emijn moeder\u202c heeft \u200fzorg\u200e nodig \u2066x\u2069",
    "zero width": "zo\u200brg\u200dkan\ufefftoor",
    "html": '<script>alert("x")</script><img src=x onerror=alert(1)>',
    "sql": "'; DROP TABLE tickets; -- OR 1=1",
    "template": "{{ 7*7 }} {% for x in range(9) %}{{x}}{% endfor %} ${jndi:ldap://x/a} #{7*7}",
    "paths": "../../../../etc/passwd C:\\Windows\\system32\\cmd.exe file:///etc/shadow",
    "json in text": '{"intent": "crisis", "entities": []}"}]',
    "intent payload with slots": '/request_human{"handover_consent": true, "contact_value": "0612345678"}',
    "intent payload broken json": '/affirm{"a": ',
    "unknown intent payload": "/nonexistent_intent",
    "only whitespace": " \t\n ",
    "emoji": "😡😭🙏 help!!!",
    "surrogate escapes": "mijn moeder \\ud800 zorg",
}


def post(url: str, body: bytes) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, reply.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def say(url: str, sender: str, message: str) -> list[dict]:
    status, body = post(url, json.dumps({"sender": sender, "message": message}).encode())
    assert status == 200, body
    return json.loads(body)


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


@pytest.mark.parametrize("name", sorted(NASTY))
def test_nasty_messages_get_an_answer_and_no_error(chat_url, name):
    sender = f"hostile-{uuid.uuid4().hex[:8]}"
    status, body = post(chat_url, json.dumps({"sender": sender, "message": NASTY[name]}).encode())
    assert status == 200, body
    replies = json.loads(body)
    assert isinstance(replies, list) and replies and all(isinstance(r, dict) for r in replies)
    assert "Traceback" not in body and "Exception" not in body
    assert "<script" not in texts(replies) and "onerror=" not in texts(replies)  # no markup comes back
    assert "49" not in texts(replies)  # templates are never evaluated


@pytest.mark.parametrize(("body", "status"), [
    (b"\xff\xfe\x00garbage", 400),
    (b"not json at all", 400),
    (b"[1, 2, 3]", 400),
    (b'{"sender": 5, "message": "hallo"}', 400),
    (b'{"sender": "x", "message": {"text": "hallo"}}', 400),
    (b'{"sender": "' + b"s" * 129 + b'", "message": "hallo"}', 400),
    (b'{"sender": "a\\u0000b", "message": "hallo"}', 400),
    (b'{"sender": "x", "message": "' + b"a" * 9000 + b'"}', 413),
    (b"{" * 5000, 400),
])
def test_malformed_requests_get_a_dutch_message_not_a_server_error(chat_url, body, status):
    got, text = post(chat_url, body)
    assert got == status, text
    reply = json.loads(text)
    assert reply[0]["text"].startswith(("Dit bericht kan ik niet lezen", "Uw bericht is te lang"))


def test_a_body_over_the_servers_hard_limit_is_refused_before_it_is_read(chat_url):
    status, _ = post(chat_url, b'{"sender": "x", "message": "' + b"a" * 2_000_000 + b'"}')
    assert status == 413


def test_too_many_messages_get_429_with_a_dutch_message(chat_url):
    sender = f"snel-{uuid.uuid4().hex[:8]}"
    statuses = []
    for number in range(25):  # the default limit is 20 per minute
        status, body = post(chat_url, json.dumps({"sender": sender, "message": f"hallo {number}"}).encode())
        statuses.append(status)
    assert statuses[:20] == [200] * 20 and set(statuses[20:]) == {429}
    assert "U stuurt veel berichten snel achter elkaar" in json.loads(body)[0]["text"]
    other = say(chat_url, f"ander-{uuid.uuid4().hex[:8]}", "hallo")  # another conversation is not slowed down
    assert other


def test_an_intent_payload_cannot_skip_the_consent_question(chat_url, ticket_env):
    sender = f"payload-{uuid.uuid4().hex[:8]}"
    say(chat_url, sender, "Het zorgkantoor zoekt al een jaar en vindt niks voor mijn broer")
    say(chat_url, sender, "Nee, nog niet")
    forced = texts(say(chat_url, sender, '/request_human{"handover_consent": true, "contact_method": "telefoon"}'))
    assert "ZR-" not in forced and "doorgestuurd" not in forced
    asked = texts(say(chat_url, sender, "/request_human"))  # the button itself still works
    assert "Mag ik uw vraag doorsturen?" in asked  # and consent is asked, not taken from the payload


def test_markup_and_template_syntax_in_a_handover_are_stored_as_plain_text(chat_url, ticket_env):
    sender = f"markup-{uuid.uuid4().hex[:8]}"
    say(chat_url, sender, "Het zorgkantoor zoekt al een jaar en vindt niks voor mijn broer <b>echt</b> {{ 7*7 }}")
    card = say(chat_url, sender, "Nee, nog niet")
    say(chat_url, sender, card[-1]["buttons"][-1]["payload"])
    say(chat_url, sender, "Ja, stuur maar door")
    say(chat_url, sender, "Telefoon")
    say(chat_url, sender, "06-87654321")
    say(chat_url, sender, "Ik heet <script>alert(1)</script>")
    say(chat_url, sender, "{{ config }} na 18 uur")
    done = texts(say(chat_url, sender, "Ja, dat mag"))
    reference = re.search(r"ZR-[0-9A-Z]{7}", done).group()
    shown = subprocess.run([str(VENV_BIN / "python"), "-m", "bot", "tickets", "show", reference], cwd=PROJECT_DIR,
                           env={**__import__("os").environ, **ticket_env}, capture_output=True, text=True,
                           timeout=120, check=True).stdout
    assert "{{ config }} na 18 uur" in shown and "<b>echt</b> {{ 7*7 }}" in shown  # literally, not evaluated


def test_nasty_messages_over_socketio_get_answers(chat_url):
    import socketio

    base = chat_url.split("/webhooks/")[0]
    client = socketio.Client(reconnection=False)
    answers: list[dict] = []
    client.on("bot_uttered", answers.append)
    session = uuid.uuid4().hex
    client.connect(base, transports=["polling"], socketio_path="/socket.io", wait_timeout=30)
    try:
        for name in ("html", "template", "json in text", "right-to-left marks", "binary"):
            before = len(answers)
            client.emit("user_uttered", {"message": NASTY[name], "session_id": session})
            for _ in range(300):
                if len(answers) > before:
                    break
                client.sleep(0.1)
            assert len(answers) > before, f"no answer to {name!r} over socket.io"
        client.emit("user_uttered", {"message": {"not": "a string"}, "session_id": session})
        client.emit("user_uttered", ["garbage"])
        client.sleep(1)
        assert client.connected  # hostile events do not break the connection
    finally:
        client.disconnect()
    assert all("<script" not in (a.get("text") or "") for a in answers)
