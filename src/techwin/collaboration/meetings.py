"""Meetings (calls) on a deal: plan, change, hold, cancel, list, and export to calendars."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, or_, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from techwin.auth.audit import record_audit, record_update
from techwin.auth.models import User
from techwin.collaboration import ics
from techwin.collaboration.enums import MAJOR_KINDS, MEETING_KIND_LABELS, MeetingStatus
from techwin.collaboration.models import Meeting, Stakeholder, meeting_attendee
from techwin.collaboration.requests import finish_by_meeting, get_request, schedule_request
from techwin.collaboration.schemas import HeldIn, MeetingIn, MeetingOut, MeetingPatch
from techwin.core.concurrency import check_version
from techwin.core.time import as_utc, utcnow
from techwin.errors import InvalidInput, InvalidState, NotFound
from techwin.pipeline import opportunities
from techwin.pipeline.models import Contact, Opportunity

_LOADED = (
    joinedload(Meeting.opportunity).joinedload(Opportunity.account),
    joinedload(Meeting.opportunity).joinedload(Opportunity.stage),
    joinedload(Meeting.opportunity).joinedload(Opportunity.owner),
    joinedload(Meeting.opportunity).selectinload(Opportunity.engineers),
    joinedload(Meeting.owner),
    selectinload(Meeting.attendees),
    selectinload(Meeting.contacts),
    joinedload(Meeting.huddle),
    joinedload(Meeting.debrief),
)


def get_meeting(session: Session, meeting_id: int) -> Meeting:
    """A meeting with its deal, people, huddle and debrief, or NotFound."""
    meeting = session.scalar(select(Meeting).options(*_LOADED).where(Meeting.id == meeting_id))
    if meeting is None:
        raise NotFound(f"meeting {meeting_id} does not exist", field="meeting_id")
    return meeting


def meeting_out(meeting: Meeting) -> MeetingOut:
    """The API shape of a meeting (people, huddle and debrief loaded)."""
    return MeetingOut(
        id=meeting.id,
        opportunity_id=meeting.opportunity_id,
        request_id=meeting.request_id,
        kind=meeting.kind,
        title=meeting.title,
        starts_at=meeting.starts_at,
        duration_minutes=meeting.duration_minutes,
        location=meeting.location,
        is_major=meeting.is_major,
        status=meeting.status,
        held_at=meeting.held_at,
        owner_id=meeting.owner_id,
        agenda=meeting.agenda,
        attendee_ids=sorted(u.id for u in meeting.attendees),
        contact_ids=sorted(c.id for c in meeting.contacts),
        has_huddle=meeting.huddle is not None,
        has_debrief=meeting.debrief is not None,
        version=meeting.version,
    )


def _users(session: Session, ids: Sequence[int]) -> list[User]:
    users = []
    for user_id in dict.fromkeys(ids):
        user = session.get(User, user_id)
        if user is None or not user.is_active:
            raise InvalidInput(
                f"user {user_id} does not exist or is inactive", field="attendee_ids"
            )
        users.append(user)
    return users


def _contacts(session: Session, deal: Opportunity, ids: Sequence[int]) -> list[Contact]:
    found = []
    for contact_id in dict.fromkeys(ids):
        contact = session.get(Contact, contact_id)
        if contact is None:
            raise InvalidInput(f"contact {contact_id} does not exist", field="contact_ids")
        if contact.account_id not in (None, deal.account_id):
            raise InvalidInput(
                f"{contact.full_name} works at another account than this deal's",
                field="contact_ids",
            )
        found.append(contact)
    return found


def _require_open(deal: Opportunity) -> None:
    if deal.stage.is_closed:
        raise InvalidState(
            f"the deal is {deal.stage.name.lower()}; calls are planned on open deals",
            field="opportunity_id",
        )


def plan_meeting(session: Session, *, actor: User | None, data: MeetingIn) -> Meeting:
    """Put a call on a deal's calendar; a call that serves an SE request schedules it."""
    deal = opportunities.get_opportunity(session, data.opportunity_id)
    opportunities.require_opportunity_edit(actor, deal)
    _require_open(deal)
    request = None
    if data.request_id is not None:
        request = get_request(session, data.request_id)
        if request.opportunity_id != deal.id:
            raise InvalidInput("that SE request is for another deal", field="request_id")
    people = _users(session, data.attendee_ids)
    for implied in (actor, deal.owner, request.assignee if request else None):
        if implied is not None and implied.id not in {u.id for u in people}:
            people.append(implied)
    meeting = Meeting(
        opportunity_id=deal.id,
        request_id=request.id if request else None,
        kind=data.kind,
        title=data.title,
        starts_at=as_utc(data.starts_at),
        duration_minutes=data.duration_minutes,
        location=data.location,
        is_major=data.kind in MAJOR_KINDS if data.is_major is None else data.is_major,
        owner_id=actor.id if actor else deal.owner_id,
        agenda=data.agenda,
        status=MeetingStatus.PLANNED,
    )
    meeting.attendees = people
    meeting.contacts = _contacts(session, deal, data.contact_ids)
    session.add(meeting)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="meeting.planned",
        entity_type="opportunity",
        entity_id=deal.id,
        summary=f"{MEETING_KIND_LABELS[meeting.kind]} “{meeting.title}” on "
        f"{meeting.starts_at:%Y-%m-%d %H:%M} UTC",
    )
    if request is not None:
        schedule_request(session, actor=actor, request=request, what=f"call “{meeting.title}”")
    return get_meeting(session, meeting.id)


