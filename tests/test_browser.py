"""The whole stack in a real browser: Debian's Chromium, headless, driven by Playwright.

Starts the action server, Rasa and the web server on loopback with their own database, then has a
conversation through the widget by keyboard only, reloads, completes a handover, and works the
ticket in the staff console. axe-core checks the pages; screenshots go to results/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy.local.services import stop_processes, wait_http
from tests.conftest import PROJECT_DIR
from tests.servers import (
    STARTUP_SECONDS,
    VENV_BIN,
    action_server,
    add_staff,
    free_port,
    rasa_server,
    start,
)

pytestmark = [pytest.mark.model, pytest.mark.server, pytest.mark.browser]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = PROJECT_DIR / "results" / "screenshots"
PASSWORD = "browser-test-wachtwoord"
RATE_LIMIT = 15  # messages per minute per conversation; the longest test conversation sends 11
HELP_REQUEST = "Het zorgkantoor zoekt al een jaar en vindt niks voor mijn broer"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[dict[str, str]]:
    if not CHROMIUM.exists():
        from tests.postgres import skip_or_fail

        skip_or_fail("Chromium is not installed (Debian package chromium)")
    data = tmp_path_factory.mktemp("stack")
    web_port = free_port()
    web = f"http://127.0.0.1:{web_port}"
    env = {"DATABASE_URL": f"sqlite:///{data / 'zr.db'}", "ZORGROUTE_OUTBOX_DIR": str(data / "outbox"),
           "TF_CPP_MIN_LOG_LEVEL": "3", "ZORGROUTE_CHAT_RATE_LIMIT": f"{RATE_LIMIT}/60"}
    add_staff(env, "medewerker", PASSWORD)
    actions, actions_url = action_server(env, data / "actions.log")
    env["ACTION_SERVER_URL"] = f"{actions_url}/webhook"
    rasa, rasa_url = rasa_server(env, data / "rasa.log", cors=web)
    env["ZORGROUTE_PUBLIC_RASA_URL"] = rasa_url
    site = start([str(VENV_BIN / "python"), "-m", "bot", "web", "--port", str(web_port)], env, data / "web.log")
    try:
        wait_http(f"{web}/health", site, 60)
        wait_http(f"{actions_url}/health", actions, STARTUP_SECONDS)
        wait_http(f"{rasa_url}/", rasa, STARTUP_SECONDS)
        yield {"web": web, "actions": actions, **env}
    finally:
        stop_processes(site, rasa, actions)


@pytest.fixture(scope="module")
def browser(stack) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    opened = context.new_page()
    yield opened
    context.close()


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def axe_violations(page) -> list[str]:
    """Serious and critical axe-core violations on the current page (axe is injected past the CSP)."""
    import axe_playwright_python

    script = Path(axe_playwright_python.__file__).parent / "axe.min.js"
    page.evaluate(script.read_text(encoding="utf-8") + "\nundefined;")
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}x)" for v in results["violations"]
            if v.get("impact") in ("serious", "critical")]


def tab_to(page, selector: str, limit: int = 40) -> None:
    """Press Tab until the element matching ``selector`` has the focus (keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never got the keyboard focus")


def send_typed(page, text: str) -> None:
    count = page.locator("#zr-messages .zr-bot").count()
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    page.wait_for_function("(n) => document.querySelectorAll('#zr-messages .zr-bot').length > n", arg=count,
                           timeout=60_000)


def open_chat_by_keyboard(page, web: str) -> None:
    page.goto(web + "/")
    tab_to(page, "#zr-launcher")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'zr-input'")


def test_keyboard_conversation_ends_at_a_route_card_and_survives_a_reload(page, stack):
    open_chat_by_keyboard(page, stack["web"])
    send_typed(page, HELP_REQUEST)
    assert "zorgkantoor" in page.locator("#zr-messages").inner_text()
    tab_to(page, ".zr-quick-reply")
    while not page.evaluate("() => document.activeElement.textContent.includes('Nee')"):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    card = page.locator(".zr-route-card").last
    card.wait_for(timeout=60_000)
    assert "Het Juiste Loket" in card.inner_text()
    phone = card.locator("a[href^='tel:']").first
    assert re.fullmatch(r"tel:\+?\d{3,15}", phone.get_attribute("href"))
    assert page.locator("#zr-messages").get_attribute("aria-live") == "polite"
    screenshot(page, "chat-route-card")
    assert axe_violations(page) == []

    page.reload()
    page.locator(".zr-route-card").last.wait_for(timeout=10_000)
    assert HELP_REQUEST in page.locator("#zr-messages").inner_text()
    page.locator(".zr-card-action", has_text="Dat heb ik al geprobeerd").last.click()
    page.wait_for_function("() => document.querySelectorAll('.zr-route-card').length >= 2", timeout=60_000)
    assert "zorgvragen@minvws.nl" in page.locator(".zr-route-card").last.inner_text()  # same conversation


def test_small_screens_and_zoom_keep_everything_visible(browser, stack):
    for width, height in ((360, 740), (320, 256)):  # a phone, and 1280x1024 at 400 % zoom
        context = browser.new_context(viewport={"width": width, "height": height})
        small = context.new_page()
        small.goto(stack["web"] + "/")
        small.locator("#zr-launcher").click()
        assert small.locator("#zr-input").is_visible() and small.locator("#zr-send").is_visible()
        assert small.evaluate("() => document.documentElement.scrollWidth") <= width
        if width == 360:
            screenshot(small, "chat-phone")
        context.close()


def test_widget_says_so_when_rasa_cannot_be_reached(page, stack):
    page.route("**/webhooks/rest/webhook", lambda route: route.abort())
    page.goto(stack["web"] + "/")
    page.locator("#zr-launcher").click()
    page.locator("#zr-input").fill("Ik zoek hulp voor mijn moeder")
    page.keyboard.press("Enter")
    offline = page.locator(".zr-offline")
    offline.wait_for(timeout=30_000)
    assert "030 789 78 78" in offline.inner_text() and "meldpunt@juisteloket.nl" in offline.inner_text()


def test_handover_then_console_login_status_change_and_audit_trail(page, stack):
    page.goto(stack["web"] + "/")
    page.locator("#zr-launcher").click()
    page.locator("#zr-input").fill("<script>window.__pwned = 1</script>")
    page.keyboard.press("Enter")
    page.locator(".zr-user", has_text="<script>").wait_for()
    page.locator(".zr-bot").last.wait_for()
    assert page.evaluate("() => window.__pwned") is None  # shown as text, never run

    def say(text: str) -> None:
        count = page.locator(".zr-bot").count()
        page.locator("#zr-input").fill(text)
        page.keyboard.press("Enter")
        page.wait_for_function("(n) => document.querySelectorAll('.zr-bot').length > n", arg=count, timeout=60_000)

    say(HELP_REQUEST)
    say("Nee, nog niet")
    page.locator(".zr-card-action", has_text="Stuur mijn vraag door").last.click()
    page.wait_for_function("() => document.body.innerText.includes('Mag ik uw vraag doorsturen?')", timeout=60_000)
    for answer in ("Ja", "06-12345678", "Liever geen naam", "In de ochtend", "Ja, dat mag"):
        say(answer)
    reference = page.locator(".zr-reference").last
    reference.wait_for(timeout=60_000)
    ref = re.search(r"ZR-[0-9A-Z]{7}", reference.inner_text()).group()
    screenshot(page, "chat-handover")

    page.goto(stack["web"] + f"/console/tickets/{ref}")
    assert "/console/login" in page.url  # no session: the console sends you to the login page
    page.fill("#username", "medewerker")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf".*/console/tickets/{ref}$"))
    assert "06 12345678" in page.inner_text("main")
    assert "<script>window.__pwned = 1</script>" in page.inner_text(".transcript")
    assert page.evaluate("() => window.__pwned") is None
    page.select_option("#new-status", "in_behandeling")
    page.fill("#note", "Teruggebeld, afspraak gemaakt")
    page.click("text=Status opslaan")
    page.wait_for_load_state()
    assert page.inner_text("#status") == "in_behandeling"
    assert "Teruggebeld, afspraak gemaakt" in page.inner_text(".audit") and "medewerker" in page.inner_text(".audit")
    screenshot(page, "console-ticket")
    assert axe_violations(page) == []
    page.goto(stack["web"] + "/console")
    page.select_option("#status", "in_behandeling")
    page.click("text=Filter")
    page.wait_for_url(re.compile(r".*status=in_behandeling.*"))
    screenshot(page, "console-queue")
    assert axe_violations(page) == []
    page.click(f"a:text-is('{ref}')")  # find the ticket in the queue and open it
    page.wait_for_url(re.compile(rf".*/console/tickets/{ref}$"))
    assert "Teruggebeld, afspraak gemaakt" in page.inner_text(".audit")

    # The lookup aid: the same triage core as the chat, with the rule and its source.
    page.goto(stack["web"] + "/console/lookup")
    page.fill("#text", "Mijn vader van 84 heeft dementie en kan echt niet meer alleen thuis wonen")
    page.click("main button[type=submit]", no_wait_after=True)
    page.locator("#category").wait_for(timeout=180_000)  # the web process loads the model once
    assert page.inner_text("#category").startswith("wlz")
    assert "Bron:" in page.inner_text(".ladder") and "ciz" in page.inner_text(".ladder")
    screenshot(page, "console-lookup")
    assert axe_violations(page) == []


