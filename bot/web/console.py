"""The staff console: login, the ticket queue, a ticket page, status changes, CSV export, lookup.

No page under ``/console`` answers without a valid session (only the login page does), and every
form carries a CSRF token checked on the server.
"""

from __future__ import annotations

import asyncio
import hmac
import io
import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from sanic import Sanic, response
from sanic.request import Request

from bot.cli import triage_one
from bot.errors import InvalidInputError, TicketError, ZorgrouteError
from bot.knowledge import default_knowledge
from bot.staff.accounts import LoggedIn, LoginError, authenticate, current_login, end_session, start_session
from bot.tickets.cli import export_tickets
from bot.tickets.models import STATUSES, TRANSITIONS
from bot.tickets.repository import categories_and_dates, change_status, get_ticket, list_tickets, ticket_to_dict
from bot.tickets.service import utc_now
from bot.triage import Triage
from bot.web.app import WebContext
from bot.web.charts import weekly_counts

SESSION_COOKIE = "zr_session"
LOGIN_CSRF_COOKIE = "zr_login_csrf"
CATEGORIES = ("wlz", "zvw", "wmo", "jeugdwet", "klacht", "overig")
AGES = {"1": ("vandaag en gisteren", 1), "7": ("afgelopen week", 7), "30": ("afgelopen 30 dagen", 30),
        "older": ("ouder dan 30 dagen", 30)}
MAX_LOOKUP_CHARS = 2000


def _cookie(reply: response.HTTPResponse, name: str, value: str, secure: bool, max_age: int | None = None) -> None:
    reply.cookies[name] = value
    reply.cookies[name]["httponly"] = True
    reply.cookies[name]["samesite"] = "Strict"
    reply.cookies[name]["path"] = "/console"
    if secure:
        reply.cookies[name]["secure"] = True
    if max_age is not None:
        reply.cookies[name]["max-age"] = max_age


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def _filters(request: Request) -> dict[str, Any]:
    args = request.args
    target = args.get("target") if args.get("target") in default_knowledge().handover_desks() else None
    status = args.get("status") if args.get("status") in STATUSES else None
    category = args.get("category") if args.get("category") in CATEGORIES else None
    age = args.get("age") if args.get("age") in AGES else None
    return {"target": target, "status": status, "category": category, "age": age}


