"""What the product reminds people of — a huddle missing before a major call, a debrief owed
after one — and each pod's huddle/debrief discipline. The rules are pure; the queries feed them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from techwin.auth.models import User
from techwin.collaboration.charters import charter_for_owner
from techwin.collaboration.enums import TECHNICAL_KINDS, MeetingKind, MeetingStatus, PodSide
from techwin.collaboration.meetings import MeetingFilter, list_meetings
from techwin.collaboration.models import Debrief, Huddle, Meeting, Pod, PodMember
from techwin.core.time import as_utc, utcnow
from techwin.pipeline.models import Opportunity

# A huddle reminder shows up this long before it falls due; a debrief is due a day after the call.
HUDDLE_NOTICE = timedelta(hours=24)
DEBRIEF_GRACE = timedelta(hours=24)
LOOK_BACK = timedelta(days=30)


@dataclass(frozen=True)
class MeetingFacts:
    """A call as the reminder rules see it."""

    meeting_id: int
    opportunity_id: int
    title: str
    kind: MeetingKind
    starts_at: datetime
    duration_minutes: int
    is_major: bool
    status: MeetingStatus
    has_huddle: bool
    has_debrief: bool

    @property
    def ends_at(self) -> datetime:
        """When the call is planned to end."""
        return self.starts_at + timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True)
class Reminder:
    """Something owed on a call, when it is due, and whether that moment passed."""

    kind: str  # "huddle_missing" or "debrief_owed"
    meeting_id: int
    opportunity_id: int
    title: str
    due_at: datetime
    overdue: bool
    message: str


def huddle_due(facts: MeetingFacts, lead_hours: int) -> datetime:
    """The prep call is due ``lead_hours`` before a technical presentation, else before the call."""
    if facts.kind in TECHNICAL_KINDS:
        return facts.starts_at - timedelta(hours=lead_hours)
    return facts.starts_at


def reminders(
    meetings: Sequence[MeetingFacts], *, now: datetime, lead_hours: int
) -> list[Reminder]:
    """Huddles missing and debriefs owed on major calls, most urgent first (pure)."""
    found = []
    for m in meetings:
        if not m.is_major or m.status is MeetingStatus.CANCELLED:
            continue
        if m.status is MeetingStatus.PLANNED and not m.has_huddle and m.starts_at > now:
            due = huddle_due(m, lead_hours)
            if now >= due - HUDDLE_NOTICE:
                late = now > due
                when = "was due" if late else "is due"
                found.append(
                    Reminder(
                        "huddle_missing",
                        m.meeting_id,
                        m.opportunity_id,
                        m.title,
                        due,
                        late,
                        f"No huddle yet for “{m.title}”: the prep call {when} "
                        f"{due:%d %b %H:%M} UTC",
                    )
                )
        happened = m.status is MeetingStatus.HELD or m.ends_at <= now
        if happened and not m.has_debrief:
            due = m.ends_at + DEBRIEF_GRACE
            found.append(
                Reminder(
                    "debrief_owed",
                    m.meeting_id,
                    m.opportunity_id,
                    m.title,
                    due,
                    now > due,
                    f"Debrief owed for “{m.title}”: what did we miss, did the real pain come "
                    "out, which next step did we secure?",
                )
            )
    return sorted(found, key=lambda r: (r.due_at, r.meeting_id))


def facts_of(meeting: Meeting) -> MeetingFacts:
    """A loaded meeting as the rules see it (huddle and debrief loaded)."""
    return MeetingFacts(
        meeting_id=meeting.id,
        opportunity_id=meeting.opportunity_id,
        title=meeting.title,
        kind=meeting.kind,
        starts_at=as_utc(meeting.starts_at),
        duration_minutes=meeting.duration_minutes,
        is_major=meeting.is_major,
        status=meeting.status,
        has_huddle=meeting.huddle is not None,
        has_debrief=meeting.debrief is not None,
    )


def lead_hours_for(session: Session, user: User) -> int:
    """The prep-call lead time of the charter that governs ``user``'s pod or team."""
    return charter_for_owner(session, user).charter.prep_lead_hours


