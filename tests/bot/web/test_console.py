"""The staff console over real HTTP: login, sessions, CSRF, lock-out, queue, ticket page, export, escaping."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from bot.tickets.db import open_database
from bot.tickets.repository import add_ticket
from deploy.local.services import stop_processes
from tests.bot.tickets.conftest import NOW, make_draft
from tests.servers import add_staff, web_server

PASSWORD = "console-wachtwoord-1"
SCRIPT = "<script>alert('xss')</script>"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A tiny HTTP client with a cookie jar; redirects are not followed so they can be checked."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, path: str, form: dict[str, str] | None = None):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            response = self.opener.open(self.base + path, data=data, timeout=30)
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()
        return response.status, response.headers, response.read().decode()

    def csrf(self, path: str) -> str:
        return re.search(r'name="csrf" value="([^"]+)"', self.request(path)[2]).group(1)

    def login(self, username: str = "anna", password: str = PASSWORD):
        token = self.csrf("/console/login")
        return self.request("/console/login", {"csrf": token, "next": "/console", "username": username,
                                               "password": password})


@pytest.fixture(scope="module")
def console(tmp_path_factory, kb) -> Iterator[tuple[str, list[str]]]:
    data = tmp_path_factory.mktemp("console")
    env = {"DATABASE_URL": f"sqlite:///{data / 'zr.db'}", "ZORGROUTE_OUTBOX_DIR": str(data / "outbox")}
    database = open_database(env["DATABASE_URL"])
    drafts = [make_draft(kb, "een", transcript=[{"from": "burger", "text": SCRIPT}]), make_draft(kb, "twee")]
    with database.unit_of_work() as session:
        for draft in drafts:
            add_ticket(session, draft, NOW)
    database.dispose()
    add_staff(env, "anna", PASSWORD)
    add_staff(env, "piet", PASSWORD)
    process, base = web_server(env, data / "web.log")
    yield base, [d.reference for d in drafts]
    stop_processes(process)


@pytest.mark.parametrize("path", ["/console", "/console/tickets/ZR-2222222", "/console/export.csv",
                                  "/console/lookup"])
def test_every_console_page_needs_a_login(console, path):
    status, headers, _ = Browser(console[0]).request(path)
    assert status == 302 and headers["Location"].startswith("/console/login?next=")


def test_login_sets_a_safe_cookie_and_logout_ends_the_session(console):
    browser = Browser(console[0])
    status, headers, _ = browser.login()
    assert status == 302 and headers["Location"] == "/console"
    cookie = next(c for c in headers.get_all("Set-Cookie") if c.startswith("zr_session="))
    assert "zr_session=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert browser.request("/console")[0] == 200
    stolen = next(c for c in browser.jar if c.name == "zr_session").value
    token = browser.csrf("/console")
    assert browser.request("/console/logout", {"csrf": token})[0] == 302
    thief = Browser(console[0])
    thief.jar.set_cookie(http.cookiejar.Cookie(0, "zr_session", stolen, None, False, "127.0.0.1", False, False,
                                               "/console", True, False, None, False, None, None, {}))
    assert thief.request("/console")[0] == 302  # the old cookie is worthless after logout


def test_a_form_without_the_csrf_token_is_refused(console):
    base, references = console
    browser = Browser(base)
    browser.login()
    status, _, body = browser.request(f"/console/tickets/{references[1]}/status",
                                      {"status": "in_behandeling", "csrf": "vervalst"})
    assert status == 400 and "verlopen" in body
    assert ">nieuw<" in browser.request(f"/console/tickets/{references[1]}")[2]
    login = Browser(base)
    login.csrf("/console/login")
    status, _, _ = login.request("/console/login", {"csrf": "vervalst", "username": "anna", "password": PASSWORD})
    assert status == 400


def test_lock_out_after_five_wrong_passwords(console):
    browser = Browser(console[0])
    for _ in range(5):
        status, _, body = browser.login("piet", "fout-wachtwoord")
        assert status == 401 and "klopt niet" in body
    status, _, body = browser.login("piet", PASSWORD)
    assert status == 401 and "geblokkeerd" in body


def test_queue_ticket_status_change_and_audit_trail(console):
    base, references = console
    browser = Browser(base)
    browser.login()
    queue = browser.request("/console?target=juiste_loket&category=wlz")[2]
    assert all(ref in queue for ref in references) and "Per week" in queue
    assert "0 overdracht" in browser.request("/console?category=jeugdwet")[2]
    token = browser.csrf(f"/console/tickets/{references[0]}")
    status, headers, _ = browser.request(f"/console/tickets/{references[0]}/status",
                                         {"status": "in_behandeling", "note": "gebeld <b>vet</b>", "csrf": token})
    assert status == 302
    page = browser.request(f"/console/tickets/{references[0]}")[2]
    assert "anna" in page and "in_behandeling" in page and "gebeld &lt;b&gt;vet&lt;/b&gt;" in page
    status, headers, body = browser.request("/console/export.csv?status=in_behandeling")
    assert status == 200 and headers["Content-Type"].startswith("text/csv") and references[0] in body
    assert references[1] not in body


def test_a_script_in_a_citizens_message_is_shown_as_text(console):
    base, references = console
    browser = Browser(base)
    browser.login()
    page = browser.request(f"/console/tickets/{references[0]}")[2]
    assert SCRIPT not in page and "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in page


def test_security_headers_and_unknown_ticket(console):
    browser = Browser(console[0])
    _, headers, _ = browser.request("/")
    assert "script-src 'self'" in headers["Content-Security-Policy"] and headers["X-Frame-Options"] == "DENY"
    browser.login()
    status, _, body = browser.request("/console/tickets/ZR-2222222")
    assert status == 404 and "Er is geen ticket met referentie ZR-2222222" in body


def test_no_open_redirect_after_login(console):
    browser = Browser(console[0])
    token = browser.csrf("/console/login")
    _, headers, _ = browser.request("/console/login", {"csrf": token, "next": "https://evil.example/",
                                                       "username": "anna", "password": PASSWORD})
    assert headers["Location"] == "/console"
