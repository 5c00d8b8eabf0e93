"""Opportunities (deals): creation, conversion from a lead, edits and gated stage moves."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from techwin.auth.audit import record_audit, record_update
from techwin.auth.enums import Role
from techwin.auth.models import User
from techwin.auth.permissions import require_edit_record, require_override, require_writer
from techwin.core.concurrency import check_version
from techwin.core.pagination import Page, PageRequest
from techwin.core.time import as_utc, utcnow
from techwin.db.keyset import paged
from techwin.errors import (
    Conflict,
    InvalidInput,
    InvalidState,
    NotFound,
    PermissionDenied,
    RuleViolation,
)
from techwin.pipeline import gates, rules
from techwin.pipeline.accounts import get_account
from techwin.pipeline.common import require_user_ref
from techwin.pipeline.contacts import transition_contact
from techwin.pipeline.enums import LifecycleStage
from techwin.pipeline.models import (
    Contact,
    Opportunity,
    OpportunityContact,
    Pipeline,
    PipelineStage,
    StageChange,
)
from techwin.pipeline.schemas import (
    ConvertIn,
    MoveIn,
    OpportunityIn,
    OpportunityOut,
    OpportunityPatch,
)

_FULL = (
    joinedload(Opportunity.account),
    joinedload(Opportunity.owner),
    joinedload(Opportunity.stage),
    selectinload(Opportunity.engineers),
)


def opportunity_out(opportunity: Opportunity) -> OpportunityOut:
    """The API shape of a deal (its stage and SEs must be loaded)."""
    data = {
        c: getattr(opportunity, c)
        for c in OpportunityOut.model_fields
        if c not in ("stage", "se_ids")
    }
    return OpportunityOut(
        **data, stage=opportunity.stage.key, se_ids=[u.id for u in opportunity.engineers]
    )


def default_pipeline(session: Session) -> Pipeline:
    """The pipeline new deals go into, with its stages loaded."""
    pipeline = session.scalar(
        select(Pipeline)
        .options(selectinload(Pipeline.stages))
        .order_by(Pipeline.is_default.desc(), Pipeline.id)
    )
    if pipeline is None:
        raise InvalidState("no pipeline is configured; run 'techwin db upgrade'")
    return pipeline


def pipeline_stages(session: Session, pipeline_id: int) -> list[PipelineStage]:
    """A pipeline's stages in order."""
    query = (
        select(PipelineStage)
        .where(PipelineStage.pipeline_id == pipeline_id)
        .order_by(PipelineStage.position)
    )
    return list(session.scalars(query))


def stage_by_key(stages: list[PipelineStage], key: str) -> PipelineStage:
    """The stage with ``key`` or InvalidInput listing the valid keys."""
    for stage in stages:
        if stage.key == key:
            return stage
    valid = ", ".join(s.key for s in stages)
    raise InvalidInput(f"unknown stage {key!r}; valid stages: {valid}", field="stage")


def get_opportunity(session: Session, opportunity_id: int) -> Opportunity:
    """The deal with account, owner, stage and SEs loaded, or NotFound."""
    opportunity = session.scalar(
        select(Opportunity).options(*_FULL).where(Opportunity.id == opportunity_id)
    )
    if opportunity is None:
        raise NotFound(f"opportunity {opportunity_id} does not exist", field="opportunity_id")
    return opportunity


def _engineers(session: Session, se_ids: list[int]) -> list[User]:
    users = []
    for user_id in dict.fromkeys(se_ids):
        user = require_user_ref(session, user_id, field="se_ids")
        assert user is not None
        if user.role not in (Role.SE, Role.MANAGER):
            raise InvalidInput(f"{user.full_name} is not a solutions engineer", field="se_ids")
        users.append(user)
    return users


def _edit_team(opportunity: Opportunity) -> list[int]:
    return [u.id for u in opportunity.engineers]


