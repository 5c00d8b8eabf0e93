"""Opportunities (deals): CRUD, gated stage moves, stage history, exit-criteria checks."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Response, status
from fastapi.responses import StreamingResponse

from techwin.api.paging import PageOut, page_out
from techwin.core.csvout import csv_lines
from techwin.core.types import RecordId
from techwin.deps import ApiUser, PageDep, SessionDep
from techwin.pipeline import gates
from techwin.pipeline import opportunities as service
from techwin.pipeline.enums import GateSubject
from techwin.pipeline.schemas import (
    CheckIn,
    CriterionOut,
    MoveIn,
    OpportunityIn,
    OpportunityOut,
    OpportunityPatch,
    StageChangeOut,
)

router = APIRouter(prefix="/opportunities", tags=["opportunities"])


@router.get("", response_model=PageOut[OpportunityOut])
def list_opportunities(
    session: SessionDep,
    user: ApiUser,
    paging: PageDep,
    stage: str | None = None,
    owner_id: RecordId | None = None,
    se_id: RecordId | None = None,
    account_id: RecordId | None = None,
    open_only: bool = False,
    q: str | None = None,
    close_from: date | None = None,
    close_to: date | None = None,
    sort: str = "close",
) -> dict[str, object]:
    """Deals, filtered, sorted and paginated."""
    filters = service.OpportunityFilter(
        stage=stage,
        owner_id=owner_id,
        se_id=se_id,
        account_id=account_id,
        open_only=open_only,
        q=q,
        close_from=close_from,
        close_to=close_to,
    )
    page = service.list_opportunities(session, filters=filters, page=paging, sort=sort)
    return page_out(page, [service.opportunity_out(o) for o in page.items])


@router.get("/export", response_class=StreamingResponse)
def export_opportunities(
    session: SessionDep,
    user: ApiUser,
    stage: str | None = None,
    owner_id: RecordId | None = None,
    se_id: RecordId | None = None,
    open_only: bool = False,
    q: str | None = None,
) -> StreamingResponse:
    """The filtered deal list as CSV."""
    filters = service.OpportunityFilter(
        stage=stage, owner_id=owner_id, se_id=se_id, open_only=open_only, q=q
    )
    rows = list(service.export_rows(session, filters=filters))
    return StreamingResponse(
        csv_lines(service.OPPORTUNITY_EXPORT_HEADER, rows),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="opportunities.csv"'},
    )


@router.post("", response_model=OpportunityOut, status_code=status.HTTP_201_CREATED)
def create_opportunity(body: OpportunityIn, session: SessionDep, user: ApiUser) -> OpportunityOut:
    """Open a deal."""
    return service.opportunity_out(service.create_opportunity(session, actor=user, data=body))


@router.get("/{opportunity_id}", response_model=OpportunityOut)
def get_opportunity(opportunity_id: RecordId, session: SessionDep, user: ApiUser) -> OpportunityOut:
    """One deal."""
    return service.opportunity_out(service.get_opportunity(session, opportunity_id))


@router.patch("/{opportunity_id}", response_model=OpportunityOut)
def update_opportunity(
    opportunity_id: RecordId, body: OpportunityPatch, session: SessionDep, user: ApiUser
) -> OpportunityOut:
    """Change a deal; send ``version`` to be protected from overwriting someone else's edit."""
    opportunity = service.get_opportunity(session, opportunity_id)
    return service.opportunity_out(
        service.update_opportunity(session, actor=user, opportunity=opportunity, data=body)
    )


@router.delete("/{opportunity_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_opportunity(opportunity_id: RecordId, session: SessionDep, user: ApiUser) -> Response:
    """Delete a deal and its history (managers and admins)."""
    service.delete_opportunity(
        session, actor=user, opportunity=service.get_opportunity(session, opportunity_id)
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{opportunity_id}/move", response_model=OpportunityOut)
def move(
    opportunity_id: RecordId, body: MoveIn, session: SessionDep, user: ApiUser
) -> OpportunityOut:
    """Move the deal to another stage; unmet exit criteria refuse it (422) unless overridden."""
    opportunity = service.get_opportunity(session, opportunity_id)
    service.move_opportunity(session, actor=user, opportunity=opportunity, data=body)
    return service.opportunity_out(opportunity)


@router.get("/{opportunity_id}/history", response_model=list[StageChangeOut])
def history(opportunity_id: RecordId, session: SessionDep, user: ApiUser) -> list[StageChangeOut]:
    """Stage moves, oldest first, with the days spent in the stage left."""
    service.get_opportunity(session, opportunity_id)
    return [
        StageChangeOut(
            id=c.id,
            from_stage=c.from_stage.key if c.from_stage else None,
            to_stage=c.to_stage.key,
            at=c.at,
            actor_id=c.actor_id,
            reason=c.reason,
            overridden=c.overridden,
            days_in_from_stage=None
            if c.seconds_in_from_stage is None
            else round(c.seconds_in_from_stage / 86400, 2),
        )
        for c in service.stage_history(session, opportunity_id)
    ]


@router.get("/{opportunity_id}/gate", response_model=list[CriterionOut])
def gate(opportunity_id: RecordId, session: SessionDep, user: ApiUser) -> list[CriterionOut]:
    """The exit criteria of the deal's current stage and whether each holds."""
    opportunity = service.get_opportunity(session, opportunity_id)
    return [CriterionOut(**v.__dict__) for v in service.current_gate(session, opportunity).verdicts]


@router.put("/{opportunity_id}/checks/{criterion_key}", response_model=list[CriterionOut])
def set_check(
    opportunity_id: RecordId, criterion_key: str, body: CheckIn, session: SessionDep, user: ApiUser
) -> list[CriterionOut]:
    """Tick or untick a checklist exit criterion; returns the current stage's gate."""
    opportunity = service.get_opportunity(session, opportunity_id)
    service.require_opportunity_edit(user, opportunity)
    stage_ids = [s.id for s in service.pipeline_stages(session, opportunity.pipeline_id)]
    criterion = gates.find_criterion(
        session, subject=GateSubject.OPPORTUNITY, key=criterion_key, stage_ids=stage_ids
    )
    gates.set_check(
        session,
        actor=user,
        criterion_id=criterion.id,
        subject=GateSubject.OPPORTUNITY,
        subject_id=opportunity.id,
        met=body.met,
        note=body.note,
    )
    return [CriterionOut(**v.__dict__) for v in service.current_gate(session, opportunity).verdicts]