def _snapshot(meeting: Meeting) -> dict[str, object]:
    return meeting_out(meeting).model_dump(mode="json", exclude={"has_huddle", "has_debrief"})


def require_meeting_edit(actor: User | None, meeting: Meeting) -> None:
    """Raise unless ``actor`` may change this call: whoever may plan calls on its deal (the AE,
    the deal's SEs, managers, admins), and only while it is not cancelled."""
    opportunities.require_opportunity_edit(actor, meeting.opportunity)
    if meeting.status is MeetingStatus.CANCELLED:
        raise InvalidState("the call was cancelled; plan a new one", field="status")


def _check_move(meeting: Meeting, starts_at: datetime, now: datetime) -> None:
    """A call that took place or was debriefed stays in the past."""
    if starts_at <= now:
        return
    if meeting.debrief is not None:
        raise InvalidState(
            "the call was debriefed already, so it cannot be moved into the future",
            field="starts_at",
        )
    if meeting.status is MeetingStatus.HELD:
        raise InvalidState(
            "the call took place already, so it cannot be moved into the future",
            field="starts_at",
        )


def update_meeting(
    session: Session,
    *,
    actor: User | None,
    meeting: Meeting,
    data: MeetingPatch,
    now: datetime | None = None,
) -> Meeting:
    """Move, retitle or re-staff a call (stale versions refused; a call that took place or was
    debriefed cannot move into the future)."""
    require_meeting_edit(actor, meeting)
    before = _snapshot(meeting)
    check_version(meeting.version, data.version, what="meeting", values=before)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    for name in ("kind", "title", "starts_at", "duration_minutes", "is_major"):
        if name in changes and changes[name] is None:
            raise InvalidInput(f"{name.replace('_', ' ')} cannot be empty", field=name)
    if "starts_at" in changes:
        changes["starts_at"] = as_utc(changes["starts_at"])
        _check_move(meeting, changes["starts_at"], now or utcnow())
    if "attendee_ids" in changes:
        meeting.attendees = _users(session, changes.pop("attendee_ids") or [])
    if "contact_ids" in changes:
        meeting.contacts = _contacts(session, meeting.opportunity, changes.pop("contact_ids") or [])
    for name, value in changes.items():
        setattr(meeting, name, value)
    meeting.version += 1
    session.flush()
    record_update(
        session,
        actor=actor,
        entity_type="meeting",
        entity_id=meeting.id,
        before=before,
        after=_snapshot(meeting),
    )
    return get_meeting(session, meeting.id)


def hold_meeting(
    session: Session,
    *,
    actor: User | None,
    meeting: Meeting,
    data: HeldIn,
    now: datetime | None = None,
) -> Meeting:
    """Record that the call took place, at ``data.held_at`` or else its planned start (its
    request, if scheduled, is done)."""
    opportunities.require_opportunity_edit(actor, meeting.opportunity)
    check_version(meeting.version, data.version, what="meeting", values=_snapshot(meeting))
    current = now or utcnow()
    # Unless told otherwise, the call took place when it was planned (once that has come).
    held_at = as_utc(data.held_at) if data.held_at else min(current, as_utc(meeting.starts_at))
    if meeting.status is MeetingStatus.CANCELLED:
        raise InvalidState("a cancelled call cannot be held", field="status")
    if meeting.status is MeetingStatus.HELD:
        raise InvalidState("the call is already marked as held", field="status")
    if held_at > current:
        raise InvalidInput("a call cannot be marked as held in the future", field="held_at")
    starts = as_utc(meeting.starts_at)
    if held_at < starts:
        raise InvalidInput(
            f"the call starts {starts:%Y-%m-%d %H:%M} UTC and cannot have taken place before; "
            "if it was held earlier, move it to when it happened first",
            field="held_at",
        )
    meeting.status = MeetingStatus.HELD
    meeting.held_at = held_at
    _touch_stakeholders(session, meeting, held_at)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="meeting.held",
        entity_type="opportunity",
        entity_id=meeting.opportunity_id,
        summary=f"“{meeting.title}” took place",
    )
    if meeting.request_id is not None:
        finish_by_meeting(session, actor=actor, request=get_request(session, meeting.request_id))
    return get_meeting(session, meeting.id)