def create_opportunity(
    session: Session, *, actor: User | None, data: OpportunityIn, created_at: datetime | None = None
) -> Opportunity:
    """Open a deal in the default pipeline (first stage unless another is named)."""
    require_writer(actor)
    account = get_account(session, data.account_id)
    require_user_ref(session, data.owner_id, field="owner_id")
    if data.external_id and session.scalar(
        select(Opportunity.id).where(Opportunity.external_id == data.external_id)
    ):
        raise Conflict(
            f"an opportunity with external id {data.external_id} exists", field="external_id"
        )
    pipeline = default_pipeline(session)
    stage = stage_by_key(pipeline.stages, data.stage) if data.stage else pipeline.stages[0]
    if stage.is_closed:
        raise InvalidInput("a new deal cannot start in a closed stage", field="stage")
    now = created_at or utcnow()
    rules.check_close_date(data.close_date, now.date())
    rules.check_next_step(data.next_step, data.next_step_due)
    amounts = rules.compute_amounts(
        acv=data.acv, tcv=data.tcv, term_months=data.term_months, mrr=data.mrr
    )
    owner_id = data.owner_id if data.owner_id is not None else (actor.id if actor else None)
    opportunity = Opportunity(
        name=data.name,
        account_id=account.id,
        owner_id=owner_id,
        pipeline_id=pipeline.id,
        stage_id=stage.id,
        stage_entered_at=now,
        close_date=data.close_date,
        probability=data.probability if data.probability is not None else stage.probability,
        forecast_category=data.forecast_category or stage.forecast_category,
        currency=data.currency,
        acv=amounts.acv,
        tcv=amounts.tcv,
        term_months=amounts.term_months,
        mrr=amounts.mrr,
        arr=amounts.arr,
        compelling_event=data.compelling_event,
        competitors=data.competitors,
        next_step=data.next_step,
        next_step_due=data.next_step_due,
        description=data.description,
        external_id=data.external_id,
        created_at=now,
    )
    opportunity.engineers = _engineers(session, data.se_ids)
    session.add(opportunity)
    session.flush()
    for index, contact_id in enumerate(dict.fromkeys(data.contact_ids)):
        if session.get(Contact, contact_id) is None:
            raise InvalidInput(f"contact {contact_id} does not exist", field="contact_ids")
        session.add(
            OpportunityContact(
                opportunity_id=opportunity.id, contact_id=contact_id, is_primary=index == 0
            )
        )
    session.add(
        StageChange(
            opportunity_id=opportunity.id,
            from_stage_id=None,
            to_stage_id=stage.id,
            at=now,
            actor_id=actor.id if actor else None,
            reason="created",
        )
    )
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="opportunity.create",
        entity_type="opportunity",
        entity_id=opportunity.id,
        summary=f"opened {opportunity.name} in {stage.name}",
    )
    return get_opportunity(session, opportunity.id)


def update_opportunity(
    session: Session, *, actor: User | None, opportunity: Opportunity, data: OpportunityPatch
) -> Opportunity:
    """Change a deal's fields; amounts are recomputed together, stale versions refused."""
    require_edit_record(
        actor, owner_id=opportunity.owner_id, what="opportunity", team_ids=_edit_team(opportunity)
    )
    before = opportunity_out(opportunity).model_dump(mode="json")
    check_version(opportunity.version, data.version, what="opportunity", values=before)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    if "name" in changes and changes["name"] is None:
        raise InvalidInput("name cannot be empty", field="name")
    if "owner_id" in changes:
        require_user_ref(session, changes["owner_id"], field="owner_id")
    if "close_date" in changes:
        rules.check_close_date(changes["close_date"], as_utc(opportunity.created_at).date())
    if changes.keys() & {"next_step", "next_step_due"}:
        step = changes.get("next_step", opportunity.next_step)
        if "next_step" in changes and not (step or "").strip() and "next_step_due" not in changes:
            changes["next_step_due"] = None  # clearing the step clears its date
        rules.check_next_step(step, changes.get("next_step_due", opportunity.next_step_due))
    if changes.keys() & {"acv", "tcv", "term_months", "mrr"}:
        merged = {
            k: changes.get(k, getattr(opportunity, k)) for k in ("acv", "tcv", "term_months", "mrr")
        }
        if "acv" in changes and "tcv" not in changes:
            merged["tcv"] = None  # a new ACV re-derives TCV instead of clashing with the old one
        elif "tcv" in changes and "acv" not in changes:
            merged["acv"] = None
        elif "term_months" in changes and not changes.keys() & {"acv", "tcv"}:
            merged["tcv"] = None
        amounts = rules.compute_amounts(**merged)
        changes.update(
            acv=amounts.acv,
            tcv=amounts.tcv,
            term_months=amounts.term_months,
            mrr=amounts.mrr,
            arr=amounts.arr,
        )
    se_ids = changes.pop("se_ids", None)
    if se_ids is not None:
        opportunity.engineers = _engineers(session, se_ids)
    for field, value in changes.items():
        setattr(opportunity, field, value)
    if se_ids is not None:
        opportunity.version += 1  # the SE list lives in another table; the deal still changed
    session.flush()
    record_update(
        session,
        actor=actor,
        entity_type="opportunity",
        entity_id=opportunity.id,
        before=before,
        after=opportunity_out(opportunity).model_dump(mode="json"),
    )
    return opportunity


