"""The two views of the same pipeline data: the deal board and the lifecycle funnel."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from statistics import median
from typing import Any

from sqlalchemy import BigInteger, func, select, type_coerce, union_all
from sqlalchemy.orm import Session, joinedload, selectinload

from techwin.auth.models import User
from techwin.core.time import start_of_day, utcnow
from techwin.errors import InvalidInput
from techwin.pipeline import funnel_stats, rules
from techwin.pipeline.enums import LIFECYCLE_LABELS, LifecycleStage
from techwin.pipeline.models import Contact, LifecycleTransition, Opportunity, PipelineStage
from techwin.pipeline.opportunities import (
    OpportunityFilter,
    filtered_opportunities,
    pipeline_stages,
)

CARDS_PER_COLUMN = 50
CLOSED_WINDOW_DAYS = 90


@dataclass
class BoardColumn:
    """One stage on the board: its deals (the first page of them) and totals."""

    stage: PipelineStage
    count: int = 0
    total_acv: Decimal = Decimal("0")
    weighted_acv: Decimal = Decimal("0")
    cards: list[Opportunity] = field(default_factory=list)


def board(
    session: Session,
    *,
    pipeline_id: int,
    filters: OpportunityFilter,
    cards_per_column: int = CARDS_PER_COLUMN,
    closed_window_days: int = CLOSED_WINDOW_DAYS,
) -> list[BoardColumn]:
    """Columns per stage with counts and ACV totals; closed stages show recent closes only.

    Open columns list the deals closing soonest first; closed columns the latest closes first.
    Each column is read through its own index range (stage, close date / closed at), so a board
    of a hundred thousand deals costs about what a small one does.
    """
    stages = pipeline_stages(session, pipeline_id)
    columns = {s.id: BoardColumn(stage=s) for s in stages}
    recent = utcnow() - timedelta(days=closed_window_days)
    scoped = filtered_opportunities(filters).where(Opportunity.pipeline_id == pipeline_id)
    open_ids = [s.id for s in stages if not s.is_closed]
    closed_ids = [s.id for s in stages if s.is_closed]
    in_open = scoped.where(Opportunity.stage_id.in_(open_ids))
    in_closed = scoped.where(Opportunity.stage_id.in_(closed_ids), Opportunity.closed_at >= recent)
    _cents = type_coerce(Opportunity.acv, BigInteger)  # sum raw cents, convert once below
    sums = (
        Opportunity.stage_id,
        func.count(Opportunity.id),
        func.coalesce(func.sum(_cents), 0),
        func.coalesce(func.sum(_cents * Opportunity.probability), 0),
    )
    totals = session.execute(
        union_all(
            in_open.with_only_columns(*sums).group_by(Opportunity.stage_id),
            in_closed.with_only_columns(*sums).group_by(Opportunity.stage_id),
        )
    )
    for stage_id, count, acv_cents, weighted in totals:
        column = columns[stage_id]
        column.count = int(count)
        column.total_acv = (Decimal(int(acv_cents or 0)) / 100).quantize(Decimal("0.01"))
        column.weighted_acv = (Decimal(int(weighted or 0)) / 10000).quantize(Decimal("1"))
    firsts = [
        (in_closed if stage.is_closed else in_open)
        .with_only_columns(Opportunity.id)
        .where(Opportunity.stage_id == stage.id)
        .order_by(*_card_order(stage))
        .limit(cards_per_column)
        .subquery()
        for stage in stages
        if columns[stage.id].count
    ]
    if not firsts:
        return [columns[s.id] for s in stages]
    card_ids = union_all(*(select(first.c.id) for first in firsts))
    cards = session.scalars(
        select(Opportunity)
        .options(
            joinedload(Opportunity.account),
            joinedload(Opportunity.owner),
            joinedload(Opportunity.stage),
            selectinload(Opportunity.engineers),
        )
        .where(Opportunity.id.in_(card_ids))
    )
    for card in cards.unique():
        columns[card.stage_id].cards.append(card)
    for stage in stages:
        _sort_cards(stage, columns[stage.id].cards)
    return [columns[s.id] for s in stages]


def _card_order(stage: PipelineStage) -> tuple[Any, ...]:
    if stage.is_closed:
        return (Opportunity.closed_at.desc(), Opportunity.id.desc())
    return (Opportunity.close_date.asc(), Opportunity.id.asc())


def _sort_cards(stage: PipelineStage, cards: list[Opportunity]) -> None:
    """The column's order in Python, matching :func:`_card_order`."""
    if stage.is_closed:
        cards.sort(key=lambda o: (o.closed_at or utcnow(), o.id), reverse=True)
    else:
        cards.sort(key=lambda o: (o.close_date or date.min, o.id))


