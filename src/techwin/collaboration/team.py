"""A manager's team at a glance (an admin's: every team): SE requests waiting or blocked, each
SE's load this week, huddle/debrief discipline, deals at risk and the open pipeline. Built on
the services that answer each question for one person or pod, in a fixed number of queries
whatever the size of the team."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session, joinedload

from techwin.auth.enums import Role
from techwin.auth.models import Team, User
from techwin.collaboration import assignment, reminders
from techwin.collaboration.access import managed_team_ids, require_manager, team_pods
from techwin.collaboration.enums import RequestStatus
from techwin.collaboration.models import SEProfile, SERequest
from techwin.collaboration.overview import DealRisk, assess_risks
from techwin.collaboration.requests import REQUEST_OPTIONS, RequestFilter, filtered_requests
from techwin.core.time import start_of_day, utcnow
from techwin.pipeline.models import Opportunity, PipelineStage

WAITING_SHOWN = 5
ENGINEERS_SHOWN = 12
RISKS_SHOWN = 8
# Deals looked at for risk, soonest close first: enough for a team, bounded for "every team".
RISK_SCAN = 200
DISCIPLINE_DAYS = 30
CLOSING_WITHIN_DAYS = 30


@dataclass(frozen=True)
class EngineerLoad:
    """An SE's week: open requests, hours of calls booked, and the capacity they count against."""

    user: User
    open_requests: int
    hours_booked: float
    capacity_hours: int

    @property
    def booked_share(self) -> float:
        """Hours booked ÷ weekly capacity (above 1 when overbooked)."""
        return self.hours_booked / max(self.capacity_hours, 1)

    @property
    def overbooked(self) -> bool:
        """More hours booked than the SE's weekly capacity."""
        return self.hours_booked > self.capacity_hours

    @property
    def load_points(self) -> float:
        """How much the assignment ranking holds this SE's load against them (higher: busier)."""
        candidate = assignment.Candidate(
            user_id=self.user.id,
            name=self.user.full_name,
            in_pod=False,
            in_team=False,
            skills=frozenset(),
            territories=frozenset(),
            open_requests=self.open_requests,
            hours_this_week=self.hours_booked,
            capacity_hours=self.capacity_hours,
        )
        points, _reasons = assignment.score(candidate, assignment.Ask(frozenset(), None))
        return -points


@dataclass(frozen=True)
class TeamPipeline:
    """The team's open deals: how many, their ACV, and how many close soon."""

    open_deals: int = 0
    open_acv: Decimal = Decimal(0)
    closing_soon: int = 0


@dataclass
class TeamHome:
    """What a manager's home shows. ``teams`` empty and ``every_team`` false: no team yet."""

    teams: list[Team] = field(default_factory=list)
    every_team: bool = False
    waiting: int = 0
    blocked: int = 0
    oldest_waiting: list[SERequest] = field(default_factory=list)
    engineers: list[EngineerLoad] = field(default_factory=list)
    engineer_count: int = 0
    week_start: date | None = None
    discipline: reminders.CallTally = field(default_factory=reminders.CallTally)
    discipline_days: int = DISCIPLINE_DAYS
    at_risk: list[DealRisk] = field(default_factory=list)
    at_risk_count: int = 0
    risk_scan_full: bool = False
    pipeline: TeamPipeline = field(default_factory=TeamPipeline)

    @property
    def has_team(self) -> bool:
        """The person manages at least one team (admins: every team)."""
        return self.every_team or bool(self.teams)


def _owned_by_team(team_ids: set[int] | None) -> list[ColumnElement[bool]]:
    """Deals whose AE (owner) is in one of the teams; no condition for every team."""
    if team_ids is None:
        return []
    owners = select(User.id).where(User.team_id.in_(team_ids))
    return [Opportunity.owner_id.in_(owners)]


def request_counts(session: Session, team_ids: set[int] | None) -> dict[RequestStatus, int]:
    """Requests on the teams' deals waiting for an SE and blocked by the charter."""
    filters = RequestFilter(
        statuses=(RequestStatus.ACCEPTED, RequestStatus.BLOCKED),
        team_ids=None if team_ids is None else tuple(sorted(team_ids)),
    )
    query = (
        filtered_requests(filters)
        .with_only_columns(SERequest.status, func.count(SERequest.id))
        .group_by(SERequest.status)
    )
    counts = dict.fromkeys((RequestStatus.ACCEPTED, RequestStatus.BLOCKED), 0)
    for status, count in session.execute(query):
        counts[RequestStatus(status)] = int(count)
    return counts


