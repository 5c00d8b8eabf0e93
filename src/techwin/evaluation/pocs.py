"""Proofs of concept: plan one on a deal with its success criteria, record each criterion's
result with evidence, then the outcome and the customer's sign-off.

The deal's editors (its owner, its SEs, managers and admins) run its POCs. Planning the first
POC starts the deal's technical evaluation.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from techwin.auth.audit import record_audit, record_update
from techwin.auth.models import User
from techwin.core.concurrency import check_version
from techwin.core.time import utcnow
from techwin.errors import InvalidInput, InvalidState, NotFound
from techwin.evaluation import poc_rules, technical_win
from techwin.evaluation.enums import CriterionResult, PocStatus, TechnicalWinStatus
from techwin.evaluation.models import Poc, SuccessCriterion
from techwin.evaluation.schemas import (
    CriterionIn,
    CriterionOut,
    CriterionPatch,
    OutcomeIn,
    PocIn,
    PocOut,
    PocPatch,
    ResultIn,
    SignOffIn,
    TechnicalWinIn,
)
from techwin.pipeline.models import Opportunity
from techwin.pipeline.opportunities import get_opportunity, require_opportunity_edit


def _today(today: date | None) -> date:
    return today or utcnow().date()


def get_poc(session: Session, poc_id: int) -> Poc:
    """The POC with its criteria loaded, or NotFound."""
    poc = session.scalar(select(Poc).options(selectinload(Poc.criteria)).where(Poc.id == poc_id))
    if poc is None:
        raise NotFound(f"POC {poc_id} does not exist", field="poc_id")
    return poc


def deal_pocs(session: Session, opportunity_id: int) -> list[Poc]:
    """A deal's POCs, the newest first, with their criteria loaded."""
    query = (
        select(Poc)
        .options(selectinload(Poc.criteria))
        .where(Poc.opportunity_id == opportunity_id)
        .order_by(Poc.start_date.desc(), Poc.id.desc())
    )
    return list(session.scalars(query))


def poc_out(poc: Poc, *, today: date | None = None) -> PocOut:
    """The API shape of a POC (its criteria must be loaded)."""
    day = _today(today)
    timing = poc_rules.timing(
        poc.start_date,
        poc.end_date,
        outcome=poc.outcome,
        concluded_on=poc.concluded_on,
        today=day,
    )
    results = [c.result for c in poc.criteria]
    return PocOut(
        id=poc.id,
        opportunity_id=poc.opportunity_id,
        title=poc.title,
        scope=poc.scope,
        environment=poc.environment,
        start_date=poc.start_date,
        end_date=poc.end_date,
        status=timing.status,
        outcome=poc.outcome,
        outcome_notes=poc.outcome_notes,
        concluded_on=poc.concluded_on,
        signed_off_by=poc.signed_off_by,
        signed_off_on=poc.signed_off_on,
        days_left=timing.days_left,
        overdue=timing.overdue,
        long_running=timing.long_running,
        suggested_outcome=poc_rules.suggested_outcome(results),
        warnings=poc_rules.warnings(timing, criteria_count=len(results)),
        criteria=[CriterionOut.model_validate(c) for c in poc.criteria],
        version=poc.version,
    )


def _snapshot(poc: Poc) -> dict[str, Any]:
    return {
        "title": poc.title,
        "scope": poc.scope,
        "environment": poc.environment,
        "start_date": poc.start_date.isoformat(),
        "end_date": poc.end_date.isoformat(),
        "outcome": poc.outcome.value if poc.outcome else None,
        "version": poc.version,
    }


def _deal_for_edit(session: Session, actor: User | None, opportunity_id: int) -> Opportunity:
    deal = get_opportunity(session, opportunity_id)
    require_opportunity_edit(actor, deal)
    return deal


