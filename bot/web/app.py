"""The web front ends: the public information page with the chat widget, and the staff console.

``python -m bot web`` serves both (Sanic, the server Rasa itself runs on). Pages are Jinja2
templates with autoescaping, so whatever a citizen typed is shown as text, never as markup.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic, response
from sanic.request import Request

from bot.cli import default_parser_factory
from bot.config import Settings
from bot.tickets.service import TicketService

WEB_DIR = Path(__file__).resolve().parent
log = logging.getLogger(__name__)


class WebContext:
    """What the handlers share: settings, templates, the ticket database and the triage core."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.tickets = TicketService.from_settings(settings)
        self.templates = Environment(loader=FileSystemLoader(str(WEB_DIR / "templates")),
                                     autoescape=select_autoescape(["html"]))
        self._parser: Any = None
        self._parser_lock = asyncio.Lock()

    def render(self, template: str, status: int = 200, **values: Any) -> response.HTTPResponse:
        """An HTML page from a template (autoescaped)."""
        return response.html(self.templates.get_template(template).render(**values), status=status)

    async def parser(self) -> Any:
        """The NLU model, loaded once per process in a worker thread."""
        async with self._parser_lock:
            if self._parser is None:
                self._parser = await asyncio.to_thread(default_parser_factory)
            return self._parser


async def _load_quietly(context: WebContext) -> None:
    """Load the model now; a missing model only matters once someone uses the lookup."""
    try:
        await context.parser()
    except Exception as error:
        log.warning("NLU model not loaded at start-up: %s", type(error).__name__)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def security_headers(settings: Settings) -> dict[str, str]:
    """Headers on every page: no inline scripts, no framing, no sniffing; the widget may reach Rasa."""
    rasa = _origin(settings.public_rasa_url)
    return {
        "Content-Security-Policy": (f"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                    f"connect-src 'self' {rasa}; frame-ancestors 'none'; form-action 'self'; "
                                    "base-uri 'none'"),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
    }


_APP_NUMBERS = itertools.count(1)  # Sanic wants a unique name per application in a process


def create_app(settings: Settings | None = None) -> Sanic:
    """The web application (one per process; several only in tests)."""
    from bot.web import console

    settings = settings or Settings.from_env()
    app = Sanic(f"zorgroute_web_{next(_APP_NUMBERS)}")
    app.config.FORWARDED_SECRET = None
    app.config.KEEP_ALIVE_TIMEOUT = 5
    context = WebContext(settings)
    app.ctx.web = context
    headers = security_headers(settings)

    @app.middleware("response")
    async def add_headers(request: Request, reply: response.HTTPResponse) -> None:
        for name, value in headers.items():
            reply.headers.setdefault(name, value)

    @app.get("/")
    async def info_page(request: Request) -> response.HTTPResponse:
        return context.render("info.html", rasa_url=settings.public_rasa_url, static_url="/static")

    @app.get("/health")
    async def health(request: Request) -> response.HTTPResponse:
        return response.json({"status": "ok"})

    app.static("/static", str(WEB_DIR / "static"), name="static")
    console.register(app, context)

    async def close_database(*_: Any) -> None:
        context.tickets.close()

    async def warm_up_lookup(*_: Any) -> None:
        # Load the NLU model in the background, so the first lookup in the console is quick.
        app.add_task(_load_quietly(context))

    app.register_listener(close_database, "after_server_stop")
    app.register_listener(warm_up_lookup, "after_server_start")

    return app


def serve(host: str = "127.0.0.1", port: int | None = None) -> None:
    """Run the web server until interrupted."""
    settings = Settings.from_env()
    app = create_app(settings)
    app.run(host=host, port=port or settings.web_port, access_log=False, motd=False, workers=1)
