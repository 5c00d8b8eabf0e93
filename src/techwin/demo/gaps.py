"""Product gaps the field reported, and the deals each one touches: the open deals it holds up
and the lost deals where it was one of the reasons, so the PM's ranking by impact has
something to rank."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from techwin.demo.box_rows import Sink
from techwin.demo.deal_view import DealView
from techwin.demo.evaluation_words import GAP_LINK_NOTES, GAPS, GapText
from techwin.feedback.enums import GapStatus

# Chance a deal gets linked to a gap: lost for a reason a gap explains, lost at the POC,
# still open past discovery, won (a gap met and worked around), lost for other reasons.
LOST_EXPLAINED, LOST_AT_POC, OPEN_BLOCKED, WON_TOUCHED, LOST_OTHER = 0.7, 0.3, 0.16, 0.04, 0.02


@dataclass(frozen=True)
class Gap:
    """A gap as the links need it."""

    id: int
    text: GapText
    created_at: datetime


class GapBook:
    """The catalogue of gaps (written once) and each deal's links to them."""

    def __init__(
        self, rng: random.Random, sink: Sink, *, reporters: list[int], horizon: datetime
    ) -> None:
        self.rng = rng
        self.sink = sink
        self.horizon = horizon
        self.gaps: list[Gap] = []
        self._fits: dict[str, list[Gap]] = {}  # use case → the gaps open deals of it meet
        for text in GAPS:
            created = horizon - timedelta(days=rng.uniform(45, 640))
            gap = Gap(sink.take("product_gap"), text, created)
            self.gaps.append(gap)
            for use_case in text.use_cases:
                self._fits.setdefault(use_case, []).append(gap)
            changed = None
            if text.status is not GapStatus.NEW:
                changed = created + (horizon - created) * rng.uniform(0.15, 0.9)
            sink.add(
                "product_gap",
                {
                    "id": gap.id,
                    "title": text.title,
                    "product_area": text.area,
                    "severity": text.severity,
                    "description": text.description,
                    "workaround": text.workaround,
                    "status": text.status,
                    "status_reason": text.status_reason,
                    "status_changed_at": changed,
                    "created_by_id": rng.choice(reporters) if reporters else None,
                    "created_at": created,
                    "updated_at": changed or created,
                    "version": 1 if changed is None else 2,
                },
            )

    def link(self, deal: DealView) -> None:
        """Link the deal to the gaps it met, marking the ones it was lost for."""
        rng = self.rng
        reason = (deal.lost_reason or "").lower()
        explained = (
            [g for g in self.gaps if any(word in reason for word in g.text.triggers)]
            if reason
            else []
        )
        fits = self._fits.get(deal.use_case, [])
        lost_for = False
        if deal.lost and explained and rng.random() < LOST_EXPLAINED:
            pool, lost_for = explained, True
        elif deal.lost and deal.stage_key == "proof_of_concept" and rng.random() < LOST_AT_POC:
            pool, lost_for = fits or self.gaps, True
        else:
            if deal.is_open:
                chance = OPEN_BLOCKED if deal.stage_key != "discovery" else 0.0
            else:
                chance = WON_TOUCHED if deal.won else LOST_OTHER
            if rng.random() >= chance:
                return
            pool = fits or self.gaps
        count = 2 if len(pool) > 1 and rng.random() < 0.2 else 1
        chosen: list[Gap] = []
        while len(chosen) < count:
            gap = rng.choices(pool, weights=[g.text.weight for g in pool])[0]
            if gap not in chosen:
                chosen.append(gap)
        end = deal.end(self.horizon)
        for gap in chosen:
            start = max(deal.created_at, gap.created_at)
            if start >= end:  # recorded after the deal closed, in the loss review
                linked = min(self.horizon, start + timedelta(days=rng.uniform(1, 20)))
            else:
                linked = start + (end - start) * rng.uniform(0.3, 0.95)
            self.sink.add(
                "product_gap_deal",
                {
                    "gap_id": gap.id,
                    "opportunity_id": deal.id,
                    "lost_because": lost_for,
                    "note": rng.choice(GAP_LINK_NOTES) if rng.random() < 0.4 else None,
                    "linked_at": linked,
                    "linked_by_id": deal.engineers[0],
                },
            )
