"""Tickets per category and per week, as bar data the console draws as plain SVG."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

WEEKS = 8
CATEGORY_LABELS = {"wlz": "Wlz", "zvw": "Zvw", "wmo": "Wmo", "jeugdwet": "Jeugdwet", "klacht": "Klacht",
                   "overig": "Overig", "crisis": "Crisis"}


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its count and its length in percent of the longest bar."""

    label: str
    count: int
    percent: float


@dataclass(frozen=True)
class Chart:
    """Both series of the console chart."""

    per_category: list[Bar]
    per_week: list[Bar]


def _bars(counts: list[tuple[str, int]]) -> list[Bar]:
    top = max((count for _, count in counts), default=0) or 1
    return [Bar(label, count, round(100 * count / top, 1)) for label, count in counts]


def weekly_counts(tickets: list[tuple[str, datetime]], now: datetime) -> Chart:
    """Counts per category (all tickets) and per ISO week for the last ``WEEKS`` weeks.

    ``tickets`` holds the category and creation time of each ticket.
    """
    categories = Counter(category for category, _ in tickets)
    per_category = [(CATEGORY_LABELS.get(name, name), categories[name])
                    for name in CATEGORY_LABELS if categories[name]]
    this_monday = (now - timedelta(days=now.weekday())).date()
    weeks = [this_monday - timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]
    created: Counter[date] = Counter()
    for _, created_at in tickets:
        day = created_at.date()
        created[day - timedelta(days=day.weekday())] += 1
    per_week = [(f"week {monday.isocalendar()[1]}", created[monday]) for monday in weeks]
    return Chart(_bars(per_category), _bars(per_week))