def oldest_waiting(
    session: Session, team_ids: set[int] | None, *, limit: int = WAITING_SHOWN
) -> list[SERequest]:
    """The requests that have waited longest for an SE, with deals and people loaded."""
    filters = RequestFilter(
        statuses=(RequestStatus.ACCEPTED,),
        team_ids=None if team_ids is None else tuple(sorted(team_ids)),
    )
    query = (
        filtered_requests(filters)
        .options(*REQUEST_OPTIONS)
        .order_by(SERequest.status_changed_at, SERequest.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def engineer_loads(
    session: Session, team_ids: set[int] | None, *, now: datetime
) -> list[EngineerLoad]:
    """Every active SE of the teams with this week's load, busiest first (four queries)."""
    query = (
        select(User, SEProfile.weekly_capacity_hours)
        .outerjoin(SEProfile, SEProfile.user_id == User.id)
        .where(User.role == Role.SE, User.is_active.is_(True))
    )
    if team_ids is not None:
        query = query.where(User.team_id.in_(team_ids))
    rows = session.execute(query).all()
    ids = [user.id for user, _capacity in rows]
    if not ids:
        return []
    start, end = assignment.week_bounds(now)
    opened = assignment.open_request_counts(session, ids)
    hours = assignment.hours_booked(session, ids, start=start, end=end)
    loads = [
        EngineerLoad(
            user=user,
            open_requests=opened.get(user.id, 0),
            hours_booked=hours.get(user.id, 0.0),
            capacity_hours=capacity if capacity is not None else assignment.DEFAULT_CAPACITY,
        )
        for user, capacity in rows
    ]
    return sorted(loads, key=lambda e: (-e.load_points, -e.open_requests, e.user.full_name))


def team_deals_at_risk(
    session: Session, team_ids: set[int] | None, *, today: date, scan: int = RISK_SCAN
) -> tuple[list[DealRisk], bool]:
    """Open deals of the teams' AEs that are single-threaded or stalled, soonest close first,
    and whether the ``scan`` limit cut the deals looked at (three queries)."""
    query = (
        select(Opportunity)
        .join(PipelineStage, PipelineStage.id == Opportunity.stage_id)
        .options(
            joinedload(Opportunity.account),
            joinedload(Opportunity.stage),
            joinedload(Opportunity.owner),
        )
        .where(PipelineStage.is_closed.is_(False), *_owned_by_team(team_ids))
        .order_by(Opportunity.close_date.asc().nulls_last(), Opportunity.id)
        .limit(scan)
    )
    deals = list(session.scalars(query))
    return assess_risks(session, deals, today=today), len(deals) >= scan


def team_pipeline(session: Session, team_ids: set[int] | None, *, today: date) -> TeamPipeline:
    """Count and ACV of the teams' open deals, and how many close within 30 days (one query)."""
    soon = today + timedelta(days=CLOSING_WITHIN_DAYS)
    closing = and_(Opportunity.close_date.is_not(None), Opportunity.close_date <= soon)
    count, total, closing_soon = session.execute(
        select(
            func.count(Opportunity.id),
            func.sum(Opportunity.acv),
            func.sum(case((closing, 1), else_=0)),
        )
        .join(PipelineStage, PipelineStage.id == Opportunity.stage_id)
        .where(PipelineStage.is_closed.is_(False), *_owned_by_team(team_ids))
    ).one()
    return TeamPipeline(
        open_deals=int(count or 0),
        open_acv=total if isinstance(total, Decimal) else Decimal(total or 0),
        closing_soon=int(closing_soon or 0),
    )


def team_discipline(
    session: Session, team_ids: set[int] | None, *, today: date, now: datetime
) -> reminders.CallTally:
    """The last 30 days' huddle/debrief discipline over the teams' pods (None: every pod) — the
    figures of the discipline page's "Last 30 days" (see ``access.discipline_scope``)."""
    rows = reminders.discipline(
        session,
        start=start_of_day(today - timedelta(days=DISCIPLINE_DAYS)),
        end=start_of_day(today) + timedelta(days=1),
        now=now,
        pod_ids=None if team_ids is None else team_pods(session, team_ids),
    )
    return reminders.CallTally.total(rows)


def team_home(session: Session, *, actor: User, now: datetime | None = None) -> TeamHome:
    """What needs a manager today in the teams they manage (an admin: every team); a manager
    without a team gets an empty ``TeamHome`` (``has_team`` false) after one query."""
    require_manager(actor, "see a team's home")
    moment = now or utcnow()
    today = moment.date()
    team_ids = managed_team_ids(session, actor)
    if team_ids is not None and not team_ids:
        return TeamHome()
    teams = (
        list(session.scalars(select(Team).where(Team.id.in_(team_ids)).order_by(Team.name)))
        if team_ids is not None
        else []
    )
    counts = request_counts(session, team_ids)
    loads = engineer_loads(session, team_ids, now=moment)
    risks, scan_full = team_deals_at_risk(session, team_ids, today=today)
    return TeamHome(
        teams=teams,
        every_team=team_ids is None,
        waiting=counts[RequestStatus.ACCEPTED],
        blocked=counts[RequestStatus.BLOCKED],
        oldest_waiting=oldest_waiting(session, team_ids),
        engineers=loads[:ENGINEERS_SHOWN],
        engineer_count=len(loads),
        week_start=assignment.week_bounds(moment)[0].date(),
        discipline=team_discipline(session, team_ids, today=today, now=moment),
        at_risk=risks[:RISKS_SHOWN],
        at_risk_count=len(risks),
        risk_scan_full=scan_full,
        pipeline=team_pipeline(session, team_ids, today=today),
    )
