"""Ticking a deal's exit-criteria checklist, with permissions and an audit trail."""

from __future__ import annotations

from sqlalchemy.orm import Session

from techwin.auth.audit import record_audit
from techwin.auth.models import User
from techwin.errors import NotFound
from techwin.pipeline import gates
from techwin.pipeline.enums import GateSubject
from techwin.pipeline.models import ExitCriterion, Opportunity
from techwin.pipeline.opportunities import (
    GateView,
    current_gate,
    pipeline_stages,
    require_opportunity_edit,
)


def tick_deal_criterion(
    session: Session,
    *,
    actor: User | None,
    opportunity: Opportunity,
    criterion_id: int,
    met: bool,
) -> GateView:
    """Tick or untick one checklist criterion of the deal's pipeline; returns the current gate."""
    require_opportunity_edit(actor, opportunity)
    stage_ids = {s.id for s in pipeline_stages(session, opportunity.pipeline_id)}
    criterion = session.get(ExitCriterion, criterion_id)
    if criterion is None or criterion.pipeline_stage_id not in stage_ids:
        raise NotFound(
            f"exit criterion {criterion_id} is not part of this deal's pipeline", field="criterion"
        )
    gates.set_check(
        session,
        actor=actor,
        criterion_id=criterion.id,
        subject=GateSubject.OPPORTUNITY,
        subject_id=opportunity.id,
        met=met,
    )
    record_audit(
        session,
        actor=actor,
        action="opportunity.check",
        entity_type="opportunity",
        entity_id=opportunity.id,
        summary=("ticked: " if met else "unticked: ") + criterion.label,
        after={"criterion": criterion.key, "met": met},
    )
    return current_gate(session, opportunity)
