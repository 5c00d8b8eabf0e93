"""Load the shipped default pipeline (playbook data) and seed it into the database."""

from __future__ import annotations

from importlib import resources

import yaml
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from techwin.pipeline.enums import ForecastCategory, GateSubject
from techwin.pipeline.models import ExitCriterion, Pipeline, PipelineStage


class CriterionSpec(BaseModel):
    """An exit criterion as written in the playbook."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,59}$")
    label: str = Field(min_length=3, max_length=200)
    kind: str = "checklist"
    config: dict[str, object] = Field(default_factory=dict)


class StageSpec(BaseModel):
    """A deal stage as written in the playbook."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    name: str = Field(min_length=1, max_length=80)
    probability: int = Field(ge=0, le=100)
    forecast_category: ForecastCategory
    closed: bool = False
    won: bool = False
    exit_criteria: list[CriterionSpec] = Field(default_factory=list)


class PipelineSpec(BaseModel):
    """A whole pipeline: ordered stages, closed stages last, one won and one lost."""

    name: str
    stages: list[StageSpec] = Field(min_length=3)

    @model_validator(mode="after")
    def _shape(self) -> PipelineSpec:
        keys = [s.key for s in self.stages]
        if len(set(keys)) != len(keys):
            raise ValueError("stage keys must be unique")
        closed = [s for s in self.stages if s.closed]
        if sum(s.won for s in closed) != 1 or sum(not s.won for s in closed) != 1:
            raise ValueError("a pipeline needs exactly one won and one lost closed stage")
        if any(s.closed for s in self.stages[: len(self.stages) - len(closed)]):
            raise ValueError("closed stages come after every open stage")
        return self


def load_default_pipeline() -> PipelineSpec:
    """The shipped default pipeline, validated."""
    text = resources.files("techwin.playbook").joinpath("pipeline.yaml").read_text("utf-8")
    return PipelineSpec.model_validate(yaml.safe_load(text))


def seed_pipeline(session: Session, spec: PipelineSpec, *, default: bool = True) -> Pipeline:
    """Create the pipeline from ``spec`` unless one with its name exists (idempotent)."""
    existing = session.scalar(select(Pipeline).where(Pipeline.name == spec.name))
    if existing is not None:
        return existing
    pipeline = Pipeline(name=spec.name, is_default=default)
    session.add(pipeline)
    session.flush()
    for position, stage_spec in enumerate(spec.stages):
        stage = PipelineStage(
            pipeline_id=pipeline.id,
            key=stage_spec.key,
            name=stage_spec.name,
            position=position,
            probability=stage_spec.probability,
            forecast_category=stage_spec.forecast_category,
            is_closed=stage_spec.closed,
            is_won=stage_spec.won,
        )
        session.add(stage)
        session.flush()
        for index, criterion in enumerate(stage_spec.exit_criteria):
            session.add(
                ExitCriterion(
                    subject=GateSubject.OPPORTUNITY,
                    pipeline_stage_id=stage.id,
                    key=criterion.key,
                    label=criterion.label,
                    kind=criterion.kind,
                    config=dict(criterion.config),
                    position=index,
                )
            )
    session.flush()
    return pipeline
