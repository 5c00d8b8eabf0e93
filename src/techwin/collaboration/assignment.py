"""Which SE should take a request: a pure, explainable ranking, and the query that gathers the
candidates (pod, team, skills, territory, open requests, hours booked this week).

Points, highest first (the reasons list every term that counted):

* the SE is in the pod of the deal's AE: +40
* the SE is in the team of the deal's AE: +10
* skills: +30 × (topics matched ÷ topics asked); the request's kind counts as a topic
* territory covers the account's region: +15
* load: −5 per open request (assigned or scheduled), at most −30
* this week's calls: −25 × hours booked ÷ weekly capacity (at most −40 when overbooked)

Ties go to the SE with fewer open requests, then by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from techwin.auth.enums import Role
from techwin.auth.models import User
from techwin.collaboration import request_flow
from techwin.collaboration.access import managed_team_ids
from techwin.collaboration.enums import REQUEST_KIND_LABELS, MeetingStatus, PodSide, RequestKind
from techwin.collaboration.models import (
    Meeting,
    PodMember,
    SEProfile,
    SERequest,
    meeting_attendee,
)
from techwin.core.time import start_of_day, utcnow

POD_POINTS = 40.0
TEAM_POINTS = 10.0
SKILL_POINTS = 30.0
TERRITORY_POINTS = 15.0
PER_OPEN_REQUEST = 5.0
MAX_REQUEST_PENALTY = 30.0
BOOKED_POINTS = 25.0
MAX_BOOKED_PENALTY = 40.0
DEFAULT_CAPACITY = 30


@dataclass(frozen=True)
class Candidate:
    """An SE as the ranking sees them."""

    user_id: int
    name: str
    in_pod: bool
    in_team: bool
    skills: frozenset[str]
    territories: frozenset[str]
    open_requests: int
    hours_this_week: float
    capacity_hours: int


@dataclass(frozen=True)
class Ask:
    """What the request needs: topics (with its kind) and the account's region."""

    topics: frozenset[str]
    region: str | None


@dataclass(frozen=True)
class Ranked:
    """A candidate with their rank, points and the reason for each point."""

    rank: int
    candidate: Candidate
    score: float
    reasons: list[str]


def _points(value: float) -> str:
    text = f"{abs(value):.0f}" if abs(value - round(value)) < 0.05 else f"{abs(value):.1f}"
    return ("+" if value >= 0 else "−") + text


def _skill(tag: str) -> str:
    """A skill as people read it: request kinds by their label, other tags as written."""
    try:
        return REQUEST_KIND_LABELS[RequestKind(tag)].lower()
    except ValueError:
        return tag.replace("_", " ")


def score(candidate: Candidate, ask: Ask) -> tuple[float, list[str]]:
    """A candidate's points for ``ask`` and a reason for every term that counted."""
    total = 0.0
    reasons: list[str] = []
    if candidate.in_pod:
        total += POD_POINTS
        reasons.append(f"in the AE's pod ({_points(POD_POINTS)})")
    if candidate.in_team:
        total += TEAM_POINTS
        reasons.append(f"in the AE's team ({_points(TEAM_POINTS)})")
    if ask.topics:
        matched = sorted(ask.topics & candidate.skills)
        if matched:
            points = SKILL_POINTS * len(matched) / len(ask.topics)
            total += points
            named = ", ".join(_skill(m) for m in matched)
            reasons.append(
                f"knows {named}: {len(matched)} of {len(ask.topics)} asked ({_points(points)})"
            )
        else:
            reasons.append("none of the asked skills (+0)")
    if ask.region and ask.region.lower() in candidate.territories:
        total += TERRITORY_POINTS
        reasons.append(f"covers {ask.region} ({_points(TERRITORY_POINTS)})")
    if candidate.open_requests:
        penalty = min(PER_OPEN_REQUEST * candidate.open_requests, MAX_REQUEST_PENALTY)
        total -= penalty
        plural = "s" if candidate.open_requests != 1 else ""
        reasons.append(f"{candidate.open_requests} open request{plural} ({_points(-penalty)})")
    if candidate.hours_this_week > 0:
        capacity = max(candidate.capacity_hours, 1)
        penalty = min(BOOKED_POINTS * candidate.hours_this_week / capacity, MAX_BOOKED_PENALTY)
        total -= penalty
        full = " — fully booked" if candidate.hours_this_week >= capacity else ""
        reasons.append(
            f"{candidate.hours_this_week:g} of {capacity} h booked this week{full} "
            f"({_points(-penalty)})"
        )
    return round(total, 1), reasons


def rank(candidates: Iterable[Candidate], ask: Ask) -> list[Ranked]:
    """Candidates best first, each with their points and reasons (pure)."""
    scored = [(c, *score(c, ask)) for c in candidates]
    scored.sort(key=lambda item: (-item[1], item[0].open_requests, item[0].name))
    return [Ranked(i + 1, c, points, reasons) for i, (c, points, reasons) in enumerate(scored)]


def week_bounds(now: datetime) -> tuple[datetime, datetime]:
    """Monday 00:00 UTC of ``now``'s week and the Monday after."""
    monday = start_of_day(now.date()) - timedelta(days=now.weekday())
    return monday, monday + timedelta(days=7)