def reminders_for(
    session: Session, *, user: User, now: datetime | None = None
) -> tuple[list[Reminder], list[Meeting]]:
    """A person's reminders and the calls they were computed from (attending or owning)."""
    moment = now or utcnow()
    lead = lead_hours_for(session, user)
    meetings = list_meetings(
        session,
        filters=MeetingFilter(
            user_id=user.id,
            start=moment - LOOK_BACK,
            end=moment + timedelta(hours=lead) + HUDDLE_NOTICE + timedelta(days=14),
        ),
        limit=500,
    )
    return reminders([facts_of(m) for m in meetings], now=moment, lead_hours=lead), meetings


@dataclass(frozen=True)
class CallTally:
    """Major calls that took place, and how many had a huddle before and a debrief after."""

    major_calls: int = 0
    with_huddle: int = 0
    with_debrief: int = 0

    @property
    def huddle_rate(self) -> float | None:
        """Major calls with a huddle ÷ major calls (None without calls)."""
        return self.with_huddle / self.major_calls if self.major_calls else None

    @property
    def debrief_rate(self) -> float | None:
        """Major calls with a debrief ÷ major calls (None without calls)."""
        return self.with_debrief / self.major_calls if self.major_calls else None

    @property
    def debriefs_owed(self) -> int:
        """Major calls still without a debrief."""
        return self.major_calls - self.with_debrief

    @classmethod
    def total(cls, tallies: Iterable[CallTally]) -> CallTally:
        """The tallies added up."""
        counts = [(t.major_calls, t.with_huddle, t.with_debrief) for t in tallies]
        if not counts:
            return cls()
        calls, huddles, debriefs = (sum(column) for column in zip(*counts, strict=True))
        return cls(major_calls=calls, with_huddle=huddles, with_debrief=debriefs)


@dataclass(frozen=True)
class Discipline(CallTally):
    """A pod's tally over a period (``pod_id`` None: calls of AEs outside any pod)."""

    pod_id: int | None = None
    pod_name: str = ""


def discipline(
    session: Session,
    *,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
    pod_ids: frozenset[int] | None = None,
) -> list[Discipline]:
    """Per pod (through the deal's AE): major calls of the period that took place (held, or
    started already; dated by when they were held), and how many had a huddle and a debrief.
    Calls on deals of AEs outside any pod are grouped as 'No pod'. ``pod_ids`` narrows the
    answer to those pods (see :func:`techwin.collaboration.access.discipline_scope`)."""
    moment = now or utcnow()
    when = func.coalesce(Meeting.held_at, Meeting.starts_at)
    rows = session.execute(
        select(Meeting.id, Opportunity.owner_id, Huddle.id, Debrief.id)
        .join(Opportunity, Opportunity.id == Meeting.opportunity_id)
        .outerjoin(Huddle, Huddle.meeting_id == Meeting.id)
        .outerjoin(Debrief, Debrief.meeting_id == Meeting.id)
        .where(
            Meeting.is_major.is_(True),
            Meeting.status != MeetingStatus.CANCELLED,
            when >= start,
            when < end,
            or_(Meeting.status == MeetingStatus.HELD, Meeting.starts_at < moment),
        )
    ).all()
    pods = session.execute(
        select(PodMember.user_id, Pod.id, Pod.name)
        .join(Pod, Pod.id == PodMember.pod_id)
        .where(PodMember.side == PodSide.AE)
    ).all()
    pod_of = {int(user_id): (int(pod_id), str(name)) for user_id, pod_id, name in pods}
    tallies: dict[int | None, list[int]] = {}
    names: dict[int | None, str] = {None: "No pod"}
    for _meeting_id, owner_id, huddle_id, debrief_id in rows:
        pod_id, name = pod_of.get(int(owner_id or 0), (None, "No pod"))
        names[pod_id] = name
        tally = tallies.setdefault(pod_id, [0, 0, 0])
        tally[0] += 1
        tally[1] += huddle_id is not None
        tally[2] += debrief_id is not None
    for _user_id, pod_id, name in pods:
        names.setdefault(int(pod_id), str(name))
        tallies.setdefault(int(pod_id), [0, 0, 0])
    result = [
        Discipline(
            major_calls=tally[0],
            with_huddle=tally[1],
            with_debrief=tally[2],
            pod_id=pod_id,
            pod_name=names[pod_id],
        )
        for pod_id, tally in tallies.items()
        if pod_ids is None or pod_id in pod_ids
    ]
    return sorted(result, key=lambda d: (d.pod_id is None, d.pod_name))