def _query(context: WebContext, filters: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
    since = until = None
    if filters["age"] == "older":
        until = now - timedelta(days=30)
    elif filters["age"]:
        since = now - timedelta(days=AGES[filters["age"]][1])
    with context.tickets.database().unit_of_work() as session:
        found = list_tickets(session, target=filters["target"], status=filters["status"],
                             category=filters["category"], since=since, until=until)
        return [ticket_to_dict(ticket) for ticket in found]


def _chart_data(context: WebContext) -> list[tuple[str, datetime]]:
    with context.tickets.database().unit_of_work() as session:
        return categories_and_dates(session)


def register(app: Sanic, context: WebContext) -> None:
    """Add the console routes to ``app``."""
    secure = context.settings.cookie_secure

    async def login_of(request: Request) -> LoggedIn | None:
        token = request.cookies.get(SESSION_COOKIE)

        def look() -> LoggedIn | None:
            with context.tickets.database().unit_of_work() as session:
                return current_login(session, token, utc_now())

        return await asyncio.to_thread(look)

    def to_login(request: Request) -> response.HTTPResponse:
        return response.redirect(f"/console/login?next={quote(request.path)}")

    def page(template: str, login: LoggedIn, status: int = 200, **values: Any) -> response.HTTPResponse:
        return context.render(template, status=status, user=login.username, csrf=login.csrf_token, **values)

    @app.get("/console/login")
    async def login_form(request: Request) -> response.HTTPResponse:
        token = secrets.token_urlsafe(32)
        reply = context.render("login.html", csrf=token, next=_safe_next(request.args.get("next")), error=None)
        _cookie(reply, LOGIN_CSRF_COOKIE, token, secure, max_age=3600)
        return reply

    @app.post("/console/login")
    async def login(request: Request) -> response.HTTPResponse:
        form = request.form
        target = _safe_next(form.get("next"))
        if not _same(form.get("csrf"), request.cookies.get(LOGIN_CSRF_COOKIE)):
            return context.render("login.html", status=400, csrf=request.cookies.get(LOGIN_CSRF_COOKIE) or "",
                                  next=target, error="Het formulier is verlopen. Probeer het opnieuw.")

        def check() -> str | LoginError:
            with context.tickets.database().unit_of_work() as session:
                user = authenticate(session, form.get("username") or "", form.get("password") or "", utc_now())
                return user if isinstance(user, LoginError) else start_session(session, user, utc_now())[0]

        token = await asyncio.to_thread(check)
        if isinstance(token, LoginError):
            return context.render("login.html", status=401, csrf=request.cookies.get(LOGIN_CSRF_COOKIE),
                                  next=target, error=token.dutch_message)
        reply = response.redirect(target)
        _cookie(reply, SESSION_COOKIE, token, secure)
        _cookie(reply, LOGIN_CSRF_COOKIE, "", secure, max_age=0)
        return reply

    @app.post("/console/logout")
    async def logout(request: Request) -> response.HTTPResponse:
        login = await login_of(request)
        if login is None or not _same(request.form.get("csrf"), login.csrf_token):
            return to_login(request)
        token = request.cookies.get(SESSION_COOKIE)

        def finish() -> None:
            with context.tickets.database().unit_of_work() as session:
                end_session(session, token)

        await asyncio.to_thread(finish)
        reply = response.redirect("/console/login")
        _cookie(reply, SESSION_COOKIE, "", secure, max_age=0)
        return reply

    @app.get("/console")
    async def queue(request: Request) -> response.HTTPResponse:
        login = await login_of(request)
        if login is None:
            return to_login(request)
        filters = _filters(request)
        now = utc_now()
        rows = await asyncio.to_thread(_query, context, filters, now)
        chart = weekly_counts(await asyncio.to_thread(_chart_data, context), now)
        export_query = urlencode({key: value for key, value in filters.items() if value})
        return page("queue.html", login, rows=rows, filters=filters, targets=default_knowledge().handover_desks(),
                    statuses=STATUSES, categories=CATEGORIES, ages=AGES, export_query=export_query, chart=chart)

    @app.get("/console/export.csv")
    async def export(request: Request) -> response.HTTPResponse:
        login = await login_of(request)
        if login is None:
            return to_login(request)
        rows = await asyncio.to_thread(_query, context, _filters(request), utc_now())
        buffer = io.StringIO()
        export_tickets(rows, "csv", buffer)
        return response.text(buffer.getvalue(), content_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="tickets.csv"'})

    @app.get("/console/tickets/<reference>")
    async def ticket_page(request: Request, reference: str) -> response.HTTPResponse:
        login = await login_of(request)
        if login is None:
            return to_login(request)

        def load() -> dict[str, Any]:
            with context.tickets.database().unit_of_work() as session:
                return ticket_to_dict(get_ticket(session, reference))

        try:
            ticket = await asyncio.to_thread(load)
        except TicketError as problem:
            return page("message.html", login, status=404, title="Ticket niet gevonden", text=problem.dutch_message)
        return page("ticket.html", login, ticket=ticket, next_statuses=sorted(TRANSITIONS[ticket["status"]]),
                    error=request.args.get("fout"), targets=default_knowledge().handover_desks())

    @app.post("/console/tickets/<reference>/status")
    async def ticket_status(request: Request, reference: str) -> response.HTTPResponse:
        login = await login_of(request)
        if login is None:
            return to_login(request)
        form = request.form
        if not _same(form.get("csrf"), login.csrf_token):
            return page("message.html", login, status=400, title="Formulier verlopen",
                        text="Het formulier is verlopen of niet van deze site. Laad de pagina opnieuw.")

        def apply() -> str:
            with context.tickets.database().unit_of_work() as session:
                ticket = change_status(session, reference, form.get("status") or "", actor=login.username,
                                       note=(form.get("note") or "").strip()[:1000] or None, now=utc_now())
                return str(ticket.reference)

        try:
            canonical = await asyncio.to_thread(apply)
        except TicketError as problem:
            problem_query = urlencode({"fout": problem.dutch_message})
            return response.redirect(f"/console/tickets/{quote(reference)}?{problem_query}")
        return response.redirect(f"/console/tickets/{quote(canonical)}")

    @app.route("/console/lookup", methods=["GET", "POST"])
    async def lookup(request: Request) -> response.HTTPResponse:
        login = await login_of(request)
        if login is None:
            return to_login(request)
        if request.method == "GET":
            return page("lookup.html", login, text="", decision=None, problem=None)
        form = request.form
        if not _same(form.get("csrf"), login.csrf_token):
            return page("message.html", login, status=400, title="Formulier verlopen",
                        text="Het formulier is verlopen of niet van deze site. Laad de pagina opnieuw.")
        text = (form.get("text") or "")[:MAX_LOOKUP_CHARS]
        try:
            parser = await context.parser()
        except ZorgrouteError:
            return page("lookup.html", login, status=503, text=text, decision=None,
                        problem="Het taalmodel is niet beschikbaar. Start de assistent met `make run` of train het "
                                "model met `make train`.")
        result = await asyncio.to_thread(triage_one, Triage(default_knowledge()), parser, text)
        if isinstance(result, InvalidInputError):
            return page("lookup.html", login, text=text, decision=None, problem=result.dutch_message)
        return page("lookup.html", login, text=text, decision=result, problem=None,
                    sources=default_knowledge().sources)


def _safe_next(value: str | None) -> str:
    """Only redirect to console pages after login (no open redirect)."""
    if value and value.startswith("/console") and not value.startswith("//") and "\\" not in value:
        return value
    return "/console"
