"""Admins adapt the pipeline: stage names and probabilities, and the exit criteria of stages."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from techwin.auth.audit import record_audit
from techwin.auth.models import User
from techwin.auth.permissions import require_admin
from techwin.errors import Conflict, InvalidInput, NotFound
from techwin.pipeline import gates
from techwin.pipeline.enums import GateSubject, LifecycleStage
from techwin.pipeline.models import ExitCriterion, PipelineStage
from techwin.pipeline.opportunities import default_pipeline, stage_by_key
from techwin.pipeline.schemas import CriterionIn, StagePatch


def update_stage(
    session: Session, *, actor: User | None, stage_key: str, data: StagePatch
) -> PipelineStage:
    """Rename a stage of the default pipeline or change its default probability/forecast."""
    require_admin(actor)
    stage = stage_by_key(default_pipeline(session).stages, stage_key)
    changes = data.model_dump(exclude_unset=True)
    before = {k: getattr(stage, k) for k in changes}
    for field, value in changes.items():
        if value is None:
            raise InvalidInput(f"{field} cannot be empty", field=field)
        setattr(stage, field, value)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="pipeline.stage_update",
        entity_type="pipeline_stage",
        entity_id=stage.id,
        summary=f"changed stage {stage.key}",
        before={k: str(v) for k, v in before.items()},
        after={k: str(v) for k, v in changes.items()},
    )
    return stage


def list_criteria(session: Session) -> list[tuple[str, ExitCriterion]]:
    """Every exit criterion with the stage it guards (deal stage key or lifecycle stage)."""
    pipeline = default_pipeline(session)
    keys = {s.id: s.key for s in pipeline.stages}
    rows = session.scalars(select(ExitCriterion).order_by(ExitCriterion.subject, ExitCriterion.id))
    out: list[tuple[str, ExitCriterion]] = []
    for c in rows:
        if c.subject is GateSubject.OPPORTUNITY and c.pipeline_stage_id in keys:
            out.append((keys[c.pipeline_stage_id], c))
        elif c.lifecycle_stage is not None:
            out.append((c.lifecycle_stage.value, c))
    return out


def add_criterion(session: Session, *, actor: User | None, data: CriterionIn) -> ExitCriterion:
    """Add an exit criterion to a deal stage (``stage``) or a lifecycle stage."""
    require_admin(actor)
    if (data.stage is None) == (data.lifecycle_stage is None):
        raise InvalidInput("name exactly one of stage or lifecycle_stage", field="stage")
    subject = GateSubject.OPPORTUNITY if data.stage is not None else GateSubject.CONTACT
    gates.validate_config(session, data.kind, subject, dict(data.config))
    criterion = ExitCriterion(
        key=data.key, label=data.label, kind=data.kind, config=dict(data.config)
    )
    if data.stage is not None:
        stage = stage_by_key(default_pipeline(session).stages, data.stage)
        if stage.is_closed:
            raise InvalidInput("closed stages have no exit criteria", field="stage")
        criterion.subject, criterion.pipeline_stage_id = GateSubject.OPPORTUNITY, stage.id
        clash = select(ExitCriterion.id).where(
            ExitCriterion.pipeline_stage_id == stage.id, ExitCriterion.key == data.key
        )
    else:
        lifecycle = LifecycleStage(str(data.lifecycle_stage))
        criterion.subject, criterion.lifecycle_stage = GateSubject.CONTACT, lifecycle
        clash = select(ExitCriterion.id).where(
            ExitCriterion.lifecycle_stage == lifecycle, ExitCriterion.key == data.key
        )
    if session.scalar(clash) is not None:
        raise Conflict(f"that stage already has a criterion with key {data.key!r}", field="key")
    session.add(criterion)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="pipeline.criterion_add",
        entity_type="exit_criterion",
        entity_id=criterion.id,
        summary=f"added exit criterion {data.key!r}",
    )
    return criterion


def remove_criterion(session: Session, *, actor: User | None, criterion_id: int) -> None:
    """Delete an exit criterion (and its ticks)."""
    require_admin(actor)
    criterion = session.get(ExitCriterion, criterion_id)
    if criterion is None:
        raise NotFound(f"exit criterion {criterion_id} does not exist", field="criterion_id")
    record_audit(
        session,
        actor=actor,
        action="pipeline.criterion_remove",
        entity_type="exit_criterion",
        entity_id=criterion.id,
        summary=f"removed exit criterion {criterion.key!r}",
    )
    session.delete(criterion)
    session.flush()
