"""A ticket before it is stored: plain data, JSON-ready (the outbox keeps drafts as files)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True)
class TicketDraft:
    """Everything a new ticket holds; free text in it is already redacted."""

    handover_key: str
    reference: str
    target: str
    category: str
    rule: str
    ladder: list[str]
    sources: list[str]
    decision: dict[str, Any]
    facts: dict[str, Any]
    summary: str
    transcript: list[dict[str, str]] | None
    contact_method: str | None
    contact_value: str | None
    contact_name: str | None
    contact_time: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TicketDraft:
        """Rebuild a draft; missing or unknown keys raise ``KeyError`` / ``TypeError``."""
        names = {f.name for f in fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise TypeError(f"unknown draft fields: {sorted(unknown)}")
        return cls(**{name: data[name] for name in names})
