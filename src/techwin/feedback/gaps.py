"""Product gaps: the field records them and links the deals they affect; product managers,
managers and admins move them through the workflow (new, reviewed, planned, shipped, won't do).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from techwin.auth.audit import record_audit, record_update
from techwin.auth.enums import Role
from techwin.auth.models import User
from techwin.core.concurrency import check_version
from techwin.core.time import utcnow
from techwin.errors import Conflict, InvalidInput, InvalidState, NotFound, PermissionDenied
from techwin.feedback.enums import STATUS_MOVES, GapSeverity, GapStatus
from techwin.feedback.models import GapDeal, ProductGap
from techwin.feedback.schemas import GapIn, GapLinkIn, GapPatch, GapStatusIn
from techwin.pipeline.models import Opportunity
from techwin.pipeline.opportunities import get_opportunity

TRIAGE_ROLES = frozenset({Role.PM, Role.MANAGER, Role.ADMIN})
REPORTER_ROLES = frozenset({Role.PM, Role.MANAGER, Role.ADMIN, Role.SE, Role.AE})


def can_triage(actor: User | None) -> bool:
    """Product managers, managers and admins (and the operator's CLI) decide a gap's status."""
    return actor is None or actor.role in TRIAGE_ROLES


def require_triage(actor: User | None) -> None:
    """Raise unless ``actor`` may move gaps through the workflow."""
    if not can_triage(actor):
        raise PermissionDenied(
            "only a product manager, a manager or an admin can change a gap's status"
        )


def can_report(actor: User | None) -> bool:
    """Everyone but viewers records gaps and links them to deals."""
    return actor is None or actor.role in REPORTER_ROLES


def require_reporter(actor: User | None) -> None:
    """Raise unless ``actor`` may record gaps and link deals."""
    if not can_report(actor):
        raise PermissionDenied("a viewer cannot record product gaps or link them to deals")


def can_edit_gap(actor: User | None, gap: ProductGap) -> bool:
    """Whoever recorded a gap, and the people who triage, may reword it."""
    return can_triage(actor) or (actor is not None and actor.id == gap.created_by_id)


def allowed_statuses(current: GapStatus) -> list[GapStatus]:
    """The statuses a gap may move to from ``current``, in workflow order."""
    return [s for s in GapStatus if s in STATUS_MOVES[current]]


def check_status_move(current: GapStatus, target: GapStatus, reason: str | None) -> None:
    """Raise unless the workflow allows ``current`` → ``target`` with this reason."""
    if target is current:
        raise InvalidState(f"the gap is already {current.label.lower()}", field="status")
    if target not in STATUS_MOVES[current]:
        allowed = ", ".join(s.label.lower() for s in allowed_statuses(current))
        raise InvalidState(
            f"a {current.label.lower()} gap cannot move to {target.label.lower()}; "
            f"it can move to: {allowed}",
            field="status",
        )
    if (target is GapStatus.WONT_DO or current.is_closed) and not (reason and reason.strip()):
        why = "declining a gap" if target is GapStatus.WONT_DO else "re-opening a gap"
        raise InvalidInput(f"say why: {why} needs a reason the field can read", field="reason")


def get_gap(session: Session, gap_id: int) -> ProductGap:
    """The gap, or NotFound."""
    gap = session.get(ProductGap, gap_id)
    if gap is None:
        raise NotFound(f"product gap {gap_id} does not exist", field="gap_id")
    return gap


def _snapshot(gap: ProductGap) -> dict[str, Any]:
    return {
        "title": gap.title,
        "product_area": gap.product_area,
        "severity": gap.severity.value,
        "description": gap.description,
        "workaround": gap.workaround,
        "status": gap.status.value,
        "version": gap.version,
    }


def _check_required(title: str | None, area: str | None, severity: GapSeverity | None) -> None:
    if not title:
        raise InvalidInput("give the gap a short title", field="title")
    if not area:
        raise InvalidInput(
            "name the product area the gap is in (e.g. 'Reporting')", field="product_area"
        )
    if severity is None:
        choices = ", ".join(s.value for s in GapSeverity)
        raise InvalidInput(f"choose how badly it hurts: {choices}", field="severity")


def _deal_ref(session: Session, opportunity_id: int | None) -> Opportunity:
    if opportunity_id is None:
        raise InvalidInput("choose the deal the gap affects", field="opportunity_id")
    try:
        return get_opportunity(session, opportunity_id)
    except NotFound:
        raise InvalidInput(
            f"deal {opportunity_id} does not exist", field="opportunity_id"
        ) from None


def _check_loss_reason(deal: Opportunity, lost_because: bool) -> None:
    if lost_because and not (deal.stage.is_closed and not deal.stage.is_won):
        raise InvalidState(
            f"{deal.name} is not lost ({deal.stage.name.lower()}): a gap can be a loss reason "
            "only of a lost deal",
            field="lost_because",
        )


def create_gap(session: Session, *, actor: User | None, data: GapIn) -> ProductGap:
    """Record a gap, linked at once to the deals named (each deal once)."""
    require_reporter(actor)
    _check_required(data.title, data.product_area, data.severity)
    assert data.title is not None
    assert data.product_area is not None
    assert data.severity is not None
    repeated = sorted({i for i in data.deal_ids if data.deal_ids.count(i) > 1})
    if repeated:
        raise Conflict(
            f"deal {repeated[0]} is listed twice: a gap links to a deal once", field="deal_ids"
        )
    deals = [_deal_ref(session, i) for i in data.deal_ids]
    for deal in deals:
        _check_loss_reason(deal, data.lost_because)
    gap = ProductGap(
        title=data.title,
        product_area=" ".join(data.product_area.split()),
        severity=data.severity,
        description=data.description,
        workaround=data.workaround,
        status=GapStatus.NEW,
        created_by_id=actor.id if actor else None,
    )
    session.add(gap)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="gap.created",
        entity_type="product_gap",
        entity_id=gap.id,
        summary=f"{gap.title} ({gap.severity.label.lower()}, {gap.product_area})",
    )
    for deal in deals:
        _link(session, actor=actor, gap=gap, deal=deal, lost_because=data.lost_because, note=None)
    return gap


def update_gap(
    session: Session, *, actor: User | None, gap: ProductGap, data: GapPatch
) -> ProductGap:
    """Reword a gap (its author, PMs, managers, admins); stale versions are refused."""
    require_reporter(actor)
    if not can_edit_gap(actor, gap):
        raise PermissionDenied(
            "only the person who recorded the gap, a product manager, a manager or an admin "
            "can change it"
        )
    before = _snapshot(gap)
    check_version(gap.version, data.version, what="product gap", values=before)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    _check_required(
        changes.get("title", gap.title),
        changes.get("product_area", gap.product_area),
        changes.get("severity", gap.severity),
    )
    if "product_area" in changes:
        changes["product_area"] = " ".join(changes["product_area"].split())
    for name, value in changes.items():
        setattr(gap, name, value)
    session.flush()
    record_update(
        session,
        actor=actor,
        entity_type="product_gap",
        entity_id=gap.id,
        before=before,
        after=_snapshot(gap),
    )
    return gap


def change_status(
    session: Session, *, actor: User | None, gap: ProductGap, data: GapStatusIn
) -> ProductGap:
    """Move a gap through the workflow (PMs, managers, admins)."""
    require_triage(actor)
    before = _snapshot(gap)
    check_version(gap.version, data.version, what="product gap", values=before)
    reason = data.reason.strip() if data.reason else None
    current = gap.status
    check_status_move(current, data.status, reason)
    gap.status = data.status
    gap.status_reason = reason
    gap.status_changed_at = utcnow()
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="gap.status",
        entity_type="product_gap",
        entity_id=gap.id,
        summary=f"{current.label} → {data.status.label}",
        before={"status": current.value},
        after={"status": data.status.value},
        reason=reason,
    )
    return gap


def _link(
    session: Session,
    *,
    actor: User | None,
    gap: ProductGap,
    deal: Opportunity,
    lost_because: bool,
    note: str | None,
) -> GapDeal:
    link = GapDeal(
        gap_id=gap.id,
        opportunity_id=deal.id,
        lost_because=lost_because,
        note=note,
        linked_by_id=actor.id if actor else None,
    )
    session.add(link)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="gap.linked",
        entity_type="product_gap",
        entity_id=gap.id,
        summary=deal.name + (" (a reason it was lost)" if lost_because else ""),
        reason=note,
    )
    return link


def link_deal(session: Session, *, actor: User | None, gap: ProductGap, data: GapLinkIn) -> GapDeal:
    """Link a deal the gap affects (once); mark it a loss reason only on a lost deal."""
    require_reporter(actor)
    deal = _deal_ref(session, data.opportunity_id)
    if session.get(GapDeal, (gap.id, deal.id)) is not None:
        raise Conflict(f"{deal.name} is already linked to this gap", field="opportunity_id")
    _check_loss_reason(deal, data.lost_because)
    return _link(
        session, actor=actor, gap=gap, deal=deal, lost_because=data.lost_because, note=data.note
    )


def set_loss_reason(
    session: Session, *, actor: User | None, gap: ProductGap, opportunity_id: int, lost: bool
) -> GapDeal:
    """Say whether the gap was one of the reasons a linked (lost) deal was lost."""
    require_reporter(actor)
    link = _existing_link(session, gap, opportunity_id)
    deal = get_opportunity(session, opportunity_id)
    _check_loss_reason(deal, lost)
    if link.lost_because == lost:
        return link
    link.lost_because = lost
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="gap.loss-reason",
        entity_type="product_gap",
        entity_id=gap.id,
        summary=f"{deal.name}: {'a reason it was lost' if lost else 'not a reason it was lost'}",
    )
    return link


def _existing_link(session: Session, gap: ProductGap, opportunity_id: int) -> GapDeal:
    link = session.get(GapDeal, (gap.id, opportunity_id))
    if link is None:
        raise NotFound(f"deal {opportunity_id} is not linked to this gap", field="opportunity_id")
    return link


def unlink_deal(
    session: Session, *, actor: User | None, gap: ProductGap, opportunity_id: int
) -> None:
    """Remove a deal from the gap."""
    require_reporter(actor)
    link = _existing_link(session, gap, opportunity_id)
    name = session.scalar(select(Opportunity.name).where(Opportunity.id == opportunity_id))
    session.delete(link)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="gap.unlinked",
        entity_type="product_gap",
        entity_id=gap.id,
        summary=name or f"deal {opportunity_id}",
    )