@dataclass
class FunnelStep:
    """One lifecycle stage in the funnel."""

    stage: LifecycleStage
    label: str
    reached: int
    conversion_from_previous: float | None
    conversion_from_top: float | None
    median_days_in_stage: float | None


@dataclass
class FunnelReport:
    """How a cohort of contacts created in a period moved through the lifecycle."""

    start: date
    end: date
    split_by: str | None
    steps: list[FunnelStep]
    splits: dict[str, list[FunnelStep]]


def _steps(
    reached_by_rank: Mapping[int, int], medians: Mapping[LifecycleStage, float | None]
) -> list[FunnelStep]:
    top = sum(reached_by_rank.values())
    cumulative = []
    running = 0
    for rank in range(len(rules.FUNNEL_STAGES) - 1, -1, -1):
        running += reached_by_rank.get(rank, 0)
        cumulative.append(running)
    cumulative.reverse()
    steps: list[FunnelStep] = []
    for rank, stage in enumerate(rules.FUNNEL_STAGES):
        reached = cumulative[rank]
        previous = cumulative[rank - 1] if rank else None
        steps.append(
            FunnelStep(
                stage=stage,
                label=LIFECYCLE_LABELS[stage],
                reached=reached,
                conversion_from_previous=(reached / previous) if previous else None,
                conversion_from_top=(reached / top) if top and rank else None,
                median_days_in_stage=medians.get(stage),
            )
        )
    return steps


SPLITS = {"source": Contact.source, "owner": Contact.owner_id}


def funnel(
    session: Session,
    *,
    start: date,
    end: date,
    split_by: str | None = None,
    owner_id: int | None = None,
    source: str | None = None,
) -> FunnelReport:
    """Of the contacts created between ``start`` and ``end``: how many reached each stage,
    the conversion between stages, and the median days they spent in each stage."""
    if end < start:
        raise InvalidInput("the period ends before it starts", field="end")
    if split_by is not None and split_by not in SPLITS:
        raise InvalidInput(f"split_by must be one of {', '.join(SPLITS)}", field="split_by")
    window = (
        Contact.created_at >= start_of_day(start),
        Contact.created_at < start_of_day(end) + timedelta(days=1),
    )
    scope = [*window]
    if owner_id is not None:
        scope.append(Contact.owner_id == owner_id)
    if source:
        scope.append(Contact.source == source)
    split_col: Any = SPLITS[split_by] if split_by else None
    overall: dict[int, int] = defaultdict(int)
    per_split: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    if split_col is None:
        for rank, count in session.execute(
            select(Contact.furthest_rank, func.count(Contact.id))
            .where(*scope)
            .group_by(Contact.furthest_rank)
        ):
            overall[rank] += count
    else:
        for key, rank, count in session.execute(
            select(split_col, Contact.furthest_rank, func.count(Contact.id))
            .where(*scope)
            .group_by(split_col, Contact.furthest_rank)
        ):
            per_split[_split_label(session, split_by, key)][rank] += count
            overall[rank] += count
    if owner_id is None and not source:
        medians = funnel_stats.cohort_medians(session, start=start, end=end)
    else:  # a narrowed cohort is small: its medians are exact, from the moves themselves
        medians = _exact_medians(session, scope)
    return FunnelReport(
        start=start,
        end=end,
        split_by=split_by,
        steps=_steps(overall, medians),
        splits={key: _steps(counts, {}) for key, counts in sorted(per_split.items())},
    )


def _exact_medians(session: Session, scope: list[Any]) -> dict[LifecycleStage, float]:
    durations: dict[LifecycleStage, list[int]] = defaultdict(list)
    rows = session.execute(
        select(LifecycleTransition.from_stage, LifecycleTransition.seconds_in_from_stage)
        .join(Contact, Contact.id == LifecycleTransition.contact_id)
        .where(
            *scope,
            LifecycleTransition.from_stage.in_(rules.FUNNEL_STAGES),
            LifecycleTransition.seconds_in_from_stage.is_not(None),
        )
    )
    for stage, seconds in rows:
        if stage is not None and seconds is not None:
            durations[stage].append(seconds)
    return {
        stage: round(median(values) / 86400, 1) for stage, values in durations.items() if values
    }


def _split_label(session: Session, split_by: str | None, key: object) -> str:
    if key is None:
        return "(none)"
    if split_by == "owner":
        user = session.get(User, key)
        return user.full_name if user else f"user {key}"
    return str(key)
