"""SE requests: an AE asks for SE time on a deal; the charter decides whether it may go ahead;
a manager overrides or assigns; the SE declines or delivers. Every status change is timestamped
in ``se_request_event`` and audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from techwin.auth.audit import record_audit
from techwin.auth.enums import Role
from techwin.auth.models import User
from techwin.collaboration import request_flow
from techwin.collaboration.access import managed_team_ids, require_manager
from techwin.collaboration.charter_rules import Verdict, unmet
from techwin.collaboration.enums import REQUEST_KIND_LABELS, RequestKind, RequestStatus
from techwin.collaboration.facts import check_request
from techwin.collaboration.models import RequestEvent, SERequest
from techwin.collaboration.playbook import question_bank
from techwin.collaboration.schemas import RequestIn, RequestOut, VerdictOut
from techwin.core.concurrency import check_version
from techwin.core.pagination import Page, PageRequest
from techwin.core.time import utcnow
from techwin.db.keyset import paged
from techwin.errors import InvalidInput, InvalidState, NotFound, PermissionDenied
from techwin.pipeline import opportunities
from techwin.pipeline.models import Opportunity
from techwin.pipeline.schemas import OpportunityPatch

S = RequestStatus
REQUESTER_ROLES = (Role.AE, Role.MANAGER, Role.ADMIN)
MAX_LEAD_DAYS = 366

REQUEST_OPTIONS = (
    joinedload(SERequest.opportunity).joinedload(Opportunity.stage),
    joinedload(SERequest.opportunity).joinedload(Opportunity.account),
    joinedload(SERequest.opportunity).joinedload(Opportunity.owner),
    joinedload(SERequest.requester),
    joinedload(SERequest.assignee),
    joinedload(SERequest.charter),
)


def get_request(session: Session, request_id: int) -> SERequest:
    """A request with its deal (stage, account, AE), requester and assignee, or NotFound."""
    request = session.scalar(
        select(SERequest).options(*REQUEST_OPTIONS).where(SERequest.id == request_id)
    )
    if request is None:
        raise NotFound(f"SE request {request_id} does not exist", field="request_id")
    return request


def request_out(request: SERequest) -> RequestOut:
    """The API shape of a request (its deal loaded)."""
    return RequestOut(
        id=request.id,
        opportunity_id=request.opportunity_id,
        opportunity_name=request.opportunity.name,
        kind=request.kind,
        status=request.status,
        requester_id=request.requester_id,
        assignee_id=request.assignee_id,
        needed_by=request.needed_by,
        notes=request.notes,
        attendees=request.attendees,
        topics=list(request.topics),
        charter_id=request.charter_id,
        unmet=[VerdictOut.model_validate(v) for v in request.unmet],
        override_reason=request.override_reason,
        decline_reason=request.decline_reason,
        unanswered=list(request.unanswered),
        status_changed_at=request.status_changed_at,
        created_at=request.created_at,
        version=request.version,
    )


def _label(request: SERequest) -> str:
    return f"{REQUEST_KIND_LABELS[request.kind].lower()} on {request.opportunity.name}"


def _move(
    session: Session,
    request: SERequest,
    target: RequestStatus,
    *,
    actor: User | None,
    doing: str,
    note: str | None = None,
    action: str | None = None,
    at: datetime | None = None,
) -> None:
    """Change the status (checked against the state machine), timestamped and audited."""
    request_flow.check_move(request.status, target, doing=doing)
    now = at or utcnow()
    previous = request.status
    request.status = target
    request.status_changed_at = now
    session.add(
        RequestEvent(
            request_id=request.id,
            from_status=previous,
            to_status=target,
            at=now,
            actor_id=actor.id if actor else None,
            note=note[:500] if note else None,
        )
    )
    session.flush()
    record_audit(
        session,
        actor=actor,
        action=action or f"se_request.{target.value}",
        entity_type="se_request",
        entity_id=request.id,
        summary=f"{_label(request)}: {previous.value} → {target.value}",
        before={"status": previous.value},
        after={"status": target.value},
        reason=note,
    )


def _check_version(request: SERequest, version: int | None) -> None:
    check_version(
        request.version,
        version,
        what="SE request",
        values=request_out(request).model_dump(mode="json"),
    )


def require_open_deal(deal: Opportunity) -> None:
    """SE time is asked for on open deals only."""
    if deal.stage.is_closed:
        raise InvalidState(
            f"the deal is {deal.stage.name.lower()}; SE time is requested on open deals only",
            field="opportunity_id",
        )


def _is_requester_side(actor: User | None, request: SERequest, managed: set[int] | None) -> bool:
    """The requester, the deal's AE, or a manager of the deal's team (``managed``: the teams
    the actor manages, None for every team)."""
    if actor is None:
        return True
    if actor.is_manager_or_admin:
        return manages_deal(managed, request)
    return actor.id in (request.requester_id, request.opportunity.owner_id)


def _is_assignee_side(actor: User | None, request: SERequest, managed: set[int] | None) -> bool:
    """The assigned SE or a manager of the deal's team."""
    if actor is None:
        return True
    if actor.is_manager_or_admin:
        return manages_deal(managed, request)
    return actor.id == request.assignee_id