def create_poc(
    session: Session,
    *,
    actor: User | None,
    opportunity: Opportunity,
    data: PocIn,
    today: date | None = None,
) -> Poc:
    """Plan a POC on an open deal (one open POC per deal); its criteria may come with it."""
    require_opportunity_edit(actor, opportunity)
    if opportunity.stage.is_closed:
        raise InvalidState(
            f"the deal is {opportunity.stage.name.lower()}: re-open it before planning a POC",
            field="title",
        )
    poc_rules.check_dates(data.start_date, data.end_date)
    assert data.start_date is not None
    assert data.end_date is not None
    poc_rules.check_criteria_count(len(data.criteria))
    for index, criterion in enumerate(data.criteria):
        poc_rules.check_criterion(
            criterion.description, criterion.target, prefix=f"criteria.{index}."
        )
    still_open = technical_win.open_poc_titles(session, opportunity.id)
    if still_open:
        raise InvalidState(
            f"the POC '{still_open[0]}' on this deal is still open: record its outcome before "
            "planning another",
            field="title",
        )
    win = technical_win.get_technical_win(session, opportunity.id)
    status = technical_win.current_status(win)
    if status.is_decided:
        raise InvalidState(
            f"the technical win is {status.label.lower()}: re-open it before planning a POC",
            field="title",
        )
    poc = Poc(
        opportunity_id=opportunity.id,
        title=data.title,
        scope=data.scope,
        environment=data.environment,
        start_date=data.start_date,
        end_date=data.end_date,
        created_by_id=actor.id if actor else None,
    )
    poc.criteria = [
        SuccessCriterion(position=i, description=c.description, target=c.target)
        for i, c in enumerate(data.criteria)
    ]
    session.add(poc)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="poc.created",
        entity_type="poc",
        entity_id=poc.id,
        summary=f"{poc.title}, {poc.start_date.isoformat()} to {poc.end_date.isoformat()}, "
        f"{len(poc.criteria)} success criteria",
    )
    if status is TechnicalWinStatus.NOT_STARTED:
        technical_win.set_technical_win(
            session,
            actor=None,  # the POC starts the evaluation; the person is on the POC's own record
            opportunity=opportunity,
            data=TechnicalWinIn(
                status=TechnicalWinStatus.IN_PROGRESS, reason=f"POC '{poc.title}' planned"
            ),
            today=today,
        )
    return get_poc(session, poc.id)


def update_poc(session: Session, *, actor: User | None, poc: Poc, data: PocPatch) -> Poc:
    """Change an open POC's title, scope, dates or environment."""
    _deal_for_edit(session, actor, poc.opportunity_id)
    before = _snapshot(poc)
    check_version(poc.version, data.version, what="POC", values=before)
    poc_rules.check_open(poc.outcome)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    for name in ("title", "scope"):
        if name in changes and changes[name] is None:
            raise InvalidInput(f"the {name} cannot be empty", field=name)
    start = changes.get("start_date", poc.start_date)
    end = changes.get("end_date", poc.end_date)
    poc_rules.check_dates(start, end)
    for name, value in changes.items():
        setattr(poc, name, value)
    session.flush()
    record_update(
        session,
        actor=actor,
        entity_type="poc",
        entity_id=poc.id,
        before=before,
        after=_snapshot(poc),
    )
    return poc


def delete_poc(session: Session, *, actor: User | None, poc: Poc) -> None:
    """Remove a POC planned by mistake (only while it has no outcome)."""
    _deal_for_edit(session, actor, poc.opportunity_id)
    poc_rules.check_open(poc.outcome)
    record_audit(
        session,
        actor=actor,
        action="poc.deleted",
        entity_type="poc",
        entity_id=poc.id,
        summary=f"deleted {poc.title}",
        before=_snapshot(poc),
    )
    session.delete(poc)
    session.flush()


def _criterion(poc: Poc, criterion_id: int) -> SuccessCriterion:
    for criterion in poc.criteria:
        if criterion.id == criterion_id:
            return criterion
    raise NotFound(f"the POC has no success criterion {criterion_id}", field="criterion_id")


def add_criterion(
    session: Session, *, actor: User | None, poc: Poc, data: CriterionIn
) -> SuccessCriterion:
    """Add a success criterion to an open POC."""
    _deal_for_edit(session, actor, poc.opportunity_id)
    poc_rules.check_open(poc.outcome)
    poc_rules.check_criterion(data.description, data.target)
    poc_rules.check_criteria_count(len(poc.criteria) + 1)
    position = max((c.position for c in poc.criteria), default=-1) + 1
    criterion = SuccessCriterion(
        poc_id=poc.id, position=position, description=data.description, target=data.target
    )
    poc.criteria.append(criterion)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="poc.criterion-added",
        entity_type="poc",
        entity_id=poc.id,
        summary=f"{criterion.description} (target: {criterion.target})",
    )
    return criterion


def update_criterion(
    session: Session, *, actor: User | None, poc: Poc, criterion_id: int, data: CriterionPatch
) -> SuccessCriterion:
    """Reword an untested criterion of an open POC."""
    _deal_for_edit(session, actor, poc.opportunity_id)
    criterion = _criterion(poc, criterion_id)
    before = {"description": criterion.description, "target": criterion.target}
    check_version(criterion.version, data.version, what="success criterion", values=before)
    poc_rules.check_open(poc.outcome)
    if criterion.result is not CriterionResult.PENDING:
        raise InvalidState(
            "this criterion already has a result; its wording stays as it was tested",
            field="target",
        )
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    description = changes.get("description", criterion.description)
    target = changes.get("target", criterion.target)
    poc_rules.check_criterion(description, target)
    criterion.description = description
    criterion.target = target
    session.flush()
    record_update(
        session,
        actor=actor,
        entity_type="poc",
        entity_id=poc.id,
        before=before,
        after={"description": description, "target": target},
    )
    return criterion


