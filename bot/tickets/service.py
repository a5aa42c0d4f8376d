"""Submitting a handover: store it once, or queue it durably when the database is unreachable."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from bot.config import Settings
from bot.tickets.db import Database, open_database
from bot.tickets.draft import TicketDraft
from bot.tickets.notify import Notifier, notifier_from_settings
from bot.tickets.outbox import DrainReport, Outbox
from bot.tickets.repository import add_ticket

log = logging.getLogger(__name__)

STORED = "stored"
EXISTING = "existing"
QUEUED = "queued"


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(timezone.utc)


def is_unavailable(error: Exception) -> bool:
    """Whether an error means "cannot reach the database" (queue and retry later)."""
    if isinstance(error, (OperationalError, DisconnectionError, PoolTimeoutError, OSError)):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


@dataclass(frozen=True)
class Receipt:
    """What the citizen is told: the reference, and whether the ticket is stored or queued."""

    reference: str
    outcome: str  # STORED, EXISTING or QUEUED


class TicketService:
    """Stores handovers; the database is opened (and migrated) on first use and again after failures."""

    def __init__(self, database_url: str, outbox: Outbox, notifier: Notifier,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.database_url = database_url
        self.outbox = outbox
        self.notifier = notifier
        self.clock = clock
        self._database: Database | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> TicketService:
        """The service configured by the environment."""
        return cls(settings.database_url, Outbox(settings.outbox_dir), notifier_from_settings(settings.smtp))

    def database(self) -> Database:
        """The open database (opened and migrated now if needed)."""
        with self._lock:
            if self._database is None:
                self._database = open_database(self.database_url)
            return self._database

    def close(self) -> None:
        """Release the database connections."""
        with self._lock:
            if self._database is not None:
                self._database.dispose()
                self._database = None

    def store(self, draft: TicketDraft) -> tuple[str, bool]:
        """Write one draft in its own unit of work; returns (reference, created). Raises on failure."""
        with self.database().unit_of_work() as session:
            ticket, created = add_ticket(session, draft, self.clock())
            reference = ticket.reference
        if created:
            self._notify(reference, draft.target, draft.category)
        return reference, created

    def submit(self, draft: TicketDraft) -> Receipt:
        """Store the handover, or queue it when the database cannot be reached. Never loses it."""
        try:
            reference, created = self.store(draft)
        except Exception as error:
            if not is_unavailable(error):
                log.error("ticket %s could not be stored (%s); queued for retry", draft.reference,
                          type(error).__name__)
            else:
                log.warning("ticket database unavailable (%s); ticket %s queued", type(error).__name__,
                            draft.reference)
            self.close()
            self.outbox.put(draft)
            return Receipt(draft.reference, QUEUED)
        self.drain(quiet=True)
        return Receipt(reference, STORED if created else EXISTING)

    def drain(self, quiet: bool = False) -> DrainReport:
        """Write every queued draft (exactly once each). With ``quiet``, a database failure is not raised."""
        if not self.outbox.pending():
            return DrainReport()
        try:
            return self.outbox.drain(self.store, is_unavailable)
        except (SQLAlchemyError, OSError) as error:
            self.close()
            if quiet:
                log.warning("outbox not drained yet: %s", type(error).__name__)
                return DrainReport(remaining=len(self.outbox))
            raise

    def _notify(self, reference: str, target: str, category: str) -> None:
        try:
            self.notifier.notify(reference, target, category)
        except Exception as error:
            log.warning("notification for ticket %s failed: %s", reference, type(error).__name__)