def manages_deal(teams: set[int] | None, request: SERequest) -> bool:
    """Whether a manager looking after ``teams`` (None: every team) looks after the request's
    deal: its AE is in one of those teams (a deal whose AE has no team: any manager)."""
    owner = request.opportunity.owner
    return teams is None or owner is None or owner.team_id is None or owner.team_id in teams


def _require_deal_manager(
    session: Session, actor: User | None, request: SERequest, doing: str
) -> None:
    require_manager(actor, doing)
    if not manages_deal(managed_team_ids(session, actor), request):
        raise PermissionDenied(
            f"the deal is another team's; only its team's manager or an admin can {doing}"
        )


def _blocked_note(blocked: list[Verdict]) -> str:
    return "unmet: " + "; ".join(v.label for v in blocked)


def _apply_check(
    session: Session, request: SERequest, *, actor: User | None, today: date, doing: str
) -> None:
    charter_id, verdicts = check_request(
        session, request.opportunity, request.kind, needed_by=request.needed_by, today=today
    )
    blocked = unmet(verdicts)
    request.charter_id = charter_id
    request.unmet = [v.as_dict() for v in blocked]
    if blocked:
        _move(session, request, S.BLOCKED, actor=actor, doing=doing, note=_blocked_note(blocked))
    else:
        _move(session, request, S.ACCEPTED, actor=actor, doing=doing, note="charter thresholds met")


def submit_request(
    session: Session, *, actor: User | None, data: RequestIn, today: date | None = None
) -> SERequest:
    """Ask for SE time; the charter check leaves the request blocked (with every unmet threshold
    and how to meet it) or accepted, waiting for an SE."""
    if actor is not None and actor.role not in REQUESTER_ROLES:
        raise PermissionDenied("only an AE or a manager can request SE time")
    deal = opportunities.get_opportunity(session, data.opportunity_id)
    if actor is not None and actor.role is Role.AE and deal.owner_id != actor.id:
        raise PermissionDenied(
            "only the deal's AE (or a manager) can request SE time on it", field="opportunity_id"
        )
    require_open_deal(deal)
    day = today or utcnow().date()
    if data.needed_by < day:
        raise InvalidInput(
            f"the needed-by date {data.needed_by.isoformat()} is in the past", field="needed_by"
        )
    if data.needed_by > day + timedelta(days=MAX_LEAD_DAYS):
        raise InvalidInput("the needed-by date is more than a year away", field="needed_by")
    now = utcnow()
    request = SERequest(
        opportunity_id=deal.id,
        kind=data.kind,
        status=S.SUBMITTED,
        requester_id=actor.id if actor else None,
        needed_by=data.needed_by,
        notes=data.notes,
        attendees=data.attendees,
        topics=data.topics,
        status_changed_at=now,
    )
    request.opportunity = deal
    session.add(request)
    session.flush()
    session.add(
        RequestEvent(
            request_id=request.id,
            from_status=None,
            to_status=S.SUBMITTED,
            at=now,
            actor_id=actor.id if actor else None,
        )
    )
    record_audit(
        session,
        actor=actor,
        action="se_request.submitted",
        entity_type="se_request",
        entity_id=request.id,
        summary=f"requested a {_label(request)} by {data.needed_by.isoformat()}",
    )
    _apply_check(session, request, actor=actor, today=day, doing="check")
    return get_request(session, request.id)


def resubmit_request(
    session: Session,
    *,
    actor: User | None,
    request: SERequest,
    version: int | None = None,
    today: date | None = None,
) -> SERequest:
    """Check a blocked request against the charter again (after the deal was qualified)."""
    if not _is_requester_side(actor, request, managed_team_ids(session, actor)):
        raise PermissionDenied(
            "only the requester, the deal's AE or their manager can resubmit this request"
        )
    _check_version(request, version)
    if request.status is not S.BLOCKED:
        raise InvalidState("only a blocked request is resubmitted", field="status")
    require_open_deal(request.opportunity)
    _apply_check(session, request, actor=actor, today=today or utcnow().date(), doing="resubmit")
    return request