def test_console_pages_redirect_to_login_and_the_login_page_is_accessible(page, stack):
    for path in ("/console", "/console/lookup", "/console/export.csv"):
        page.goto(stack["web"] + path)
        assert "/console/login" in page.url
    screenshot(page, "console-login")
    assert axe_violations(page) == []


def test_too_many_messages_get_a_dutch_message_in_the_widget(page, stack):
    page.goto(stack["web"] + "/")
    page.locator("#zr-launcher").click()
    page.locator("#zr-input").focus()
    for number in range(RATE_LIMIT + 1):
        send_typed(page, f"hallo {number}")
    warning = page.locator(".zr-warning").last
    assert "U stuurt veel berichten snel achter elkaar" in warning.inner_text()
    assert warning.get_attribute("role") == "alert"
    assert page.locator(".zr-offline").count() == 0  # not mistaken for an outage


def test_widget_says_so_when_the_action_server_is_down(page, stack):
    """Runs last in this module: it stops the stack's action server for real."""
    stop_processes(stack["actions"])
    page.goto(stack["web"] + "/")
    page.locator("#zr-launcher").click()
    page.locator("#zr-input").fill(HELP_REQUEST)
    page.keyboard.press("Enter")
    warning = page.locator(".zr-warning")
    warning.wait_for(timeout=60_000)
    assert "Sorry" in warning.inner_text() and "030 789 78 78" in warning.inner_text()
    screenshot(page, "chat-assistant-down")
