"""Exit criteria: the general gate mechanism for lifecycle stages and deal stages.

Each criterion has a ``kind``; an evaluator registered for that kind decides whether it holds
for a record. This module registers ``checklist`` (a person ticks it); later domains register
their own kinds (qualification elements, stakeholder roles) with :func:`register_evaluator`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from techwin.auth.models import User
from techwin.core.time import utcnow
from techwin.errors import InvalidInput, NotFound
from techwin.pipeline.enums import GateSubject, LifecycleStage
from techwin.pipeline.models import CriterionCheck, ExitCriterion, PipelineStage
from techwin.pipeline.rules import CriterionVerdict


@dataclass(frozen=True)
class Evaluation:
    """An evaluator's answer for one criterion."""

    met: bool
    hint: str = ""


Evaluator = Callable[[Session, Sequence[ExitCriterion], int], dict[int, Evaluation]]
ConfigValidator = Callable[[Session, GateSubject, dict[str, Any]], None]

_EVALUATORS: dict[str, Evaluator] = {}
_VALIDATORS: dict[str, ConfigValidator] = {}


def register_evaluator(
    kind: str, evaluator: Evaluator, validator: ConfigValidator | None = None
) -> None:
    """Teach the gate mechanism a new kind of criterion (and how to check its configuration)."""
    _EVALUATORS[kind] = evaluator
    if validator is not None:
        _VALIDATORS[kind] = validator


def validate_config(
    session: Session, kind: str, subject: GateSubject, config: dict[str, Any]
) -> None:
    """Raise InvalidInput unless ``kind`` is known and ``config`` makes sense for it."""
    if kind not in _EVALUATORS:
        raise InvalidInput(
            f"unknown criterion kind {kind!r}; known: {', '.join(known_kinds())}", field="kind"
        )
    validator = _VALIDATORS.get(kind)
    if validator is not None:
        validator(session, subject, config)


def known_kinds() -> list[str]:
    """Kinds of criteria that can be configured."""
    return sorted(_EVALUATORS)


def _evaluate_checklist(
    session: Session, criteria: Sequence[ExitCriterion], subject_id: int
) -> dict[int, Evaluation]:
    ids = [c.id for c in criteria]
    checked = set(
        session.scalars(
            select(CriterionCheck.criterion_id).where(
                CriterionCheck.subject_id == subject_id, CriterionCheck.criterion_id.in_(ids)
            )
        )
    )
    return {
        c.id: Evaluation(met=c.id in checked, hint="" if c.id in checked else "tick it once done")
        for c in criteria
    }


register_evaluator("checklist", _evaluate_checklist)


def evaluate(
    session: Session,
    criteria: Sequence[ExitCriterion],
    subject_id: int,
    *,
    stage_names: dict[int, str],
) -> list[CriterionVerdict]:
    """Verdicts for ``criteria`` on one record, in the criteria's order."""
    by_kind: dict[str, list[ExitCriterion]] = {}
    for criterion in criteria:
        by_kind.setdefault(criterion.kind, []).append(criterion)
    results: dict[int, Evaluation] = {}
    for kind, group in by_kind.items():
        evaluator = _EVALUATORS.get(kind)
        if evaluator is None:
            # A criterion whose kind nobody evaluates can never be met: say so instead of passing.
            results.update(
                {c.id: Evaluation(False, f"unknown criterion kind {kind!r}") for c in group}
            )
        else:
            results.update(evaluator(session, group, subject_id))
    return [
        CriterionVerdict(
            key=c.key,
            label=c.label,
            stage=stage_names.get(c.id, ""),
            met=results[c.id].met,
            hint=results[c.id].hint,
        )
        for c in criteria
    ]


def deal_stage_criteria(session: Session, stage_ids: Sequence[int]) -> list[ExitCriterion]:
    """Exit criteria of the given deal stages, in stage then position order."""
    if not stage_ids:
        return []
    rows = session.scalars(
        select(ExitCriterion)
        .join(PipelineStage, PipelineStage.id == ExitCriterion.pipeline_stage_id)
        .where(ExitCriterion.pipeline_stage_id.in_(stage_ids))
        .order_by(PipelineStage.position, ExitCriterion.position, ExitCriterion.id)
    )
    return list(rows)


def lifecycle_criteria(session: Session, stage: LifecycleStage) -> list[ExitCriterion]:
    """Exit criteria of a lifecycle stage."""
    rows = session.scalars(
        select(ExitCriterion)
        .where(ExitCriterion.subject == GateSubject.CONTACT, ExitCriterion.lifecycle_stage == stage)
        .order_by(ExitCriterion.position, ExitCriterion.id)
    )
    return list(rows)


def set_check(
    session: Session,
    *,
    actor: User | None,
    criterion_id: int,
    subject: GateSubject,
    subject_id: int,
    met: bool,
    note: str | None = None,
) -> None:
    """Tick (or untick) a checklist criterion for one record."""
    criterion = session.get(ExitCriterion, criterion_id)
    if criterion is None or criterion.subject is not subject:
        raise NotFound(f"exit criterion {criterion_id} does not exist", field="criterion")
    if criterion.kind != "checklist":
        raise InvalidInput(
            f"'{criterion.label}' is checked from the record's data, not ticked by hand",
            field="criterion",
        )
    session.execute(
        delete(CriterionCheck).where(
            CriterionCheck.criterion_id == criterion_id, CriterionCheck.subject_id == subject_id
        )
    )
    if met:
        session.add(
            CriterionCheck(
                criterion_id=criterion_id,
                subject_id=subject_id,
                checked_by_id=actor.id if actor else None,
                checked_at=utcnow(),
                note=note,
            )
        )
    session.flush()


def find_criterion(
    session: Session, *, subject: GateSubject, key: str, stage_ids: Sequence[int] = ()
) -> ExitCriterion:
    """A criterion by key among the given deal stages (or any lifecycle stage)."""
    query = select(ExitCriterion).where(ExitCriterion.subject == subject, ExitCriterion.key == key)
    if stage_ids:
        query = query.where(ExitCriterion.pipeline_stage_id.in_(stage_ids))
    criterion = session.scalars(query.order_by(ExitCriterion.id)).first()
    if criterion is None:
        raise NotFound(f"no exit criterion with key {key!r}", field="criterion")
    return criterion
