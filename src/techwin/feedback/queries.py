"""Read-side questions about product gaps: the ranking by revenue impact, a gap's deals, a
deal's gaps and the CSV export, each in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from techwin.feedback import impact as arithmetic
from techwin.feedback.enums import GapSeverity, GapStatus
from techwin.feedback.gaps import allowed_statuses
from techwin.feedback.impact import DealFact, Impact
from techwin.feedback.models import GapDeal, ProductGap
from techwin.feedback.schemas import GapDealOut, GapOut, ImpactOut, RankedGapOut
from techwin.pipeline.models import Account, Opportunity, PipelineStage


@dataclass(frozen=True)
class GapFilter:
    """What the gap list is narrowed to."""

    statuses: Sequence[GapStatus] = ()
    severity: GapSeverity | None = None
    product_area: str | None = None
    q: str | None = None


@dataclass(frozen=True)
class RankedGap:
    """A gap with its place in the ranking and its impact."""

    rank: int
    gap: ProductGap
    impact: Impact


@dataclass(frozen=True)
class GapRanking:
    """Gaps ranked by impact in ``currency``, with the impact of all of them together (each
    deal once) and the currencies there are amounts in."""

    gaps: list[RankedGap]
    currency: str
    currencies: list[str]
    overall: Impact = field(default_factory=Impact)


def _filtered(filters: GapFilter) -> Select[ProductGap]:
    query = select(ProductGap)
    if filters.statuses:
        query = query.where(ProductGap.status.in_(list(filters.statuses)))
    if filters.severity is not None:
        query = query.where(ProductGap.severity == filters.severity)
    if filters.product_area:
        query = query.where(
            func.lower(ProductGap.product_area) == filters.product_area.strip().lower()
        )
    if filters.q:
        needle = f"%{filters.q.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(ProductGap.title).like(needle),
                func.lower(ProductGap.product_area).like(needle),
            )
        )
    return query


def deal_facts(session: Session, gap_ids: Select[int] | Sequence[int]) -> dict[int, list[DealFact]]:
    """What each gap's linked deals bring to its impact (one query)."""
    query = (
        select(
            GapDeal.gap_id,
            Opportunity.id,
            Opportunity.acv,
            Opportunity.currency,
            PipelineStage.is_closed,
            PipelineStage.is_won,
            GapDeal.lost_because,
        )
        .join(Opportunity, Opportunity.id == GapDeal.opportunity_id)
        .join(PipelineStage, PipelineStage.id == Opportunity.stage_id)
        .where(GapDeal.gap_id.in_(gap_ids))
    )
    facts: dict[int, list[DealFact]] = {}
    for gap_id, deal_id, acv, currency, is_closed, is_won, lost_because in session.execute(query):
        facts.setdefault(gap_id, []).append(
            DealFact(deal_id, acv, currency, is_closed, is_won, lost_because)
        )
    return facts


def rank_gaps(
    session: Session, *, filters: GapFilter | None = None, currency: str | None = None
) -> GapRanking:
    """Every gap matching ``filters``, the most revenue held up first (two queries)."""
    query = _filtered(filters or GapFilter())
    gaps = list(session.scalars(query))
    facts = deal_facts(session, query.with_only_columns(ProductGap.id))
    impacts = {g.id: arithmetic.impact_of(facts.get(g.id, [])) for g in gaps}
    overall = arithmetic.impact_of(f for group in facts.values() for f in group)
    chosen = currency or arithmetic.ranking_currency([overall])
    ordered = sorted(
        gaps,
        key=lambda g: (
            *arithmetic.rank_key(impacts[g.id], currency=chosen, severity_rank=g.severity.rank),
            g.id,
        ),
    )
    return GapRanking(
        gaps=[RankedGap(i + 1, g, impacts[g.id]) for i, g in enumerate(ordered)],
        currency=chosen,
        currencies=sorted(set(arithmetic.currencies_in(impacts)) | {chosen}),
        overall=overall,
    )


def gap_impact(session: Session, gap_id: int) -> Impact:
    """One gap's impact."""
    return impacts(session, [gap_id])[gap_id]


def impacts(session: Session, gap_ids: Sequence[int]) -> dict[int, Impact]:
    """The impact of each of ``gap_ids`` (one query)."""
    facts = deal_facts(session, gap_ids)
    return {i: arithmetic.impact_of(facts.get(i, [])) for i in gap_ids}


def impact_out(impact: Impact, currency: str) -> ImpactOut:
    """The API shape of an impact, in ``currency`` with the others beside."""
    return ImpactOut(
        currency=currency,
        blocked_acv=impact.blocked.get(currency, arithmetic.ZERO),
        lost_acv=impact.lost.get(currency, arithmetic.ZERO),
        total=impact.total(currency),
        open_deals=impact.open_deals,
        lost_deals=impact.lost_deals,
        totals=impact.totals,
    )


def default_currency(impact: Impact) -> str:
    """The currency a single gap's impact is shown in: its largest."""
    return arithmetic.ranking_currency([impact])


def gap_out(gap: ProductGap, impact: Impact, currency: str | None = None) -> GapOut:
    """The API shape of a gap."""
    return GapOut(
        id=gap.id,
        title=gap.title,
        product_area=gap.product_area,
        severity=gap.severity,
        description=gap.description,
        workaround=gap.workaround,
        status=gap.status,
        status_reason=gap.status_reason,
        status_changed_at=gap.status_changed_at,
        created_by_id=gap.created_by_id,
        created_at=gap.created_at,
        allowed_statuses=allowed_statuses(gap.status),
        impact=impact_out(impact, currency or default_currency(impact)),
        version=gap.version,
    )