def override_request(
    session: Session, *, actor: User | None, request: SERequest, reason: str, version: int | None
) -> SERequest:
    """Let a blocked request through despite the charter (managers; the reason is audited)."""
    _require_deal_manager(session, actor, request, "override the charter")
    _check_version(request, version)
    if not reason or len(reason.strip()) < 3:
        raise InvalidInput("an override needs a reason", field="reason")
    if request.status is not S.BLOCKED:
        raise InvalidState("only a blocked request can be overridden", field="status")
    labels = ", ".join(str(v["label"]) for v in request.unmet)
    request.override_reason = reason.strip()
    _move(
        session,
        request,
        S.ACCEPTED,
        actor=actor,
        doing="override",
        note=f"charter overridden ({labels}): {reason.strip()}",
        action="se_request.override",
    )
    return request


def _require_assignable(session: Session, actor: User | None, se: User) -> None:
    teams = managed_team_ids(session, actor)
    if teams is None or se.team_id is None or se.team_id in teams:
        return
    raise PermissionDenied(
        f"{se.full_name} is in another team; a manager assigns SEs of their own team "
        "(ask an admin or that team's manager)",
        field="se_id",
    )


def assign_request(
    session: Session, *, actor: User | None, request: SERequest, se_id: int, version: int | None
) -> SERequest:
    """Give an accepted request to an SE (managers); the SE joins the deal's team."""
    _require_deal_manager(session, actor, request, "assign SEs")
    _check_version(request, version)
    se = session.get(User, se_id)
    if se is None or not se.is_active:
        raise InvalidInput(f"user {se_id} does not exist or is inactive", field="se_id")
    if se.role is not Role.SE:
        raise InvalidInput(f"{se.full_name} is not a solutions engineer", field="se_id")
    _require_assignable(session, actor, se)
    if request.status is S.ASSIGNED and request.assignee_id == se.id:
        raise InvalidState(f"the request is already assigned to {se.full_name}", field="se_id")
    request_flow.check_move(request.status, S.ASSIGNED, doing="assign")
    require_open_deal(request.opportunity)
    request.assignee_id = se.id
    request.assignee = se
    deal = opportunities.get_opportunity(session, request.opportunity_id)
    if se.id not in {u.id for u in deal.engineers}:
        opportunities.update_opportunity(
            session,
            actor=actor,
            opportunity=deal,
            data=OpportunityPatch(se_ids=[*(u.id for u in deal.engineers), se.id]),
        )
    _move(session, request, S.ASSIGNED, actor=actor, doing="assign", note=f"to {se.full_name}")
    return request


def decline_request(
    session: Session,
    *,
    actor: User | None,
    request: SERequest,
    reason: str,
    unanswered: list[str] | None = None,
    version: int | None = None,
) -> SERequest:
    """The assigned SE (or a manager) says no, with a reason and the questions left open."""
    if not _is_assignee_side(actor, request, managed_team_ids(session, actor)):
        raise PermissionDenied("only the assigned SE or their manager can decline this request")
    _check_version(request, version)
    if not reason or len(reason.strip()) < 3:
        raise InvalidInput("say why you decline", field="reason")
    known = question_bank().keys()
    unknown = [k for k in unanswered or [] if k not in known]
    if unknown:
        raise InvalidInput(f"unknown question {unknown[0]!r}", field="unanswered")
    request_flow.check_move(request.status, S.DECLINED, doing="decline")
    request.decline_reason = reason.strip()
    request.unanswered = list(dict.fromkeys(unanswered or []))
    _move(session, request, S.DECLINED, actor=actor, doing="decline", note=reason.strip())
    return request


def cancel_request(
    session: Session, *, actor: User | None, request: SERequest, reason: str, version: int | None
) -> SERequest:
    """Withdraw a request (the requester, the deal's AE or a manager)."""
    if not _is_requester_side(actor, request, managed_team_ids(session, actor)):
        raise PermissionDenied(
            "only the requester, the deal's AE or their manager can cancel this request"
        )
    _check_version(request, version)
    if not reason or len(reason.strip()) < 3:
        raise InvalidInput("say why the request is cancelled", field="reason")
    _move(session, request, S.CANCELLED, actor=actor, doing="cancel", note=reason.strip())
    return request


def close_open_requests(
    session: Session, *, actor: User | None, opportunity_id: int, note: str
) -> list[SERequest]:
    """Cancel every open request on a deal, with ``note`` as the reason: the end of the SE's
    work on it, decided (and permitted) by the caller. The cancelled requests are returned."""
    found = session.scalars(
        select(SERequest)
        .options(*REQUEST_OPTIONS)
        .where(
            SERequest.opportunity_id == opportunity_id,
            SERequest.status.in_(
                [s for s in request_flow.OPEN if request_flow.can_move(s, S.CANCELLED)]
            ),
        )
        .order_by(SERequest.id)
    ).all()
    for request in found:
        _move(session, request, S.CANCELLED, actor=actor, doing="cancel", note=note)
    return list(found)


