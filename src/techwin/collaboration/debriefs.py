"""The debrief after a call: what we missed, whether the real pain came out, the next step.
It can update the deal's qualification ratings and next step in the same stroke."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from techwin.auth.audit import record_audit, record_update
from techwin.auth.models import User
from techwin.collaboration.enums import PAIN_LABELS, MeetingStatus
from techwin.collaboration.meetings import has_happened
from techwin.collaboration.models import Debrief, Meeting
from techwin.collaboration.requests import finish_by_meeting, get_request
from techwin.collaboration.schemas import DebriefIn, DebriefOut
from techwin.core.concurrency import check_version
from techwin.core.time import as_utc, utcnow
from techwin.errors import InvalidInput, InvalidState, TechwinError
from techwin.pipeline import opportunities
from techwin.pipeline.enums import GateSubject
from techwin.pipeline.schemas import OpportunityPatch
from techwin.qualification import assessments


def debrief_out(debrief: Debrief) -> DebriefOut:
    """The API shape of a debrief."""
    return DebriefOut.model_validate(debrief)


def _apply_ratings(
    session: Session, *, actor: User | None, meeting: Meeting, data: DebriefIn
) -> int:
    for index, rating in enumerate(data.ratings):
        try:
            assessments.rate(
                session,
                actor=actor,
                subject=GateSubject.OPPORTUNITY,
                subject_id=meeting.opportunity_id,
                framework_key=rating.framework,
                element=rating.element,
                score=rating.score,
                evidence=rating.evidence,
            )
        except TechwinError as exc:
            if exc.status in (401, 403):
                raise
            raise InvalidInput(
                f"rating {index + 1}: {exc.message}", field=f"ratings.{index}.{exc.field}"
            ) from exc
    return len(data.ratings)


def save_debrief(
    session: Session,
    *,
    actor: User | None,
    meeting: Meeting,
    data: DebriefIn,
    now: datetime | None = None,
) -> Debrief:
    """Write (or revise) the debrief of a call that has happened; optionally rate elements of
    the deal's qualification and set its next step."""
    deal = meeting.opportunity
    opportunities.require_opportunity_edit(actor, deal)
    current = now or utcnow()
    if meeting.status is MeetingStatus.CANCELLED:
        raise InvalidState(
            "the call was cancelled; there is nothing to debrief", field="meeting_id"
        )
    if not has_happened(meeting, current):
        raise InvalidState(
            f"the call has not happened yet (it starts {as_utc(meeting.starts_at):%Y-%m-%d %H:%M}"
            " UTC); write the debrief once it has taken place",
            field="meeting_id",
        )
    if data.next_step_date is not None and data.next_step_date < as_utc(meeting.starts_at).date():
        raise InvalidInput(
            "the next step cannot come before the call itself", field="next_step_date"
        )
    if data.next_step_date is not None and not data.next_step:
        raise InvalidInput("say what the next step is", field="next_step")
    existing = meeting.debrief
    if existing is not None:
        before = debrief_out(existing).model_dump(mode="json")
        check_version(existing.version, data.version, what="debrief", values=before)
    rated = _apply_ratings(session, actor=actor, meeting=meeting, data=data)
    if (
        data.update_deal_next_step
        and data.next_step
        and (data.next_step, data.next_step_date) != (deal.next_step, deal.next_step_due)
    ):
        patch = OpportunityPatch(next_step=data.next_step, next_step_due=data.next_step_date)
        opportunities.update_opportunity(session, actor=actor, opportunity=deal, data=patch)
    if meeting.status is MeetingStatus.PLANNED:
        meeting.status = MeetingStatus.HELD
        meeting.held_at = as_utc(meeting.starts_at)
    values = {
        "what_we_missed": data.what_we_missed,
        "pain_uncovered": data.pain_uncovered,
        "next_step_secured": data.next_step_secured,
        "next_step": data.next_step,
        "next_step_date": data.next_step_date,
        "notes": data.notes,
    }
    if existing is None:
        debrief = Debrief(meeting_id=meeting.id, author_id=actor.id if actor else None, **values)
        session.add(debrief)
        session.flush()
        meeting.debrief = debrief
        extra = f"; {rated} rating{'s' if rated != 1 else ''} updated" if rated else ""
        record_audit(
            session,
            actor=actor,
            action="debrief.written",
            entity_type="opportunity",
            entity_id=deal.id,
            summary=f"after “{meeting.title}”: pain uncovered "
            f"{PAIN_LABELS[data.pain_uncovered].lower()}, next step "
            f"{'secured' if data.next_step_secured else 'not secured'}{extra}",
        )
    else:
        debrief = existing
        for name, value in values.items():
            setattr(debrief, name, value)
        session.flush()
        record_update(
            session,
            actor=actor,
            entity_type="debrief",
            entity_id=debrief.id,
            before=before,
            after=debrief_out(debrief).model_dump(mode="json"),
        )
    if meeting.request_id is not None:
        finish_by_meeting(session, actor=actor, request=get_request(session, meeting.request_id))
    return debrief
