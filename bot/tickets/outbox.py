"""A durable, file-backed outbox for tickets that could not be stored yet.

Each draft is one JSON file named after its handover key, written atomically (temporary file,
fsync, rename), so a crash leaves either the whole draft or nothing, and queueing the same
handover twice keeps one file. Draining stores each draft idempotently and only then removes
its file: a crash between the two stores nothing twice. A file that cannot be read is moved to
``rejected/`` (never silently dropped). Files are readable by the owner only: they hold
personal data.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.tickets.draft import TicketDraft

_KEY = re.compile(r"[0-9a-f]{64}")


@dataclass
class DrainReport:
    """What one drain did: references written, already present, files rejected, files left."""

    stored: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    remaining: int = 0


class Outbox:
    """The outbox folder."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, draft: TicketDraft) -> Path:
        if not _KEY.fullmatch(draft.handover_key):
            raise ValueError("handover_key must be a sha256 hex digest")
        return self.directory / f"{draft.handover_key}.json"

    def put(self, draft: TicketDraft) -> Path:
        """Queue a draft durably (idempotent per handover)."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = self._path(draft)
        temporary = target.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(draft.to_dict(), handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
        directory = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        return target

    def pending(self) -> list[Path]:
        """Queued drafts, oldest first."""
        if not self.directory.is_dir():
            return []
        return sorted(self.directory.glob("*.json"), key=lambda path: (path.stat().st_mtime_ns, path.name))

    def __len__(self) -> int:
        return len(self.pending())

    def drain(self, store: Callable[[TicketDraft], tuple[str, bool]],
              retry_later: Callable[[Exception], bool]) -> DrainReport:
        """Hand every queued draft to ``store`` (returns reference, created), oldest first.

        When ``store`` fails and ``retry_later(error)`` is true (the database is still away), draining
        stops, the draft stays queued and the error propagates. Any other failure means this draft
        can never be stored as it is: it is moved to ``rejected/`` for a person to look at.
        """
        report = DrainReport()
        paths = self.pending()
        for index, path in enumerate(paths):
            try:
                draft = TicketDraft.from_dict(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, TypeError, KeyError):
                self._reject(path)
                report.rejected.append(path.name)
                continue
            try:
                reference, created = store(draft)
            except Exception as error:
                if retry_later(error):
                    report.remaining = len(paths) - index
                    raise
                self._reject(path)
                report.rejected.append(path.name)
                continue
            (report.stored if created else report.existing).append(reference)
            path.unlink(missing_ok=True)
        return report

    def _reject(self, path: Path) -> None:
        rejected = self.directory / "rejected"
        rejected.mkdir(exist_ok=True, mode=0o700)
        os.replace(path, rejected / path.name)
