"""A ticket before it is stored: plain data, JSON-ready (the outbox keeps drafts as files)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any


def ladder_of(decision: Mapping[str, Any] | None) -> list[str]:
    """The route ids of a decision (the triage JSON contract), first rung first."""
    return [str(step.get("id")) for step in (decision or {}).get("route") or []]


def sources_of(decision: Mapping[str, Any] | None) -> list[str]:
    """The distinct sources the rungs of a decision cite, sorted."""
    return sorted({str(step["source"]) for step in (decision or {}).get("route") or [] if step.get("source")})


class DecisionParts:
    """Ladder, sources and facts read from ``self.decision`` (for drafts and stored tickets alike)."""

    decision: dict[str, Any]

    @property
    def ladder(self) -> list[str]:
        """The route ids of the decision, first rung first."""
        return ladder_of(self.decision)

    @property
    def sources(self) -> list[str]:
        """The sources the decision's rungs cite."""
        return sources_of(self.decision)

    @property
    def facts(self) -> dict[str, Any] | None:
        """The facts the decision was made on (None when there are none, e.g. once anonymised)."""
        facts = (self.decision or {}).get("facts")
        return dict(facts) if facts is not None else None


@dataclass(frozen=True)
class TicketDraft(DecisionParts):
    """Everything a new ticket holds; free text in it is already redacted."""

    handover_key: str
    reference: str
    target: str
    category: str
    rule: str
    decision: dict[str, Any]
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
