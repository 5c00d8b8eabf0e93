"""Read-only views for people's days: an SE's requests, calls, debriefs owed and deals at risk,
and the two-in-a-box summary of one deal. Each view runs a fixed number of queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from techwin.auth.enums import Role
from techwin.auth.models import User
from techwin.collaboration import request_flow
from techwin.collaboration.access import managed_team_ids
from techwin.collaboration.charter_rules import StakeholderFact
from techwin.collaboration.enums import MeetingStatus, RequestStatus
from techwin.collaboration.models import Meeting, SERequest, Stakeholder
from techwin.collaboration.reminders import Reminder, reminders_for
from techwin.collaboration.requests import REQUEST_OPTIONS, RequestFilter, filtered_requests
from techwin.collaboration.stakeholders import Coverage, coverage
from techwin.core.time import as_utc, utcnow
from techwin.pipeline.models import Contact, Opportunity, PipelineStage

STALE_AFTER_DAYS = 14


@dataclass(frozen=True)
class DealRisk:
    """An open deal and what makes it fragile."""

    deal: Opportunity
    coverage: Coverage
    reasons: list[str]


@dataclass
class MyDay:
    """What an SE (or a manager) needs today."""

    waiting: list[SERequest] = field(default_factory=list)
    queue: list[SERequest] = field(default_factory=list)
    upcoming: list[Meeting] = field(default_factory=list)
    reminders: list[Reminder] = field(default_factory=list)
    at_risk: list[DealRisk] = field(default_factory=list)
    lead_hours: int = 24


def stakeholder_facts(session: Session, deal_ids: list[int]) -> dict[int, list[StakeholderFact]]:
    """The stakeholder maps of several deals in one query."""
    rows = session.execute(
        select(Stakeholder.opportunity_id, Stakeholder.role, Stakeholder.engagement, Contact)
        .join(Contact, Contact.id == Stakeholder.contact_id)
        .where(Stakeholder.opportunity_id.in_(deal_ids))
    ).all()
    facts: dict[int, list[StakeholderFact]] = {d: [] for d in deal_ids}
    for deal_id, role, engagement, contact in rows:
        facts[int(deal_id)].append(
            StakeholderFact(contact.full_name, role, engagement, contact.seniority)
        )
    return facts


def risk_reasons(deal: Opportunity, cover: Coverage, *, today: date) -> list[str]:
    """Why a deal is fragile: single-threaded, no next step, one past its date, or one left
    undated and untouched for weeks (pure)."""
    next_date = deal.next_step_due
    reasons = []
    if cover.single_threaded:
        people = cover.engaged_people
        reasons.append(
            "no engaged stakeholder" if people == 0 else "single-threaded: one engaged stakeholder"
        )
    if not (deal.next_step or "").strip():
        reasons.append("no next step recorded")
    elif next_date is not None and next_date < today:
        reasons.append(f"next step was due {next_date.isoformat()}")
    elif next_date is None and (today - as_utc(deal.updated_at).date()).days > STALE_AFTER_DAYS:
        reasons.append(f"next step unchanged for over {STALE_AFTER_DAYS} days")
    return reasons


def deals_at_risk(session: Session, *, user: User, today: date, limit: int = 10) -> list[DealRisk]:
    """Open deals the person works on (as AE or SE) that are single-threaded or stalled."""
    query = (
        select(Opportunity)
        .join(PipelineStage, PipelineStage.id == Opportunity.stage_id)
        .options(joinedload(Opportunity.account), joinedload(Opportunity.stage))
        .where(
            PipelineStage.is_closed.is_(False),
            or_(Opportunity.owner_id == user.id, Opportunity.engineers.any(User.id == user.id)),
        )
        .order_by(Opportunity.close_date.asc().nulls_last(), Opportunity.id)
        .limit(200)
    )
    return assess_risks(session, list(session.scalars(query)), today=today)[:limit]


def assess_risks(session: Session, deals: Sequence[Opportunity], *, today: date) -> list[DealRisk]:
    """The deals (in the order given) that are single-threaded or stalled, with the reasons
    (one query whatever the number of deals)."""
    ids = [d.id for d in deals]
    if not ids:
        return []
    facts = stakeholder_facts(session, ids)
    risky = []
    for deal in deals:
        cover = coverage(facts[deal.id])
        reasons = risk_reasons(deal, cover, today=today)
        if reasons:
            risky.append(DealRisk(deal, cover, reasons))
    return risky


def my_day(session: Session, *, user: User, now: datetime | None = None) -> MyDay:
    """A day in two in a box: requests waiting on the person (an SE: those assigned to them; an
    AE: theirs the charter blocked, to qualify and resubmit), a manager's queue to assign or
    unblock on their teams' deals, upcoming calls with their huddle status, debriefs owed and
    huddles missing, and deals at risk."""
    moment = now or utcnow()
    if user.role is Role.AE:
        mine = RequestFilter(statuses=(RequestStatus.BLOCKED,), requester_id=user.id)
    else:
        active = (RequestStatus.ASSIGNED, RequestStatus.SCHEDULED)
        mine = RequestFilter(statuses=active, assignee_id=user.id)
    waiting = list(
        session.scalars(
            filtered_requests(mine)
            .options(*REQUEST_OPTIONS)
            .order_by(SERequest.needed_by, SERequest.id)
            .limit(50)
        )
    )
    queue: list[SERequest] = []
    if user.is_manager_or_admin:
        teams = managed_team_ids(session, user)
        queue = list(
            session.scalars(
                filtered_requests(
                    RequestFilter(
                        statuses=(RequestStatus.ACCEPTED, RequestStatus.BLOCKED),
                        team_ids=None if teams is None else tuple(sorted(teams)),
                    )
                )
                .options(*REQUEST_OPTIONS)
                .order_by(SERequest.needed_by, SERequest.id)
                .limit(20)
            )
        )
    found, meetings = reminders_for(session, user=user, now=moment)
    upcoming = [
        m for m in meetings if m.status is MeetingStatus.PLANNED and as_utc(m.starts_at) >= moment
    ][:20]
    return MyDay(
        waiting=waiting,
        queue=queue,
        upcoming=upcoming,
        reminders=found,
        at_risk=deals_at_risk(session, user=user, today=moment.date()),
    )


@dataclass(frozen=True)
class DealCounts:
    """Open requests and planned calls on a deal."""

    open_requests: int
    planned_calls: int


def deal_counts(session: Session, opportunity_id: int) -> DealCounts:
    """How many requests are open and calls planned on a deal."""
    open_requests = session.scalar(
        select(func.count(SERequest.id)).where(
            SERequest.opportunity_id == opportunity_id,
            SERequest.status.in_(request_flow.OPEN),
        )
    )
    planned = session.scalar(
        select(func.count(Meeting.id)).where(
            Meeting.opportunity_id == opportunity_id, Meeting.status == MeetingStatus.PLANNED
        )
    )
    return DealCounts(int(open_requests or 0), int(planned or 0))


def deal_meetings(session: Session, opportunity_id: int) -> list[Meeting]:
    """A deal's calls, newest first, with people, huddles and debriefs loaded."""
    query = (
        select(Meeting)
        .options(
            selectinload(Meeting.attendees),
            joinedload(Meeting.huddle),
            joinedload(Meeting.debrief),
        )
        .where(Meeting.opportunity_id == opportunity_id)
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    )
    return list(session.scalars(query).unique())