@dataclass(frozen=True)
class GateView:
    """The exit criteria of a deal's current stage, as shown on its page."""

    stage: PipelineStage
    verdicts: list[rules.CriterionVerdict]
    criterion_ids: dict[str, int]
    kinds: dict[str, str]  # criterion key → kind: only ``checklist`` ones are ticked by hand


def current_gate(session: Session, opportunity: Opportunity) -> GateView:
    """Whether the deal may leave its current stage, criterion by criterion."""
    criteria = gates.deal_stage_criteria(session, [opportunity.stage_id])
    names = {c.id: opportunity.stage.name for c in criteria}
    verdicts = gates.evaluate(session, criteria, opportunity.id, stage_names=names)
    return GateView(
        stage=opportunity.stage,
        verdicts=verdicts,
        criterion_ids={c.key: c.id for c in criteria},
        kinds={c.key: c.kind for c in criteria},
    )


def move_gate(
    session: Session, opportunity: Opportunity, target: PipelineStage, stages: list[PipelineStage]
) -> list[rules.CriterionVerdict]:
    """Verdicts of the exit criteria a move to ``target`` crosses (none back or to lost)."""
    if target.is_closed and not target.is_won:
        return []
    current = opportunity.stage
    if current.is_closed:
        return []
    span = rules.forward_gate_span(
        [s.position for s in stages if not s.is_closed], current.position, target.position
    )
    crossed = [s for s in stages if s.position in span]
    criteria = gates.deal_stage_criteria(session, [s.id for s in crossed])
    by_id = {s.id: s.name for s in crossed}
    names = {c.id: by_id[c.pipeline_stage_id or 0] for c in criteria}
    return gates.evaluate(session, criteria, opportunity.id, stage_names=names)


def move_opportunity(
    session: Session,
    *,
    actor: User | None,
    opportunity: Opportunity,
    data: MoveIn,
    at: datetime | None = None,
) -> StageChange:
    """Move a deal to another stage, enforcing exit criteria; managers may override."""
    require_edit_record(
        actor, owner_id=opportunity.owner_id, what="opportunity", team_ids=_edit_team(opportunity)
    )
    check_version(
        opportunity.version,
        data.version,
        what="opportunity",
        values=opportunity_out(opportunity).model_dump(mode="json"),
    )
    stages = pipeline_stages(session, opportunity.pipeline_id)
    target = stage_by_key(stages, data.stage)
    current = opportunity.stage
    reason = data.reason.strip() if data.reason else None
    if target.id == current.id:
        raise InvalidState(f"the deal is already in {current.name}", field="stage")
    if target.is_closed and not target.is_won and not reason:
        raise InvalidInput("say why the deal was lost", field="reason")
    if current.is_closed and not reason:
        raise InvalidInput(f"re-opening a deal in {current.name} needs a reason", field="reason")
    blocked = rules.unmet(move_gate(session, opportunity, target, stages))
    if blocked:
        if not data.override:
            raise RuleViolation(
                rules.gate_message(blocked),
                field="stage",
                extra={"unmet": [v.__dict__ for v in blocked]},
            )
        require_override(actor)
        if not reason:
            raise InvalidInput("an override needs a reason", field="reason")
    now = at or utcnow()
    change = StageChange(
        opportunity_id=opportunity.id,
        from_stage_id=current.id,
        to_stage_id=target.id,
        at=now,
        actor_id=actor.id if actor else None,
        reason=reason,
        seconds_in_from_stage=max(
            0, int((now - as_utc(opportunity.stage_entered_at)).total_seconds())
        ),
        overridden=bool(blocked),
        unmet=[v.key for v in blocked] or None,
    )
    session.add(change)
    opportunity.stage_id = target.id
    opportunity.stage = target
    opportunity.stage_entered_at = now
    opportunity.probability = target.probability
    opportunity.forecast_category = target.forecast_category
    opportunity.closed_at = now if target.is_closed else None
    if target.is_closed and not target.is_won:
        opportunity.lost_reason = reason
    elif not target.is_closed:
        opportunity.lost_reason = None
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="opportunity.override" if blocked else "opportunity.move",
        entity_type="opportunity",
        entity_id=opportunity.id,
        summary=f"{current.name} → {target.name}"
        + (" (gate overridden: " + ", ".join(v.label for v in blocked) + ")" if blocked else ""),
        before={"stage": current.key},
        after={"stage": target.key},
        reason=reason,
    )
    if target.is_won:
        _make_customers(session, actor=actor, opportunity=opportunity, at=now)
    return change


