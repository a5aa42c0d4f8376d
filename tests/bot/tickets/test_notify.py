"""New-ticket e-mail against a real SMTP server on loopback (aiosmtpd), with nothing personal in it."""

from __future__ import annotations

import socket
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller

from bot.config import Settings, SmtpSettings
from bot.handover import Contact
from bot.tickets.notify import DisabledNotifier, SmtpNotifier, notifier_from_settings
from bot.tickets.outbox import Outbox
from bot.tickets.service import EXISTING, STORED, TicketService
from tests.bot.tickets.conftest import make_draft


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def test_a_new_ticket_sends_one_mail_with_only_reference_and_category(smtp_server, kb, tmp_path):
    controller, inbox = smtp_server
    settings = SmtpSettings(host="127.0.0.1", port=controller.port, sender="zorgroute@example.org",
                            recipient="desk@example.org")
    service = TicketService(f"sqlite:///{tmp_path / 't.db'}", Outbox(tmp_path / "outbox"), SmtpNotifier(settings))
    draft = make_draft(kb, contact=Contact("telefoon", "06 12345678", "Jan Jansen", "ochtend"),
                       transcript=[{"from": "burger", "text": "mijn vader van 84"}])
    assert service.submit(draft).outcome == STORED
    assert service.submit(draft).outcome == EXISTING  # no second mail for the same ticket
    assert len(inbox.messages) == 1
    sender, recipients, content = inbox.messages[0]
    mail = message_from_bytes(content)
    body = mail.get_payload(decode=True).decode()
    assert sender == "zorgroute@example.org" and recipients == ["desk@example.org"]
    assert draft.reference in mail["Subject"] and draft.reference in body and "wlz" in body
    for personal in ("06 12345678", "Jan Jansen", "84", "ochtend", draft.summary[:30]):
        assert personal not in body


def test_a_failing_mail_server_does_not_lose_the_ticket(kb, tmp_path):
    settings = SmtpSettings(host="127.0.0.1", port=free_port(), recipient="desk@example.org", timeout_seconds=2)
    service = TicketService(f"sqlite:///{tmp_path / 't.db'}", Outbox(tmp_path / "outbox"), SmtpNotifier(settings))
    assert service.submit(make_draft(kb)).outcome == STORED


def test_notifications_are_off_unless_configured():
    assert isinstance(notifier_from_settings(Settings.from_env(None, {}).smtp), DisabledNotifier)
    configured = Settings.from_env(None, {"ZORGROUTE_SMTP_HOST": "mail.local", "ZORGROUTE_NOTIFY_TO": "d@x.nl",
                                          "ZORGROUTE_SMTP_PORT": "2525"})
    assert isinstance(notifier_from_settings(configured.smtp), SmtpNotifier) and configured.smtp.port == 2525
