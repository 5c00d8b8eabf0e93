"""The huddle before a major call: the objective, who does what, the call to action, a
checklist — recorded, and held to the charter (pricing stays with the AE)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from techwin.auth.audit import record_audit, record_update
from techwin.auth.enums import Role
from techwin.auth.models import User
from techwin.collaboration.charters import charter_for_deal
from techwin.collaboration.enums import TECHNICAL_KINDS, MeetingStatus
from techwin.collaboration.models import Huddle, Meeting
from techwin.collaboration.schemas import HuddleIn, HuddleOut
from techwin.core.concurrency import check_version
from techwin.core.time import as_utc, utcnow
from techwin.errors import InvalidInput, InvalidState, RuleViolation
from techwin.pipeline import opportunities

CHECKLIST: dict[str, str] = {
    "prospect_researched": "Prospect researched: their site, recent news, the attendees' roles",
    "attendees_confirmed": "Attendees' titles and the agenda confirmed with the prospect",
    "objective_confirmed": "The one objective of the call agreed between us",
    "screen_agreed": "Who shares the screen, and what is shown, agreed",
    "opener_agreed": "Who opens with the qualification questions agreed",
    "call_to_action_agreed": "The next step to ask for at the end of the call agreed",
}
ROLE_FIELDS = {
    "driver_id": "drives the call",
    "commercial_owner_id": "takes the commercial questions",
    "screen_sharer_id": "shares the screen",
    "note_taker_id": "takes notes",
    "opener_id": "opens with qualification questions",
}


def huddle_out(huddle: Huddle) -> HuddleOut:
    """The API shape of a huddle."""
    return HuddleOut.model_validate(huddle)


def due_by(meeting: Meeting, lead_hours: int) -> datetime:
    """When the huddle should have happened: the charter's lead time before a technical
    presentation, or just before any other major call."""
    start = as_utc(meeting.starts_at)
    if meeting.kind in TECHNICAL_KINDS:
        return start - timedelta(hours=lead_hours)
    return start


def on_time(huddle: Huddle, meeting: Meeting, lead_hours: int) -> bool:
    """Whether the huddle respected the charter's lead time."""
    return as_utc(huddle.held_at) <= due_by(meeting, lead_hours)


def _check_people(meeting: Meeting, data: HuddleIn) -> dict[int, User]:
    deal = meeting.opportunity
    allowed = {u.id: u for u in meeting.attendees}
    if deal.owner is not None:
        allowed.setdefault(deal.owner.id, deal.owner)
    for field, job in ROLE_FIELDS.items():
        user_id = getattr(data, field)
        if user_id is not None and user_id not in allowed:
            raise InvalidInput(
                f"the person who {job} must be one of the call's attendees from our side",
                field=field,
            )
    return allowed


def save_huddle(
    session: Session,
    *,
    actor: User | None,
    meeting: Meeting,
    data: HuddleIn,
    now: datetime | None = None,
) -> Huddle:
    """Record (or revise) the huddle of a major call before it takes place."""
    opportunities.require_opportunity_edit(actor, meeting.opportunity)
    if meeting.status is MeetingStatus.CANCELLED:
        raise InvalidState("the call was cancelled; there is nothing to prepare", field="status")
    if meeting.status is MeetingStatus.HELD:
        raise InvalidState(
            "the call already took place; write its debrief instead", field="meeting_id"
        )
    current = now or utcnow()
    held_at = as_utc(data.held_at) if data.held_at else current
    if held_at > as_utc(meeting.starts_at):
        raise InvalidInput("the huddle comes before the call, not after it", field="held_at")
    people = _check_people(meeting, data)
    applied = charter_for_deal(session, meeting.opportunity)
    commercial = people.get(data.commercial_owner_id or 0)
    if applied.charter.pricing_with_ae and commercial is not None and commercial.role is Role.SE:
        raise RuleViolation(
            f"the charter keeps pricing with the AE: {commercial.full_name} is an SE, so choose "
            "the AE (or a manager) for commercial questions",
            field="commercial_owner_id",
        )
    unknown = [key for key in data.checklist if key not in CHECKLIST]
    if unknown:
        raise InvalidInput(f"unknown checklist item {unknown[0]!r}", field="checklist")
    values = {
        "held_at": held_at,
        "duration_minutes": data.duration_minutes,
        "objective": data.objective,
        "call_to_action": data.call_to_action,
        "checklist": {key: key in data.checklist for key in CHECKLIST},
        "notes": data.notes,
        **{field: getattr(data, field) for field in ROLE_FIELDS},
    }
    huddle = meeting.huddle
    if huddle is None:
        huddle = Huddle(meeting_id=meeting.id, author_id=actor.id if actor else None, **values)
        session.add(huddle)
        session.flush()
        record_audit(
            session,
            actor=actor,
            action="huddle.recorded",
            entity_type="opportunity",
            entity_id=meeting.opportunity_id,
            summary=f"before “{meeting.title}”: {data.objective}",
        )
        meeting.huddle = huddle
        return huddle
    before = huddle_out(huddle).model_dump(mode="json")
    check_version(huddle.version, data.version, what="huddle", values=before)
    for name, value in values.items():
        setattr(huddle, name, value)
    session.flush()
    record_update(
        session,
        actor=actor,
        entity_type="huddle",
        entity_id=huddle.id,
        before=before,
        after=huddle_out(huddle).model_dump(mode="json"),
    )
    return huddle
