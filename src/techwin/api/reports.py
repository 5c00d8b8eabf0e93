"""The pipeline board, the funnel report and the pipeline definitions."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from fastapi import APIRouter, Response
from pydantic import BaseModel

from techwin.core.time import utcnow
from techwin.core.types import RecordId
from techwin.deps import ApiUser, SessionDep
from techwin.pipeline import configuration, opportunities, reports
from techwin.pipeline.enums import LifecycleStage
from techwin.pipeline.schemas import (
    CriterionDefOut,
    CriterionIn,
    OpportunityOut,
    StageOut,
    StagePatch,
)

router = APIRouter(tags=["reports"])


class ColumnOut(BaseModel):
    """One board column."""

    stage: StageOut
    count: int
    total_acv: Decimal
    weighted_acv: Decimal
    cards: list[OpportunityOut]


class BoardOut(BaseModel):
    """The pipeline board."""

    pipeline_id: int
    columns: list[ColumnOut]


class StepOut(BaseModel):
    """One funnel step."""

    stage: LifecycleStage
    label: str
    reached: int
    conversion_from_previous: float | None
    conversion_from_top: float | None
    median_days_in_stage: float | None


class FunnelOut(BaseModel):
    """The funnel for a period, overall and split."""

    start: date
    end: date
    split_by: str | None
    steps: list[StepOut]
    splits: dict[str, list[StepOut]]


@router.patch("/pipelines/stages/{stage_key}", response_model=StageOut)
def update_stage(stage_key: str, body: StagePatch, session: SessionDep, user: ApiUser) -> StageOut:
    """Rename a stage or change its default probability and forecast category (admins)."""
    return StageOut.model_validate(
        configuration.update_stage(session, actor=user, stage_key=stage_key, data=body)
    )


@router.get("/pipelines/criteria", response_model=list[CriterionDefOut])
def list_criteria(session: SessionDep, user: ApiUser) -> list[CriterionDefOut]:
    """Every exit criterion, with the deal stage or lifecycle stage it guards."""
    return [
        CriterionDefOut(
            id=c.id, stage=stage, key=c.key, label=c.label, kind=c.kind, config=c.config
        )
        for stage, c in configuration.list_criteria(session)
    ]


@router.post("/pipelines/criteria", response_model=CriterionDefOut, status_code=201)
def add_criterion(body: CriterionIn, session: SessionDep, user: ApiUser) -> CriterionDefOut:
    """Add an exit criterion to a deal stage or a lifecycle stage (admins)."""
    c = configuration.add_criterion(session, actor=user, data=body)
    stage = body.stage or (body.lifecycle_stage.value if body.lifecycle_stage else "")
    return CriterionDefOut(
        id=c.id, stage=stage, key=c.key, label=c.label, kind=c.kind, config=c.config
    )


@router.delete("/pipelines/criteria/{criterion_id}", status_code=204)
def remove_criterion(criterion_id: RecordId, session: SessionDep, user: ApiUser) -> Response:
    """Delete an exit criterion (admins)."""
    configuration.remove_criterion(session, actor=user, criterion_id=criterion_id)
    return Response(status_code=204)


@router.get("/pipelines", response_model=list[StageOut])
def default_pipeline_stages(session: SessionDep, user: ApiUser) -> list[StageOut]:
    """The stages of the default pipeline, in order."""
    pipeline = opportunities.default_pipeline(session)
    return [StageOut.model_validate(s) for s in pipeline.stages]


@router.get("/board", response_model=BoardOut)
def board(
    session: SessionDep,
    user: ApiUser,
    owner_id: RecordId | None = None,
    se_id: RecordId | None = None,
    q: str | None = None,
    cards_per_column: int = reports.CARDS_PER_COLUMN,
) -> BoardOut:
    """Deals by stage with counts and ACV totals (closed stages: the last 90 days)."""
    pipeline = opportunities.default_pipeline(session)
    filters = opportunities.OpportunityFilter(owner_id=owner_id, se_id=se_id, q=q)
    columns = reports.board(
        session,
        pipeline_id=pipeline.id,
        filters=filters,
        cards_per_column=max(0, min(cards_per_column, 200)),
    )
    return BoardOut(
        pipeline_id=pipeline.id,
        columns=[
            ColumnOut(
                stage=StageOut.model_validate(c.stage),
                count=c.count,
                total_acv=c.total_acv,
                weighted_acv=c.weighted_acv,
                cards=[opportunities.opportunity_out(o) for o in c.cards],
            )
            for c in columns
        ],
    )


@router.get("/funnel", response_model=FunnelOut)
def funnel(
    session: SessionDep,
    user: ApiUser,
    start: date | None = None,
    end: date | None = None,
    split_by: str | None = None,
    owner_id: RecordId | None = None,
    source: str | None = None,
) -> FunnelOut:
    """Of the contacts created in the period (default: the last 365 days): how many reached each
    lifecycle stage, conversion between stages and median days in stage."""
    end = end or utcnow().date()
    start = start or end - timedelta(days=365)
    report = reports.funnel(
        session, start=start, end=end, split_by=split_by, owner_id=owner_id, source=source
    )
    return FunnelOut(
        start=report.start,
        end=report.end,
        split_by=report.split_by,
        steps=[StepOut(**s.__dict__) for s in report.steps],
        splits={k: [StepOut(**s.__dict__) for s in v] for k, v in report.splits.items()},
    )
