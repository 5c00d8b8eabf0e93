"""Vocabularies of field feedback: how badly a gap hurts, and where product stands on it."""

from __future__ import annotations

from enum import StrEnum


class GapSeverity(StrEnum):
    """How much a missing capability hurts the deals it touches."""

    DEAL_BREAKER = "deal_breaker"
    MAJOR = "major"
    MINOR = "minor"

    @property
    def label(self) -> str:
        """The severity as people read it."""
        return SEVERITY_LABELS[self]

    @property
    def rank(self) -> int:
        """0 for the worst, for sorting."""
        return list(GapSeverity).index(self)


SEVERITY_LABELS = {
    GapSeverity.DEAL_BREAKER: "Deal-breaker",
    GapSeverity.MAJOR: "Major",
    GapSeverity.MINOR: "Minor",
}


class GapStatus(StrEnum):
    """Where product management stands on a gap."""

    NEW = "new"
    REVIEWED = "reviewed"
    PLANNED = "planned"
    SHIPPED = "shipped"
    WONT_DO = "wont_do"

    @property
    def label(self) -> str:
        """The status as people read it."""
        return STATUS_LABELS[self]

    @property
    def is_closed(self) -> bool:
        """Shipped and won't-do gaps no longer wait for a decision or a release."""
        return self in (GapStatus.SHIPPED, GapStatus.WONT_DO)


STATUS_LABELS = {
    GapStatus.NEW: "New",
    GapStatus.REVIEWED: "Reviewed",
    GapStatus.PLANNED: "Planned",
    GapStatus.SHIPPED: "Shipped",
    GapStatus.WONT_DO: "Won't do",
}

# The workflow: triage, plan, ship; 'won't do' from any open status. A shipped or declined gap
# can be re-opened to 'reviewed' (with a reason) when the field shows it still matters.
STATUS_MOVES: dict[GapStatus, frozenset[GapStatus]] = {
    GapStatus.NEW: frozenset({GapStatus.REVIEWED, GapStatus.PLANNED, GapStatus.WONT_DO}),
    GapStatus.REVIEWED: frozenset({GapStatus.PLANNED, GapStatus.WONT_DO}),
    GapStatus.PLANNED: frozenset({GapStatus.SHIPPED, GapStatus.REVIEWED, GapStatus.WONT_DO}),
    GapStatus.SHIPPED: frozenset({GapStatus.REVIEWED}),
    GapStatus.WONT_DO: frozenset({GapStatus.REVIEWED}),
}
