"""Rasa's REST channel, hardened for the public chat: size limit, rate limit, bounded turns.

Configured in ``credentials.yml`` as ``bot.chat.channel.GuardedRestInput``; it keeps Rasa's URL
(``/webhooks/rest/webhook``) and reply format (a JSON list of bot messages), and adds:

- a body limit: larger requests get 413 with a Dutch message (Sanic's own ``REQUEST_MAX_SIZE``
  stays the hard limit for the whole server);
- a per-conversation rate limit: 429 with a Dutch message and ``Retry-After``;
- malformed requests get 400 with a Dutch message instead of a server error;
- only bare ``/intent`` payloads (what the buttons send) reach Rasa's payload parser, so nobody can
  set entities with ``/intent{...}``;
- when the action server does not answer its health check, the turn is not started (see
  ``bot.chat.probe``): 503 with a Dutch apology and Het Juiste Loket's contact details;
- a turn that fails (Redis down) or takes longer than the turn timeout gets the same 503 apology;
  a turn that produced no answer at all (the action server went away during it) gets it with 200.

Nothing the citizen typed is logged, only the kind of failure.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.chat import texts
from bot.chat.probe import ActionServerProbe
from bot.chat.ratelimit import RateLimiter, RateLimiterUnavailableError, rate_limiter_from_settings
from bot.config import ChatLimits, Settings
from bot.knowledge import load_knowledge

log = logging.getLogger(__name__)

MAX_SENDER_CHARS = 128
# Buttons send bare intents ("/request_human"). Rasa would also read entities from "/intent{...}"
# and log the whole line when it cannot: only the bare form passes as a payload.
BUTTON_PAYLOAD = re.compile(r"/[a-z_]{1,64}")
# Dutch text takes about one byte per character; JSON framing and escapes need some room.
CHARACTERS_PER_BODY = 0.8


class RequestProblem(Exception):
    """The request is not a chat message this channel accepts."""


def parse_chat_request(body: bytes) -> tuple[str, str]:
    """The sender and text of a chat request body.

    Raises:
        RequestProblem: not UTF-8 JSON, not an object, or a sender/message of the wrong type.
    """
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise RequestProblem("body is not UTF-8 JSON") from error
    if not isinstance(data, dict):
        raise RequestProblem("body is not a JSON object")
    sender, message = data.get("sender"), data.get("message")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        raise RequestProblem("sender must be a non-empty string of at most 128 characters")
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in sender):
        raise RequestProblem("sender contains control characters or lone surrogates")
    if not isinstance(message, str):
        raise RequestProblem("message must be a string")
    # Lone surrogates ("\\ud800" in JSON) cannot be stored or shown: replace them.
    message = message.encode("utf-8", "replace").decode("utf-8")
    if message.startswith("/") and not BUTTON_PAYLOAD.fullmatch(message):
        message = message.lstrip("/")  # typed text that merely starts with a slash
    return sender, message


def bot_messages(recipient: str | None, text: str) -> list[dict[str, Any]]:
    """One bot message in the REST channel's reply format."""
    return [{"recipient_id": recipient, "text": text}]


class GuardedRestInput(InputChannel):
    """The public REST chat endpoint with limits (see the module docstring)."""

    def __init__(self, settings: Settings | None = None, limiter: RateLimiter | None = None) -> None:
        """Settings and the rate limiter are read when the blueprint is made, not at import."""
        self._settings = settings
        self._limiter = limiter

    @classmethod
    def name(cls) -> str:
        """Keep Rasa's REST URL: ``/webhooks/rest/webhook``."""
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Everything comes from the environment (``Settings``); credentials.yml has no values."""
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The health route and the webhook."""
        settings = self._settings or Settings.from_env()
        limits = settings.chat
        limiter = self._limiter or rate_limiter_from_settings(limits, settings.redis)
        apology = texts.unavailable_text(load_knowledge(settings.knowledge_dir))
        probe = ActionServerProbe(settings.actions.health_url)
        webhook = Blueprint("zorgroute_chat", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self.handle(request.body or b"", on_new_message, limits, limiter, probe, apology)

        return webhook

    async def handle(self, body: bytes, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                     limits: ChatLimits, limiter: RateLimiter, probe: ActionServerProbe,
                     apology: str) -> HTTPResponse:
        """Check, count and run one chat turn; always answers with a list of bot messages."""
        if len(body) > limits.max_body_bytes:
            max_characters = int(limits.max_body_bytes * CHARACTERS_PER_BODY)
            return response.json(bot_messages(None, texts.too_long_text(max_characters)), status=413)
        try:
            sender, text = parse_chat_request(body)
        except RequestProblem as problem:
            log.info("chat request refused: %s", problem)
            return response.json(bot_messages(None, texts.bad_request_text()), status=400)
        try:
            wait = await asyncio.get_running_loop().run_in_executor(None, limiter.wait_seconds, sender)
        except RateLimiterUnavailableError as error:
            log.error("chat turn refused: %s", error)
            return response.json(bot_messages(sender, apology), status=503)
        if wait:
            return response.json(bot_messages(sender, texts.too_fast_text(wait)), status=429,
                                 headers={"Retry-After": str(wait)})

        if not await probe.healthy():
            return response.json(bot_messages(sender, apology), status=503)
        collector = CollectingOutputChannel()
        try:
            await asyncio.wait_for(
                on_new_message(UserMessage(text, collector, sender, input_channel=self.name())),
                timeout=limits.turn_timeout_seconds)
        except asyncio.TimeoutError:
            log.error("chat turn took longer than %s s and was stopped", limits.turn_timeout_seconds)
            return response.json(bot_messages(sender, apology), status=503)
        except Exception as error:
            log.error("chat turn failed: %s", type(error).__name__)
            return response.json(bot_messages(sender, apology), status=503)
        if not collector.messages:
            log.error("chat turn produced no answer (is the action server reachable?)")
            return response.json(bot_messages(sender, apology))
        return response.json(collector.messages)
