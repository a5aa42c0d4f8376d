"""New-ticket notification for the receiving desk: real SMTP, or off (the default).

The message holds only the reference, the target desk and the category: nothing about the
person, so it is safe to send to a shared desk mailbox over any mail route.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Protocol

from bot.config import SmtpSettings
from bot.knowledge import default_knowledge


class Notifier(Protocol):
    """Anything that tells a desk a new ticket is waiting."""

    def notify(self, reference: str, target: str, category: str) -> None:
        """Send the notification (may raise ``OSError`` / ``smtplib.SMTPException``)."""


class DisabledNotifier:
    """Notifications are off: nothing is sent."""

    def notify(self, reference: str, target: str, category: str) -> None:
        """Do nothing."""


def notification_message(settings: SmtpSettings, reference: str, target: str, category: str) -> EmailMessage:
    """The e-mail for a new ticket (reference, desk and category only)."""
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = settings.recipient
    message["Subject"] = f"Nieuwe overdracht {reference}"
    desk = default_knowledge().handover_desks().get(target, target)
    message.set_content(
        f"Er staat een nieuwe overdracht klaar voor {desk}.\n\n"
        f"Referentie: {reference}\nCategorie: {category}\n\n"
        f"Bekijk de gegevens met: python -m bot tickets show {reference}\n"
    )
    return message


class SmtpNotifier:
    """Sends the notification through an SMTP server."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def notify(self, reference: str, target: str, category: str) -> None:
        """Connect, optionally STARTTLS and log in, and send."""
        settings = self.settings
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds) as client:
            if settings.starttls:
                client.starttls()
            if settings.username:
                client.login(settings.username, settings.password)
            client.send_message(notification_message(settings, reference, target, category))


def notifier_from_settings(settings: SmtpSettings) -> Notifier:
    """SMTP when a host and a desk address are configured, otherwise off."""
    return SmtpNotifier(settings) if settings.enabled else DisabledNotifier()
