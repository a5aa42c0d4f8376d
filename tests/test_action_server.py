"""The real action server (``python -m bot actions``): the shared secret, the open health check, loopback only."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from deploy.local.services import stop_processes, wait_http
from tests.servers import ACTION_SERVER_TOKEN, VENV_BIN, action_server, free_port

pytestmark = pytest.mark.server

RIGHT = f"Bearer {ACTION_SERVER_TOKEN}"


@pytest.fixture(scope="module")
def actions_url(tmp_path_factory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("actions")
    env = {"DATABASE_URL": f"sqlite:///{data / 'tickets.db'}", "ZORGROUTE_OUTBOX_DIR": str(data / "outbox"),
           "TF_CPP_MIN_LOG_LEVEL": "3"}
    process, url = action_server(env, data / "actions.log")
    try:
        wait_http(f"{url}/health", process, 120)
        yield url
    finally:
        stop_processes(process)


def call(url: str, method: str = "GET", payload: dict[str, Any] | None = None,
         authorization: str | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def session_start_call(sender_id: str = "burger-1") -> dict[str, Any]:
    """What Rasa posts to run ``action_session_start`` for a new conversation."""
    return {
        "next_action": "action_session_start",
        "sender_id": sender_id,
        "version": "3.6.21",
        "tracker": {"sender_id": sender_id, "slots": {}, "latest_message": {}, "events": [], "paused": False,
                    "followup_action": None, "active_loop": {}, "latest_action_name": None},
        "domain": {"responses": {}, "slots": {}, "forms": {}},
    }


def test_health_needs_no_token(actions_url):
    assert call(f"{actions_url}/health") == (200, {"status": "ok"})


@pytest.mark.parametrize("authorization", [
    None, "", "Bearer", "Bearer ", "Bearer verkeerd-token", ACTION_SERVER_TOKEN, f"bearer {ACTION_SERVER_TOKEN}",
    f"Bearer {ACTION_SERVER_TOKEN}x", f"Bearer {ACTION_SERVER_TOKEN[:-1]}", f"Basic {ACTION_SERVER_TOKEN}",
], ids=["none", "empty", "bearer-only", "bearer-space", "wrong", "no-scheme", "lowercase-scheme", "longer", "shorter",
        "basic"])
def test_webhook_without_the_right_token_is_refused(actions_url, authorization):
    status, body = call(f"{actions_url}/webhook", "POST", session_start_call(), authorization)
    assert status == 401
    assert "events" not in (body or {})


def test_webhook_with_the_right_token_runs_the_action(actions_url):
    status, body = call(f"{actions_url}/webhook", "POST", session_start_call(), RIGHT)
    assert status == 200
    assert [event["event"] for event in body["events"]] == ["session_started", "action"]
    assert body["events"][1]["name"] == "action_listen"
    assert [response.get("response") for response in body["responses"]] == ["utter_privacy_notice"]


def test_action_list_needs_the_token(actions_url):
    assert call(f"{actions_url}/actions")[0] == 401
    assert call(f"{actions_url}/actions", authorization="Bearer verkeerd")[0] == 401
    status, body = call(f"{actions_url}/actions", authorization=RIGHT)
    names = {action["name"] for action in body}
    assert status == 200 and body
    assert {"action_session_start", "action_crisis", "action_answer", "validate_triage_form"} <= names


def _non_loopback_address() -> str | None:
    candidates = []
    with contextlib.suppress(OSError):
        candidates.append(socket.gethostbyname(socket.gethostname()))
    try:
        # The address of the interface that would carry traffic out (UDP connect sends nothing).
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            candidates.append(probe.getsockname()[0])
    except OSError:
        pass
    return next((address for address in candidates if not address.startswith("127.")), None)


def test_listens_on_loopback_only_by_default(actions_url):
    port = int(actions_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address to try")
    with pytest.raises(OSError), socket.create_connection((address, port), timeout=5):
        pass


def test_refuses_to_start_without_a_token():
    port = free_port()
    result = subprocess.run([str(VENV_BIN / "python"), "-m", "bot", "actions", "--port", str(port)],
                            env={**os.environ, "ACTION_SERVER_TOKEN": ""}, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 1
    assert "ACTION_SERVER_TOKEN" in result.stderr and "Traceback" not in result.stderr
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
