"""Read-only queries behind overviews: a person's dashboard and the lifecycle at a glance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from techwin.auth.models import User
from techwin.core.time import utcnow
from techwin.pipeline.enums import LifecycleStage
from techwin.pipeline.models import Contact, Opportunity, OpportunityContact, PipelineStage

ACTIONABLE_STAGES = (
    LifecycleStage.LEAD,
    LifecycleStage.MQL,
    LifecycleStage.SAL,
    LifecycleStage.SQL,
)


@dataclass(frozen=True)
class DealSummary:
    """A person's open deals in three numbers."""

    count: int
    total_acv: Decimal
    closing_soon: int


def count_contacts_by_stage(
    session: Session, *, owner_id: int | None = None
) -> dict[LifecycleStage, int]:
    """How many contacts sit in each lifecycle stage (all stages present, zero when empty)."""
    query = select(Contact.lifecycle_stage, func.count(Contact.id)).group_by(
        Contact.lifecycle_stage
    )
    if owner_id is not None:
        query = query.where(Contact.owner_id == owner_id)
    counts = dict.fromkeys(LifecycleStage, 0)
    for stage, count in session.execute(query):
        counts[stage] = int(count)
    return counts


def leads_needing_action(session: Session, *, owner_id: int, limit: int = 8) -> list[Contact]:
    """A person's leads before the deal stage, longest-waiting first, with accounts loaded."""
    query = (
        select(Contact)
        .options(joinedload(Contact.account))
        .where(Contact.owner_id == owner_id, Contact.lifecycle_stage.in_(ACTIONABLE_STAGES))
        .order_by(Contact.stage_entered_at.asc(), Contact.id.asc())
        .limit(limit)
    )
    return list(session.scalars(query))


def _open_deals_of(user_id: int) -> list[ColumnElement[bool]]:
    return [
        PipelineStage.is_closed.is_(False),
        or_(Opportunity.owner_id == user_id, Opportunity.engineers.any(User.id == user_id)),
    ]


def open_deals_for(session: Session, *, user_id: int, limit: int = 8) -> list[Opportunity]:
    """Open deals a person owns or works on as SE, soonest close first, ready to display."""
    query = (
        select(Opportunity)
        .join(PipelineStage, PipelineStage.id == Opportunity.stage_id)
        .options(
            joinedload(Opportunity.account),
            joinedload(Opportunity.owner),
            joinedload(Opportunity.stage),
            selectinload(Opportunity.engineers),
        )
        .where(*_open_deals_of(user_id))
        .order_by(Opportunity.close_date.asc().nulls_last(), Opportunity.id.asc())
        .limit(limit)
    )
    return list(session.scalars(query).unique())


def open_deal_summary(session: Session, *, user_id: int, within_days: int = 30) -> DealSummary:
    """Count and ACV of a person's open deals, and how many close within ``within_days``."""
    soon = (utcnow() + timedelta(days=within_days)).date()
    base = (
        select(Opportunity.id)
        .join(PipelineStage, PipelineStage.id == Opportunity.stage_id)
        .where(*_open_deals_of(user_id))
    )
    ids = base.subquery()
    count, total = session.execute(
        select(func.count(Opportunity.id), func.sum(Opportunity.acv)).where(
            Opportunity.id.in_(select(ids.c.id))
        )
    ).one()
    closing = session.scalar(
        select(func.count(Opportunity.id)).where(
            Opportunity.id.in_(select(ids.c.id)),
            Opportunity.close_date.is_not(None),
            Opportunity.close_date <= soon,
        )
    )
    return DealSummary(
        count=int(count or 0),
        total_acv=total if isinstance(total, Decimal) else Decimal(total or 0),
        closing_soon=int(closing or 0),
    )


def deals_for_contact(session: Session, *, contact_id: int) -> list[Opportunity]:
    """The deals a contact is on, newest first, with account and stage loaded."""
    query = (
        select(Opportunity)
        .join(OpportunityContact, OpportunityContact.opportunity_id == Opportunity.id)
        .options(joinedload(Opportunity.account), joinedload(Opportunity.stage))
        .where(OpportunityContact.contact_id == contact_id)
        .order_by(Opportunity.created_at.desc(), Opportunity.id.desc())
    )
    return list(session.scalars(query))