def complete_request(
    session: Session, *, actor: User | None, request: SERequest, version: int | None = None
) -> SERequest:
    """Mark the SE's work on the request done (the assigned SE or a manager)."""
    if not _is_assignee_side(actor, request, managed_team_ids(session, actor)):
        raise PermissionDenied("only the assigned SE or their manager can mark the request done")
    _check_version(request, version)
    _move(session, request, S.DONE, actor=actor, doing="complete")
    return request


def schedule_request(
    session: Session, *, actor: User | None, request: SERequest, what: str
) -> None:
    """A meeting now serves this request (called when the meeting is planned)."""
    if request.status in (S.SUBMITTED, S.BLOCKED, S.ACCEPTED):
        raise InvalidState(
            "assign an SE to the request before planning its meeting", field="request_id"
        )
    _move(session, request, S.SCHEDULED, actor=actor, doing="schedule", note=what)


def finish_by_meeting(session: Session, *, actor: User | None, request: SERequest) -> None:
    """The call that served a scheduled request took place: the request is done."""
    if request.status is S.SCHEDULED:
        _move(session, request, S.DONE, actor=actor, doing="complete", note="the call was held")


@dataclass(frozen=True)
class RequestFilter:
    """What a request list is narrowed to."""

    statuses: tuple[RequestStatus, ...] = ()
    assignee_id: int | None = None
    requester_id: int | None = None
    opportunity_id: int | None = None
    kind: RequestKind | None = None
    team_ids: tuple[int, ...] | None = None


def filtered_requests(filters: RequestFilter) -> Select[SERequest]:
    """The SELECT of requests matching ``filters``."""
    query = select(SERequest)
    if filters.statuses:
        query = query.where(SERequest.status.in_(filters.statuses))
    if filters.assignee_id is not None:
        query = query.where(SERequest.assignee_id == filters.assignee_id)
    if filters.requester_id is not None:
        query = query.where(SERequest.requester_id == filters.requester_id)
    if filters.opportunity_id is not None:
        query = query.where(SERequest.opportunity_id == filters.opportunity_id)
    if filters.kind is not None:
        query = query.where(SERequest.kind == filters.kind)
    if filters.team_ids is not None:
        owners = select(User.id).where(User.team_id.in_(filters.team_ids))
        deals = select(Opportunity.id).where(Opportunity.owner_id.in_(owners))
        query = query.where(SERequest.opportunity_id.in_(deals))
    return query


def list_requests(
    session: Session, *, filters: RequestFilter, page: PageRequest
) -> Page[SERequest]:
    """Requests, soonest needed first, one page, with deals and people loaded."""
    order = (SERequest.needed_by.asc(), SERequest.id.asc())
    return paged(session, filtered_requests(filters), order, page, options=REQUEST_OPTIONS)


def requests_for_deal(session: Session, opportunity_id: int) -> list[SERequest]:
    """A deal's requests, newest first."""
    query = (
        select(SERequest)
        .options(*REQUEST_OPTIONS)
        .where(SERequest.opportunity_id == opportunity_id)
        .order_by(SERequest.created_at.desc(), SERequest.id.desc())
    )
    return list(session.scalars(query))


def request_events(session: Session, request_id: int) -> list[RequestEvent]:
    """A request's status changes, oldest first, with actors loaded."""
    query = (
        select(RequestEvent)
        .options(joinedload(RequestEvent.actor))
        .where(RequestEvent.request_id == request_id)
        .order_by(RequestEvent.at, RequestEvent.id)
    )
    return list(session.scalars(query))


def allowed_actions(
    actor: User, request: SERequest, *, managed: set[int] | None = None
) -> set[str]:
    """The buttons a person sees on a request (the services check again on submit);
    ``managed``: the teams a manager looks after (None: every team)."""
    status = request.status
    actions: set[str] = set()
    requester_side = _is_requester_side(actor, request, managed) and actor.role in REQUESTER_ROLES
    assignee_side = _is_assignee_side(actor, request, managed)
    deal_manager = actor.is_manager_or_admin and manages_deal(managed, request)
    if status is S.BLOCKED and requester_side:
        actions.add("resubmit")
    if status is S.BLOCKED and deal_manager:
        actions.add("override")
    if status in (S.ACCEPTED, S.ASSIGNED) and deal_manager:
        actions.add("assign")
    if request_flow.can_move(status, S.DECLINED) and assignee_side:
        actions.add("decline")
    if status in (S.ASSIGNED, S.SCHEDULED) and assignee_side:
        actions.update({"schedule", "complete"})
    if request_flow.can_move(status, S.CANCELLED) and requester_side:
        actions.add("cancel")
    return actions