def open_request_counts(session: Session, user_ids: Sequence[int]) -> dict[int, int]:
    """Requests assigned to or scheduled for each SE."""
    rows = session.execute(
        select(SERequest.assignee_id, func.count(SERequest.id))
        .where(SERequest.assignee_id.in_(user_ids), SERequest.status.in_(request_flow.ACTIVE))
        .group_by(SERequest.assignee_id)
    ).all()
    return {int(user_id): int(count) for user_id, count in rows if user_id is not None}


def hours_booked(
    session: Session, user_ids: Sequence[int], *, start: datetime, end: datetime
) -> dict[int, float]:
    """Hours of calls each SE attends between ``start`` and ``end`` (cancelled calls aside)."""
    rows = session.execute(
        select(meeting_attendee.c.user_id, func.sum(Meeting.duration_minutes))
        .join(Meeting, Meeting.id == meeting_attendee.c.meeting_id)
        .where(
            meeting_attendee.c.user_id.in_(user_ids),
            Meeting.starts_at >= start,
            Meeting.starts_at < end,
            Meeting.status != MeetingStatus.CANCELLED,
        )
        .group_by(meeting_attendee.c.user_id)
    ).all()
    return {int(user_id): round(float(minutes or 0) / 60, 1) for user_id, minutes in rows}


def _pod_engineers(session: Session, owner_ids: Sequence[int]) -> dict[int, set[int]]:
    """For each AE, the SEs of their pod (two queries for any number of AEs)."""
    pods = session.execute(
        select(PodMember.user_id, PodMember.pod_id).where(
            PodMember.user_id.in_(owner_ids), PodMember.side == PodSide.AE
        )
    ).all()
    pod_of = {int(user_id): int(pod_id) for user_id, pod_id in pods}
    members = session.execute(
        select(PodMember.pod_id, PodMember.user_id).where(
            PodMember.pod_id.in_(set(pod_of.values())), PodMember.side == PodSide.SE
        )
    ).all()
    engineers: dict[int, set[int]] = {}
    for pod_id, user_id in members:
        engineers.setdefault(int(pod_id), set()).add(int(user_id))
    return {owner: engineers.get(pod, set()) for owner, pod in pod_of.items()}


def suggest_many(
    session: Session,
    *,
    actor: User | None,
    requests: Sequence[SERequest],
    now: datetime | None = None,
    include_all: bool = False,
) -> dict[int, list[Ranked]]:
    """SEs ranked for each request (deals, accounts and AEs loaded), in a fixed number of
    queries; a manager sees the SEs of their teams (and SEs without a team) unless
    ``include_all``."""
    if not requests:
        return {}
    query = select(User).where(User.role == Role.SE, User.is_active.is_(True))
    teams = None if include_all else managed_team_ids(session, actor)
    if teams is not None:
        query = query.where(User.team_id.in_(teams) | User.team_id.is_(None))
    ses = list(session.scalars(query.order_by(User.full_name)))
    ids = [u.id for u in ses]
    owners = {r.opportunity.owner_id for r in requests if r.opportunity.owner_id is not None}
    pod_ses = _pod_engineers(session, sorted(owners))
    profiles = {
        p.user_id: p for p in session.scalars(select(SEProfile).where(SEProfile.user_id.in_(ids)))
    }
    start, end = week_bounds(now or utcnow())
    loads = open_request_counts(session, ids)
    hours = hours_booked(session, ids, start=start, end=end)
    ranked: dict[int, list[Ranked]] = {}
    for request in requests:
        deal = request.opportunity
        owner = deal.owner
        in_pod = pod_ses.get(deal.owner_id or 0, set())
        deal_team = owner.team_id if owner else None
        # The SE who holds the request being re-assigned is not charged for it in their load.
        holder = request.assignee_id if request.status in request_flow.ACTIVE else None
        candidates = []
        for se in ses:
            profile = profiles.get(se.id)
            candidates.append(
                Candidate(
                    user_id=se.id,
                    name=se.full_name,
                    in_pod=se.id in in_pod,
                    in_team=deal_team is not None and se.team_id == deal_team,
                    skills=frozenset(s.lower() for s in (profile.skills if profile else [])),
                    territories=frozenset(
                        t.lower() for t in (profile.territories if profile else [])
                    ),
                    open_requests=loads.get(se.id, 0) - (se.id == holder),
                    hours_this_week=hours.get(se.id, 0.0),
                    capacity_hours=profile.weekly_capacity_hours if profile else DEFAULT_CAPACITY,
                )
            )
        topics = frozenset({*(t.lower() for t in request.topics), request.kind.value})
        ranked[request.id] = rank(candidates, Ask(topics=topics, region=deal.account.region))
    return ranked


def suggest(
    session: Session,
    *,
    actor: User | None,
    request: SERequest,
    now: datetime | None = None,
    include_all: bool = False,
) -> list[Ranked]:
    """SEs ranked for one request (its deal, account and AE loaded)."""
    return suggest_many(session, actor=actor, requests=[request], now=now, include_all=include_all)[
        request.id
    ]