def _make_customers(
    session: Session, *, actor: User | None, opportunity: Opportunity, at: datetime
) -> None:
    """A won deal turns its primary contacts into customers."""
    contacts = session.scalars(
        select(Contact)
        .join(OpportunityContact, OpportunityContact.contact_id == Contact.id)
        .where(
            OpportunityContact.opportunity_id == opportunity.id,
            OpportunityContact.is_primary.is_(True),
        )
    )
    for contact in contacts:
        if LifecycleStage.CUSTOMER in rules.ALLOWED_TRANSITIONS[contact.lifecycle_stage]:
            transition_contact(
                session,
                actor=actor,
                contact=contact,
                to_stage=LifecycleStage.CUSTOMER,
                reason=f"won {opportunity.name}",
                at=at,
                system=True,
            )


def convert_contact(
    session: Session, *, actor: User | None, contact: Contact, data: ConvertIn
) -> Opportunity:
    """Turn a sales-qualified contact into a deal; the contact moves to ``opportunity``."""
    require_edit_record(actor, owner_id=contact.owner_id, what="contact")
    if contact.lifecycle_stage is not LifecycleStage.SQL:
        raise InvalidState(
            "only a sales-qualified contact can be converted "
            f"(this one is {contact.lifecycle_stage.value})",
            field="lifecycle_stage",
        )
    account_id = data.account_id or contact.account_id
    if account_id is None:
        raise InvalidInput(
            "the contact has no account; choose the account the deal is with", field="account_id"
        )
    account = get_account(session, account_id)
    opportunity = create_opportunity(
        session,
        actor=actor,
        data=OpportunityIn(
            name=data.name or f"{account.name} — {contact.full_name}",
            account_id=account.id,
            owner_id=data.owner_id or contact.owner_id,
            acv=data.acv,
            close_date=data.close_date,
            contact_ids=[contact.id],
        ),
    )
    transition_contact(
        session,
        actor=actor,
        contact=contact,
        to_stage=LifecycleStage.OPPORTUNITY,
        reason=f"converted to {opportunity.name}",
    )
    return opportunity


@dataclass(frozen=True)
class OpportunityFilter:
    """What a deal list is narrowed to."""

    stage: str | None = None
    owner_id: int | None = None
    se_id: int | None = None
    team_id: int | None = None  # deals whose AE (owner) is in the team
    account_id: int | None = None
    open_only: bool = False
    q: str | None = None
    close_from: date | None = None
    close_to: date | None = None


OPPORTUNITY_SORTS: dict[str, tuple[Any, ...]] = {
    "close": (Opportunity.close_date.asc(), Opportunity.id.asc()),
    "-acv": (Opportunity.acv.desc(), Opportunity.id.asc()),
    "-created": (Opportunity.created_at.desc(), Opportunity.id.desc()),
    "name": (Opportunity.name.asc(), Opportunity.id.asc()),
}