def remove_criterion(session: Session, *, actor: User | None, poc: Poc, criterion_id: int) -> None:
    """Remove a criterion from an open POC."""
    _deal_for_edit(session, actor, poc.opportunity_id)
    criterion = _criterion(poc, criterion_id)
    poc_rules.check_open(poc.outcome)
    poc.criteria.remove(criterion)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="poc.criterion-removed",
        entity_type="poc",
        entity_id=poc.id,
        summary=criterion.description,
    )


def record_result(
    session: Session,
    *,
    actor: User | None,
    poc: Poc,
    criterion_id: int,
    data: ResultIn,
    today: date | None = None,
) -> SuccessCriterion:
    """Record what a running POC showed for one criterion, with its evidence."""
    _deal_for_edit(session, actor, poc.opportunity_id)
    criterion = _criterion(poc, criterion_id)
    previous = criterion.result
    check_version(
        criterion.version,
        data.version,
        what="success criterion",
        values={"result": previous.value, "evidence": criterion.evidence},
    )
    poc_rules.check_open(poc.outcome)
    day = _today(today)
    if poc_rules.poc_status(poc.start_date, poc.outcome, day) is PocStatus.PLANNED:
        raise InvalidState(
            f"the POC starts on {poc.start_date.isoformat()}: results come once it runs",
            field="result",
        )
    evidence = data.evidence.strip() if data.evidence else None
    poc_rules.check_result(data.result, evidence)
    criterion.result = data.result
    criterion.evidence = evidence
    criterion.result_at = utcnow()
    criterion.result_by_id = actor.id if actor else None
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="poc.result",
        entity_type="poc",
        entity_id=poc.id,
        summary=f"{criterion.description}: {previous.label} → {data.result.label}",
        before={"result": previous.value},
        after={"result": data.result.value},
        reason=evidence,
    )
    return criterion


def record_outcome(
    session: Session,
    *,
    actor: User | None,
    poc: Poc,
    data: OutcomeIn,
    today: date | None = None,
) -> Poc:
    """Conclude the POC: every criterion tested (unless abandoned), the outcome and its notes."""
    _deal_for_edit(session, actor, poc.opportunity_id)
    before = _snapshot(poc)
    check_version(poc.version, data.version, what="POC", values=before)
    poc_rules.check_open(poc.outcome)
    day = _today(today)
    concluded_on = data.concluded_on or day
    poc_rules.check_outcome(
        data.outcome,
        results=[c.result for c in poc.criteria],
        start=poc.start_date,
        concluded_on=concluded_on,
        today=day,
    )
    poc.outcome = data.outcome
    poc.outcome_notes = data.notes
    poc.concluded_on = concluded_on
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="poc.outcome",
        entity_type="poc",
        entity_id=poc.id,
        summary=f"{data.outcome.label} on {concluded_on.isoformat()}",
        before={"outcome": None},
        after={"outcome": data.outcome.value, "concluded_on": concluded_on.isoformat()},
        reason=data.notes,
    )
    return poc


def sign_off(
    session: Session,
    *,
    actor: User | None,
    poc: Poc,
    data: SignOffIn,
    today: date | None = None,
) -> Poc:
    """Record who signed off the concluded POC's results on the customer's side, and when."""
    _deal_for_edit(session, actor, poc.opportunity_id)
    before = _snapshot(poc)
    check_version(poc.version, data.version, what="POC", values=before)
    day = _today(today)
    signed_on = data.signed_off_on or day
    poc_rules.check_sign_off(
        data.signed_off_by, signed_on, outcome=poc.outcome, start=poc.start_date, today=day
    )
    previous = {"signed_off_by": poc.signed_off_by, "signed_off_on": poc.signed_off_on}
    poc.signed_off_by = data.signed_off_by
    poc.signed_off_on = signed_on
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="poc.signed-off",
        entity_type="poc",
        entity_id=poc.id,
        summary=f"{data.signed_off_by}, {signed_on.isoformat()}",
        before={k: (v.isoformat() if isinstance(v, date) else v) for k, v in previous.items()},
        after={"signed_off_by": data.signed_off_by, "signed_off_on": signed_on.isoformat()},
    )
    return poc
