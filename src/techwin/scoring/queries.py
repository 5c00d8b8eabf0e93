"""Read-only views of scores for pages: contacts filtered and sorted by score, scores in bulk."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from techwin.core.pagination import Page, PageRequest
from techwin.db.keyset import paged
from techwin.pipeline.contacts import (
    CONTACT_EXPORT_HEADER,
    CONTACT_SORTS,
    ContactFilter,
    filtered_contacts,
)
from techwin.pipeline.models import Contact
from techwin.scoring.models import LeadScore, PredictiveModel, PredictiveScore
from techwin.scoring.nurture.enums import TaskStatus
from techwin.scoring.nurture.models import Task

SCORE_SORTS: dict[str, tuple[Any, ...]] = {
    "-score": (LeadScore.total.desc().nulls_last(), Contact.id.desc()),
    "score": (LeadScore.total.asc().nulls_first(), Contact.id.asc()),
}
SCORED_EXPORT_HEADER = (*CONTACT_EXPORT_HEADER, "score")


def _order(sort: str) -> tuple[Any, ...]:
    return SCORE_SORTS.get(sort) or CONTACT_SORTS.get(sort, CONTACT_SORTS["-created"])


def _scored(filters: ContactFilter, *, min_score: float | None) -> Select[Any]:
    """The contact list's SELECT joined to scores, narrowed by a minimum."""
    query = filtered_contacts(filters).outerjoin(LeadScore, LeadScore.contact_id == Contact.id)
    if min_score is not None:
        query = query.where(LeadScore.total >= min_score)
    return query


def list_contacts_by_score(
    session: Session,
    *,
    filters: ContactFilter,
    page: PageRequest,
    sort: str = "-created",
    min_score: float | None = None,
) -> Page[Contact]:
    """Contacts matching ``filters`` with a score of at least ``min_score``, one page."""
    return paged(
        session,
        _scored(filters, min_score=min_score),
        _order(sort),
        page,
        options=(joinedload(Contact.owner), joinedload(Contact.account)),
    )


def scores_for(session: Session, *, contact_ids: Sequence[int]) -> dict[int, LeadScore]:
    """The stored rule-based scores of the given contacts, by contact id."""
    if not contact_ids:
        return {}
    rows = session.scalars(select(LeadScore).where(LeadScore.contact_id.in_(contact_ids)))
    return {s.contact_id: s for s in rows}


def export_rows_by_score(
    session: Session,
    *,
    filters: ContactFilter,
    sort: str = "-created",
    min_score: float | None = None,
) -> Iterator[tuple[object, ...]]:
    """The contact export's rows plus each score, for exactly what the scored list shows."""
    query = (
        _scored(filters, min_score=min_score)
        .order_by(*_order(sort))
        .add_columns(LeadScore.total)
        .options(joinedload(Contact.owner), joinedload(Contact.account))
        .execution_options(yield_per=1000)
    )
    for c, total in session.execute(query):
        yield (
            c.id,
            c.first_name,
            c.last_name,
            c.email,
            c.title,
            c.seniority.value if c.seniority else None,
            c.department,
            c.source,
            c.lifecycle_stage.value,
            c.account.name if c.account else None,
            c.owner.email if c.owner else None,
            c.created_at.isoformat(),
            total,
        )


def active_model_summary(session: Session) -> PredictiveModel | None:
    """The active predictive model without its artifact, or None when none is active."""
    return session.scalar(select(PredictiveModel).where(PredictiveModel.is_active.is_(True)))


def predictive_scores_for(
    session: Session, *, contact_ids: Sequence[int]
) -> dict[int, PredictiveScore]:
    """The stored predictive scores of the given contacts, by contact id."""
    if not contact_ids:
        return {}
    rows = session.scalars(
        select(PredictiveScore).where(PredictiveScore.contact_id.in_(contact_ids))
    )
    return {s.contact_id: s for s in rows}


def due_task_count(session: Session, *, owner_id: int, due_by: datetime) -> int:
    """How many open tasks a person has that are due by ``due_by`` (overdue included)."""
    return int(
        session.scalar(
            select(func.count(Task.id)).where(
                Task.owner_id == owner_id, Task.status == TaskStatus.OPEN, Task.due_at <= due_by
            )
        )
        or 0
    )