def ranked_out(ranked: RankedGap, currency: str) -> RankedGapOut:
    """The API shape of a gap in the ranking."""
    return RankedGapOut(
        rank=ranked.rank, **gap_out(ranked.gap, ranked.impact, currency).model_dump()
    )


def gap_deals(session: Session, gap_id: int) -> list[GapDealOut]:
    """The deals linked to a gap, open ones first, then by ACV (one query)."""
    query = (
        select(GapDeal, Opportunity, Account.name, PipelineStage)
        .join(Opportunity, Opportunity.id == GapDeal.opportunity_id)
        .join(Account, Account.id == Opportunity.account_id)
        .join(PipelineStage, PipelineStage.id == Opportunity.stage_id)
        .where(GapDeal.gap_id == gap_id)
        .order_by(PipelineStage.is_closed, Opportunity.acv.desc(), Opportunity.id)
    )
    rows = []
    for link, deal, account, stage in session.execute(query):
        fact = DealFact(
            deal.id, deal.acv, deal.currency, stage.is_closed, stage.is_won, link.lost_because
        )
        rows.append(
            GapDealOut(
                opportunity_id=deal.id,
                name=deal.name,
                account=account,
                stage=stage.name,
                deal_status="won" if stage.is_won else ("lost" if stage.is_closed else "open"),
                acv=deal.acv,
                currency=deal.currency,
                lost_because=link.lost_because,
                counts_as=fact.role,
                note=link.note,
                lost_reason=deal.lost_reason,
                linked_at=link.linked_at,
            )
        )
    return rows


@dataclass(frozen=True)
class DealGap:
    """A gap linked to one deal, as the deal page shows it."""

    gap: ProductGap
    lost_because: bool
    note: str | None


def deal_gaps(session: Session, opportunity_id: int) -> list[DealGap]:
    """The gaps linked to a deal, the most severe first (one query)."""
    query = (
        select(ProductGap, GapDeal.lost_because, GapDeal.note)
        .join(GapDeal, GapDeal.gap_id == ProductGap.id)
        .where(GapDeal.opportunity_id == opportunity_id)
        .order_by(ProductGap.severity, ProductGap.title)
    )
    found = [DealGap(gap, lost, note) for gap, lost, note in session.execute(query)]
    return sorted(found, key=lambda d: (d.gap.severity.rank, d.gap.title.lower()))


def gap_choices(
    session: Session, *, exclude_deal: int | None = None, limit: int = 300
) -> list[ProductGap]:
    """Gaps still open (not shipped, not declined) to link a deal to, by title."""
    query = (
        select(ProductGap)
        .where(ProductGap.status.not_in([GapStatus.SHIPPED, GapStatus.WONT_DO]))
        .order_by(func.lower(ProductGap.title), ProductGap.id)
        .limit(limit)
    )
    if exclude_deal is not None:
        linked = select(GapDeal.gap_id).where(GapDeal.opportunity_id == exclude_deal)
        query = query.where(ProductGap.id.not_in(linked))
    return list(session.scalars(query))


def product_areas(session: Session) -> list[str]:
    """The product areas gaps were recorded in, alphabetically."""
    query = select(ProductGap.product_area).distinct().order_by(ProductGap.product_area)
    return list(session.scalars(query))


EXPORT_HEADER = (
    "rank",
    "id",
    "title",
    "product_area",
    "severity",
    "status",
    "currency",
    "blocked_acv",
    "lost_acv",
    "impact",
    "other_currencies",
    "open_deals",
    "lost_deals",
    "deal_ids",
    "workaround",
    "status_reason",
    "created_at",
)


def export_rows(
    session: Session, *, filters: GapFilter | None = None, currency: str | None = None
) -> Iterator[tuple[object, ...]]:
    """Rows of the gaps CSV in ranking order (three queries, whatever the number of gaps)."""
    ranking = rank_gaps(session, filters=filters, currency=currency)
    ids = [r.gap.id for r in ranking.gaps]
    linked: dict[int, list[int]] = {}
    for gap_id, deal_id in session.execute(
        select(GapDeal.gap_id, GapDeal.opportunity_id)
        .where(GapDeal.gap_id.in_(ids))
        .order_by(GapDeal.gap_id, GapDeal.opportunity_id)
    ):
        linked.setdefault(gap_id, []).append(deal_id)
    chosen = ranking.currency
    for ranked in ranking.gaps:
        gap, found = ranked.gap, ranked.impact
        others = found.others(chosen)
        yield (
            ranked.rank,
            gap.id,
            gap.title,
            gap.product_area,
            gap.severity.value,
            gap.status.value,
            chosen,
            found.blocked.get(chosen, arithmetic.ZERO),
            found.lost.get(chosen, arithmetic.ZERO),
            found.total(chosen),
            "; ".join(f"{c} {a}" for c, a in others.items()),
            found.open_deals,
            found.lost_deals,
            ";".join(str(i) for i in linked.get(gap.id, [])),
            gap.workaround,
            gap.status_reason,
            gap.created_at.isoformat(),
        )