def _touch_stakeholders(session: Session, meeting: Meeting, at: datetime) -> None:
    """The deal's stakeholders who were on the call were last in touch when it was held."""
    ids = [c.id for c in meeting.contacts]
    if not ids:
        return
    session.execute(
        update(Stakeholder)
        .where(
            Stakeholder.opportunity_id == meeting.opportunity_id,
            Stakeholder.contact_id.in_(ids),
            or_(Stakeholder.last_touch_at.is_(None), Stakeholder.last_touch_at < at),
        )
        .values(last_touch_at=at)
    )


def cancel_meeting(
    session: Session, *, actor: User | None, meeting: Meeting, version: int | None = None
) -> Meeting:
    """Call off a planned call."""
    opportunities.require_opportunity_edit(actor, meeting.opportunity)
    check_version(meeting.version, version, what="meeting", values=_snapshot(meeting))
    if meeting.status is not MeetingStatus.PLANNED:
        raise InvalidState(f"the call is {meeting.status.value}; only a planned call is cancelled")
    _call_off(session, actor=actor, meeting=meeting)
    return meeting


def call_off_serving(
    session: Session, *, actor: User | None, request_ids: Sequence[int], why: str
) -> int:
    """Call off the planned calls that serve these requests, which were just ended (the caller
    decided and was allowed to); returns how many were called off."""
    if not request_ids:
        return 0
    planned = session.scalars(
        select(Meeting)
        .where(Meeting.request_id.in_(request_ids), Meeting.status == MeetingStatus.PLANNED)
        .order_by(Meeting.id)
    ).all()
    for meeting in planned:
        _call_off(session, actor=actor, meeting=meeting, why=why)
    return len(planned)


def _call_off(
    session: Session, *, actor: User | None, meeting: Meeting, why: str | None = None
) -> None:
    meeting.status = MeetingStatus.CANCELLED
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="meeting.cancelled",
        entity_type="opportunity",
        entity_id=meeting.opportunity_id,
        summary=f"“{meeting.title}” called off" + (f" ({why})" if why else ""),
        reason=why,
    )


def has_happened(meeting: Meeting, now: datetime) -> bool:
    """Held, or planned and already started (a call cannot be debriefed before it starts)."""
    if meeting.status is MeetingStatus.HELD:
        return True
    return meeting.status is MeetingStatus.PLANNED and as_utc(meeting.starts_at) <= now


@dataclass(frozen=True)
class MeetingFilter:
    """What a meeting list is narrowed to."""

    opportunity_id: int | None = None
    user_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[MeetingStatus, ...] = ()


def filtered_meetings(filters: MeetingFilter) -> Select[Meeting]:
    """The SELECT of meetings matching ``filters``."""
    query = select(Meeting)
    if filters.opportunity_id is not None:
        query = query.where(Meeting.opportunity_id == filters.opportunity_id)
    if filters.user_id is not None:
        attending = select(meeting_attendee.c.meeting_id).where(
            meeting_attendee.c.user_id == filters.user_id
        )
        query = query.where(Meeting.id.in_(attending) | (Meeting.owner_id == filters.user_id))
    if filters.start is not None:
        query = query.where(Meeting.starts_at >= filters.start)
    if filters.end is not None:
        query = query.where(Meeting.starts_at < filters.end)
    if filters.statuses:
        query = query.where(Meeting.status.in_(filters.statuses))
    return query


def list_meetings(session: Session, *, filters: MeetingFilter, limit: int = 200) -> list[Meeting]:
    """Meetings by start time, with deals, people, huddles and debriefs loaded."""
    query = filtered_meetings(filters).options(*_LOADED)
    query = query.order_by(Meeting.starts_at, Meeting.id).limit(limit)
    return list(session.scalars(query).unique())


def calendar_of(meetings: Sequence[Meeting], *, stamp: datetime | None = None) -> str:
    """An iCalendar file with ``meetings`` (people and deal loaded)."""
    moment = stamp or utcnow()
    events = []
    for meeting in meetings:
        deal = meeting.opportunity
        lines = [f"{MEETING_KIND_LABELS[meeting.kind]} on {deal.name} ({deal.account.name})"]
        if meeting.agenda:
            lines += ["", meeting.agenda]
        if meeting.huddle is not None:
            lines += ["", f"Objective: {meeting.huddle.objective}"]
            lines += [f"Call to action: {meeting.huddle.call_to_action}"]
        people = [ics.CalendarPerson(u.full_name, u.email) for u in meeting.attendees]
        people += [ics.CalendarPerson(c.full_name, c.email) for c in meeting.contacts]
        events.append(
            ics.CalendarEvent(
                uid=f"meeting-{meeting.id}@techwin",
                title=meeting.title,
                starts_at=as_utc(meeting.starts_at),
                duration_minutes=meeting.duration_minutes,
                stamp=moment,
                sequence=meeting.version,
                description="\n".join(lines),
                location=meeting.location,
                cancelled=meeting.status is MeetingStatus.CANCELLED,
                organizer=ics.CalendarPerson(meeting.owner.full_name, meeting.owner.email)
                if meeting.owner
                else None,
                attendees=people,
            )
        )
    return ics.calendar(events)
