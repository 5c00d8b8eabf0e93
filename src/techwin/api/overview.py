"""Collaboration views the web UI shows, over the REST API: the caller's deals at risk (as on
My day) and a charter's revision history (as on the charter page)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from techwin.collaboration import charters
from techwin.collaboration.overview import deals_at_risk
from techwin.core.time import utcnow
from techwin.core.types import RecordId
from techwin.deps import ApiUser, SessionDep

router = APIRouter(tags=["collaboration"])


class DealRiskOut(BaseModel):
    """An open deal the caller works on, and why it is fragile."""

    id: int
    name: str
    account_id: int
    account_name: str
    stage: str
    close_date: date | None
    next_step: str | None
    next_step_due: date | None
    engaged_people: int
    reasons: list[str]


class CharterRevisionOut(BaseModel):
    """One revision of a charter's scope: when, by whom and why it was published."""

    id: int
    revision: int
    is_current: bool
    name: str
    change_note: str | None
    created_at: datetime
    created_by_id: int | None
    created_by_name: str | None


@router.get("/me/deals-at-risk", response_model=list[DealRiskOut])
def my_deals_at_risk(
    session: SessionDep, user: ApiUser, limit: Annotated[int, Query(ge=1, le=200)] = 10
) -> list[DealRiskOut]:
    """Open deals you work on (as their AE or one of their SEs) that are single-threaded or
    stalled, soonest close date first, with the reasons My day shows."""
    risks = deals_at_risk(session, user=user, today=utcnow().date(), limit=limit)
    return [
        DealRiskOut(
            id=r.deal.id,
            name=r.deal.name,
            account_id=r.deal.account_id,
            account_name=r.deal.account.name,
            stage=r.deal.stage.key,
            close_date=r.deal.close_date,
            next_step=r.deal.next_step,
            next_step_due=r.deal.next_step_due,
            engaged_people=r.coverage.engaged_people,
            reasons=r.reasons,
        )
        for r in risks
    ]


@router.get("/charters/{charter_id}/revisions", response_model=list[CharterRevisionOut])
def charter_revisions(
    charter_id: RecordId, session: SessionDep, user: ApiUser
) -> list[CharterRevisionOut]:
    """Every revision of the charter's scope (organisation default, team or pod), newest
    first; any revision's id gives the same history."""
    charter = charters.get_charter(session, charter_id)
    return [
        CharterRevisionOut(
            id=r.id,
            revision=r.revision,
            is_current=r.is_current,
            name=r.name,
            change_note=r.change_note,
            created_at=r.created_at,
            created_by_id=r.created_by_id,
            created_by_name=r.created_by.full_name if r.created_by else None,
        )
        for r in charters.revisions(session, charter)
    ]
