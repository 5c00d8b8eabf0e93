"""What the database says the rules are: the pipeline, its gates, frameworks and scoring rules.

The demo reads them before it simulates anything, so the rows it writes obey the rules in force
(the shipped ones or an admin's), not a copy of them.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from techwin.demo.engage import ScoringView
from techwin.demo.qualify import FrameworkInfo, GateSpec
from techwin.demo.records import StageInfo
from techwin.models import ExitCriterion
from techwin.pipeline.enums import GateSubject, LifecycleStage
from techwin.pipeline.opportunities import default_pipeline
from techwin.qualification.frameworks import list_frameworks
from techwin.scoring.rules import RuleSpec
from techwin.scoring.service import list_rules, scoring_settings


def stage_infos(session: Session) -> tuple[int, list[StageInfo]]:
    """The default pipeline's id and its stages in order."""
    pipeline = default_pipeline(session)
    stages = [
        StageInfo(
            id=s.id,
            key=s.key,
            name=s.name,
            position=s.position,
            probability=s.probability,
            forecast_category=s.forecast_category,
            is_closed=s.is_closed,
            is_won=s.is_won,
        )
        for s in sorted(pipeline.stages, key=lambda s: s.position)
    ]
    return pipeline.id, stages


def checklists(
    session: Session, stage_ids: list[int]
) -> tuple[dict[int, list[tuple[int, str]]], dict[LifecycleStage, list[int]]]:
    """Checklist criteria (the kind a person ticks) of deal stages and lifecycle stages."""
    rows = session.scalars(
        select(ExitCriterion)
        .where(ExitCriterion.kind == "checklist")
        .order_by(ExitCriterion.position, ExitCriterion.id)
    )
    deal: dict[int, list[tuple[int, str]]] = {}
    lifecycle: dict[LifecycleStage, list[int]] = {}
    for criterion in rows:
        if (
            criterion.subject is GateSubject.OPPORTUNITY
            and criterion.pipeline_stage_id in stage_ids
        ):
            deal.setdefault(criterion.pipeline_stage_id, []).append((criterion.id, criterion.key))
        elif criterion.subject is GateSubject.CONTACT and criterion.lifecycle_stage is not None:
            lifecycle.setdefault(criterion.lifecycle_stage, []).append(criterion.id)
    return deal, lifecycle


def read_frameworks(session: Session) -> dict[str, FrameworkInfo]:
    """The current version of every framework, by key."""
    return {
        f.key: FrameworkInfo(
            id=f.id, key=f.key, name=f.name, elements=tuple(e.key for e in f.elements)
        )
        for f in list_frameworks(session)
    }


def qualification_gates(
    session: Session, stage_ids: list[int]
) -> tuple[dict[LifecycleStage, list[GateSpec]], dict[int, list[GateSpec]]]:
    """Qualification exit criteria of lifecycle stages and of the pipeline's deal stages."""
    rows = session.scalars(
        select(ExitCriterion)
        .where(ExitCriterion.kind == "qualification")
        .order_by(ExitCriterion.position, ExitCriterion.id)
    )
    contact: dict[LifecycleStage, list[GateSpec]] = {}
    deal: dict[int, list[GateSpec]] = {}
    for criterion in rows:
        config = criterion.config or {}
        wanted = config.get("elements", "all")
        roles = [str(r) for r in config.get("rated_by_roles", [])]
        gate = GateSpec(
            framework=str(config.get("framework", "")),
            elements=None if wanted == "all" else tuple(str(k) for k in wanted),
            min_score=int(config.get("min_score", 2)),
            roles=frozenset(roles) if roles else None,
        )
        if criterion.subject is GateSubject.CONTACT and criterion.lifecycle_stage is not None:
            contact.setdefault(criterion.lifecycle_stage, []).append(gate)
        elif (
            criterion.subject is GateSubject.OPPORTUNITY
            and criterion.pipeline_stage_id in stage_ids
        ):
            deal.setdefault(criterion.pipeline_stage_id, []).append(gate)
    return contact, deal


def scoring_view(session: Session) -> ScoringView:
    """The active scoring rules and the MQL threshold, as the scoring service applies them."""
    settings = scoring_settings(session)
    rules = [
        RuleSpec(
            id=r.id,
            label=r.label,
            category=r.category,
            points=r.points,
            field=r.field,
            operator=r.operator,
            value=r.value,
            event_kind=r.event_kind,
            half_life_days=r.half_life_days,
            max_points=r.max_points,
        )
        for r in list_rules(session, active_only=True)
    ]
    return ScoringView(
        rules=rules,
        threshold=settings.mql_threshold,
        half_life_days=settings.default_half_life_days,
    )
