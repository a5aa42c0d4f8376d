"""The rasa-sdk action server, closed to callers without the shared secret and on loopback by default.

Rasa sends ``Authorization: Bearer <ACTION_SERVER_TOKEN>`` (``headers`` of ``action_endpoint`` in
the endpoints files); every other request except ``GET /health`` gets 401.
"""

from __future__ import annotations

import hmac

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.config import ActionServerSettings
from bot.errors import ConfigurationError

OPEN_PATHS = frozenset({"/health"})


def create_action_app(settings: ActionServerSettings, actions_package: str = "actions") -> Sanic:
    """rasa-sdk's app for ``actions_package`` with the secret check in front of it.

    Raises:
        ConfigurationError: ACTION_SERVER_TOKEN is not set (the server never runs unprotected).
    """
    if not settings.token:
        raise ConfigurationError("ACTION_SERVER_TOKEN must be set: the action server only accepts calls "
                                 "that carry it (make run and make run-prod make one when it is missing).")
    from rasa_sdk.endpoint import create_app

    app = create_app(actions_package, cors_origins="")
    expected = f"Bearer {settings.token}".encode()

    @app.middleware("request")
    async def require_secret(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        supplied = request.headers.get("authorization", "").encode("utf-8", "replace")
        if hmac.compare_digest(supplied, expected):
            return None
        return response.json({"error": "missing or wrong action server token"}, status=401)

    return app


def serve(settings: ActionServerSettings, host: str | None = None, port: int | None = None) -> None:
    """Run the action server until interrupted (one worker per process; scale with replicas)."""
    app = create_action_app(settings)
    app.run(host=host or settings.host, port=port or settings.port, workers=1, access_log=False, motd=False)