def filtered_opportunities(filters: OpportunityFilter) -> Select[Opportunity]:
    """The SELECT for deals matching ``filters`` (shared by list, board and export)."""
    query = select(Opportunity).join(PipelineStage, PipelineStage.id == Opportunity.stage_id)
    if filters.stage:
        query = query.where(PipelineStage.key == filters.stage)
    if filters.owner_id is not None:
        query = query.where(Opportunity.owner_id == filters.owner_id)
    if filters.se_id is not None:
        query = query.where(Opportunity.engineers.any(User.id == filters.se_id))
    if filters.team_id is not None:
        members = select(User.id).where(User.team_id == filters.team_id)
        query = query.where(Opportunity.owner_id.in_(members))
    if filters.account_id is not None:
        query = query.where(Opportunity.account_id == filters.account_id)
    if filters.open_only:
        query = query.where(PipelineStage.is_closed.is_(False))
    if filters.close_from is not None:
        query = query.where(Opportunity.close_date >= filters.close_from)
    if filters.close_to is not None:
        query = query.where(Opportunity.close_date <= filters.close_to)
    if filters.q:
        query = query.where(or_(func.lower(Opportunity.name).like(f"%{filters.q.lower()}%")))
    return query


def list_opportunities(
    session: Session, *, filters: OpportunityFilter, page: PageRequest, sort: str = "close"
) -> Page[Opportunity]:
    """Deals matching ``filters``, one page, with account, owner, stage and SEs loaded."""
    return paged(
        session,
        filtered_opportunities(filters),
        OPPORTUNITY_SORTS.get(sort, OPPORTUNITY_SORTS["close"]),
        page,
        options=_FULL,
    )


def stage_history(session: Session, opportunity_id: int) -> list[StageChange]:
    """A deal's stage moves, oldest first, with stages and actors loaded."""
    query = (
        select(StageChange)
        .options(
            joinedload(StageChange.from_stage),
            joinedload(StageChange.to_stage),
            joinedload(StageChange.actor),
        )
        .where(StageChange.opportunity_id == opportunity_id)
        .order_by(StageChange.at, StageChange.id)
    )
    return list(session.scalars(query))


def opportunity_contacts(session: Session, opportunity_id: int) -> list[OpportunityContact]:
    """Contacts on a deal, primary first."""
    query = (
        select(OpportunityContact)
        .options(joinedload(OpportunityContact.contact))
        .where(OpportunityContact.opportunity_id == opportunity_id)
        .order_by(OpportunityContact.is_primary.desc())
    )
    return list(session.scalars(query))


def require_opportunity_edit(actor: User | None, opportunity: Opportunity) -> None:
    """Raise unless ``actor`` may change this deal (owner, its SEs, managers, admins)."""
    require_edit_record(
        actor, owner_id=opportunity.owner_id, what="opportunity", team_ids=_edit_team(opportunity)
    )


def delete_opportunity(session: Session, *, actor: User | None, opportunity: Opportunity) -> None:
    """Remove a deal and its history (managers and admins)."""
    require_writer(actor)
    if actor is not None and not actor.is_manager_or_admin:
        raise PermissionDenied("only a manager or an admin can delete an opportunity")
    record_audit(
        session,
        actor=actor,
        action="opportunity.delete",
        entity_type="opportunity",
        entity_id=opportunity.id,
        summary=f"deleted {opportunity.name}",
        before=opportunity_out(opportunity).model_dump(mode="json"),
    )
    session.delete(opportunity)
    session.flush()


OPPORTUNITY_EXPORT_HEADER = (
    "id",
    "name",
    "account",
    "owner",
    "stage",
    "close_date",
    "probability",
    "forecast_category",
    "currency",
    "acv",
    "tcv",
    "term_months",
    "arr",
    "engineers",
    "created_at",
)


def export_rows(
    session: Session, *, filters: OpportunityFilter, sort: str = "close"
) -> Iterator[tuple[object, ...]]:
    """Rows for the CSV export of a filtered deal list."""
    query = (
        filtered_opportunities(filters)
        .options(*_FULL)
        .order_by(*OPPORTUNITY_SORTS.get(sort, OPPORTUNITY_SORTS["close"]))
    )
    for o in session.scalars(query).unique():
        yield (
            o.id,
            o.name,
            o.account.name,
            o.owner.email if o.owner else None,
            o.stage.key,
            o.close_date.isoformat() if o.close_date else None,
            o.probability,
            o.forecast_category.value,
            o.currency,
            o.acv,
            o.tcv,
            o.term_months,
            o.arr,
            ";".join(u.email for u in o.engineers),
            o.created_at.isoformat(),
        )
