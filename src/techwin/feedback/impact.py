"""The revenue a product gap holds up, without a database.

Impact = the ACV of the open deals the gap blocks + the ACV of the lost deals where it was one of
the reasons for the loss. Won deals, and deals lost for other reasons, count for nothing.

- **Each deal counts once**: per gap, and again when gaps are added up (a deal two gaps block
  is held up once, not twice).
- **Currencies are never mixed**: amounts are summed per currency and not converted, since
  Techwin keeps no exchange rates and a guessed rate would mislead. Gaps are ranked by their
  amount in one currency (the one most of the linked ACV is in, unless another is chosen),
  then by how many deals they touch, then by severity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class DealFact:
    """What one linked deal brings to a gap's impact."""

    deal_id: int
    acv: Decimal | None
    currency: str
    is_closed: bool
    is_won: bool
    lost_because: bool

    @property
    def role(self) -> str:
        """``blocked`` (open), ``lost`` (lost, the gap a reason) or ``none``."""
        if not self.is_closed:
            return "blocked"
        if not self.is_won and self.lost_because:
            return "lost"
        return "none"


def _add(totals: dict[str, Decimal], currency: str, amount: Decimal | None) -> None:
    totals[currency] = totals.get(currency, ZERO) + (amount or ZERO)


@dataclass(frozen=True)
class Impact:
    """A gap's (or several gaps') impact, per currency."""

    blocked: dict[str, Decimal] = field(default_factory=dict)
    lost: dict[str, Decimal] = field(default_factory=dict)
    open_deals: int = 0
    lost_deals: int = 0
    other_deals: int = 0

    @property
    def totals(self) -> dict[str, Decimal]:
        """Blocked plus lost ACV per currency, largest first."""
        totals: dict[str, Decimal] = {}
        for source in (self.blocked, self.lost):
            for currency, amount in source.items():
                _add(totals, currency, amount)
        return dict(sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])))

    def blocked_in(self, currency: str) -> Decimal:
        """ACV of the open deals blocked, in one currency."""
        return self.blocked.get(currency, ZERO)

    def lost_in(self, currency: str) -> Decimal:
        """ACV lost where the gap was a reason, in one currency."""
        return self.lost.get(currency, ZERO)

    def total(self, currency: str) -> Decimal:
        """Blocked plus lost ACV in one currency."""
        return self.blocked_in(currency) + self.lost_in(currency)

    def others(self, currency: str) -> dict[str, Decimal]:
        """Totals in the currencies other than ``currency`` (shown beside, never added)."""
        return {c: a for c, a in self.totals.items() if c != currency}

    @property
    def deals(self) -> int:
        """Deals that count: the open ones blocked and the lost ones it caused."""
        return self.open_deals + self.lost_deals


def impact_of(facts: Iterable[DealFact]) -> Impact:
    """The impact of the deals in ``facts``, each deal counted once (a deal linked twice, or to
    several gaps, is a loss reason if any of its links says so)."""
    merged: dict[int, DealFact] = {}
    for fact in facts:
        seen = merged.get(fact.deal_id)
        if seen is None or (fact.lost_because and not seen.lost_because):
            merged[fact.deal_id] = fact
    blocked: dict[str, Decimal] = {}
    lost: dict[str, Decimal] = {}
    counts = {"blocked": 0, "lost": 0, "none": 0}
    for fact in merged.values():
        role = fact.role
        counts[role] += 1
        if role == "blocked":
            _add(blocked, fact.currency, fact.acv)
        elif role == "lost":
            _add(lost, fact.currency, fact.acv)
    return Impact(
        blocked=blocked,
        lost=lost,
        open_deals=counts["blocked"],
        lost_deals=counts["lost"],
        other_deals=counts["none"],
    )


def ranking_currency(impacts: Iterable[Impact], default: str = "USD") -> str:
    """The currency most of the impact is in (alphabetical on a tie; ``default`` if none)."""
    sums: dict[str, Decimal] = {}
    for impact in impacts:
        for currency, amount in impact.totals.items():
            _add(sums, currency, amount)
    if not sums:
        return default
    return min(sums, key=lambda c: (-sums[c], c))


def rank_key(impact: Impact, *, currency: str, severity_rank: int) -> tuple[Decimal, int, int]:
    """Sort key, biggest impact first: amount in ``currency``, deals touched, severity."""
    return (-impact.total(currency), -impact.deals, severity_rank)


def currencies_in(impacts: Mapping[int, Impact]) -> list[str]:
    """Every currency any impact has an amount in, alphabetically."""
    return sorted({c for impact in impacts.values() for c in impact.totals})
