"""What the simulation produces and the shared means of producing it."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import itemgetter
from typing import Any

from techwin.pipeline.enums import ForecastCategory
from techwin.scoring.enums import EventKind

Row = dict[str, Any]
# An engagement event: (id, contact_id, kind, occurred_at, detail, created_at).
EventRecord = tuple[int, int, EventKind, datetime, str | None, datetime]


@dataclass(frozen=True)
class StageInfo:
    """A pipeline stage as the simulation needs it."""

    id: int
    key: str
    name: str
    position: int
    probability: int
    forecast_category: ForecastCategory
    is_closed: bool
    is_won: bool


@dataclass
class Output:
    """Rows for every table the demo fills, in insertion order."""

    contacts: list[Row] = field(default_factory=list)
    transitions: list[Row] = field(default_factory=list)
    opportunities: list[Row] = field(default_factory=list)
    opportunity_ses: list[Row] = field(default_factory=list)
    opportunity_contacts: list[Row] = field(default_factory=list)
    stage_changes: list[Row] = field(default_factory=list)
    checks: list[Row] = field(default_factory=list)
    audits: list[Row] = field(default_factory=list)
    assessments: list[Row] = field(default_factory=list)
    ratings: list[Row] = field(default_factory=list)
    # Engagement events are the biggest table: kept as compact tuples until they are written.
    events: list[EventRecord] = field(default_factory=list)
    unsubscribes: list[Row] = field(default_factory=list)

    def clear(self) -> None:
        """Forget every row (they were written); the lists themselves stay, shared."""
        for rows in vars(self).values():
            rows.clear()

    def pack(self) -> list[Packed]:
        """The rows as (table, columns, records), parents before the rows pointing at them;
        empty tables left out."""
        packed: list[Packed] = []
        for attribute, table in WRITE_ORDER:
            rows: list[Any] = getattr(self, attribute)
            if not rows:
                continue
            if attribute == "events":
                packed.append((table, EVENT_COLUMNS, list(rows)))
                continue
            columns = tuple(rows[0])
            pick = itemgetter(*columns)
            records = list(map(pick, rows)) if len(columns) > 1 else [(pick(r),) for r in rows]
            packed.append((table, columns, records))
        return packed


# A table's rows ready to write: (table name, columns, one tuple of values per row).
Packed = tuple[str, tuple[str, ...], list[tuple[Any, ...]]]
EVENT_COLUMNS = ("id", "contact_id", "kind", "occurred_at", "detail", "created_at")
# Output's lists in an order they can be written in (every row after the rows it points at).
WRITE_ORDER = (
    ("contacts", "contact"),
    ("unsubscribes", "nurture_unsubscribe"),
    ("assessments", "qualification_assessment"),
    ("ratings", "qualification_rating"),
    ("transitions", "lifecycle_transition"),
    ("opportunities", "opportunity"),
    ("opportunity_ses", "opportunity_se"),
    ("opportunity_contacts", "opportunity_contact"),
    ("stage_changes", "stage_change"),
    ("checks", "criterion_check"),
    ("audits", "audit_event"),
    ("events", "engagement_event"),
)


@dataclass
class IdBase:
    """The next free id of every table with a surrogate key."""

    transition: int
    opportunity: int
    stage_change: int
    check: int
    audit: int
    assessment: int = 1
    rating: int = 1
    event: int = 1


def cap(value: float, high: float = 0.95) -> float:
    """``value`` held between 0 and ``high`` (a probability that stays a probability)."""
    return max(0.0, min(high, value))


class Recorder:
    """The one random stream, the id counters and the rows, shared by every simulation step."""

    def __init__(self, rng: random.Random, ids: IdBase) -> None:
        self.rng = rng
        self._ids: dict[str, int] = dict(vars(ids))  # a plain dict: taken millions of times
        self.out = Output()

    def days(self, median: float, spread: float) -> timedelta:
        """A skewed duration: most moves take days, a long tail takes weeks or months."""
        days = median * math.exp(spread * self.rng.gauss(0.0, 1.0))
        return timedelta(seconds=max(600, int(days * 86400)))

    def between(self, start: datetime, end: datetime) -> datetime:
        """A moment inside ``start``–``end`` (not at its very edges)."""
        span = max(0.0, (end - start).total_seconds())
        return start + timedelta(seconds=int(span * self.rng.uniform(0.2, 0.95)))

    def next_id(self, name: str) -> int:
        """Take the next id of a table (``name`` is a field of :class:`IdBase`)."""
        ids = self._ids
        value = ids[name]
        ids[name] = value + 1
        return value

    def audit(self, **fields: Any) -> None:
        """An audit event (the fields of :func:`audit_row`)."""
        self.out.audits.append(audit_row(self.next_id("audit"), **fields))

    def check(self, criterion_id: int, subject_id: int, by: int | None, at: datetime) -> None:
        """Tick a checklist criterion for a record, as a person would have."""
        self.out.checks.append(
            {
                "id": self.next_id("check"),
                "criterion_id": criterion_id,
                "subject_id": subject_id,
                "checked_by_id": by,
                "checked_at": at,
                "note": None,
            }
        )


def audit_row(
    row_id: int,
    *,
    at: datetime,
    actor: int | None,
    action: str,
    entity_type: str,
    entity_id: int,
    summary: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """An audit event row worded like the one the service writes for the same change."""
    return {
        "id": row_id,
        "at": at,
        "actor_id": actor,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "summary": summary[:300],
        "before": before,
        "after": after,
        "reason": reason,
    }
