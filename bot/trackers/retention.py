"""Delete stored conversations (Rasa's ``events`` table) that ended more than N days ago.

Whole conversations are deleted, never the older half of one that is still going on: a
conversation goes when its newest event is older than the cut-off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

# The columns of Rasa's SQLTrackerStore table this job needs.
_metadata = sa.MetaData()
EVENTS = sa.Table(
    "events", _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255)),
    sa.Column("timestamp", sa.Float),
)


@dataclass(frozen=True)
class PurgeReport:
    """What a purge removed."""

    conversations: int
    events: int


def has_events_table(session: Session) -> bool:
    """Is there a tracker store table in this database (not in embedded mode)?"""
    return sa.inspect(session.connection()).has_table("events")


def purge_conversations(session: Session, days: int, now: datetime | None = None) -> PurgeReport:
    """Delete every conversation whose newest event is older than ``days`` days."""
    now = now or datetime.now(timezone.utc)
    cutoff = (now - timedelta(days=days)).timestamp()
    ended = (sa.select(EVENTS.c.sender_id).group_by(EVENTS.c.sender_id)
             .having(sa.func.max(EVENTS.c.timestamp) < cutoff))
    senders = [row[0] for row in session.execute(ended)]
    events = 0
    for start in range(0, len(senders), 500):
        batch = senders[start:start + 500]
        result = session.execute(sa.delete(EVENTS).where(EVENTS.c.sender_id.in_(batch)))
        events += result.rowcount or 0
    return PurgeReport(conversations=len(senders), events=events)
