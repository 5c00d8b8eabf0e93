"""Calls, huddles and debriefs through the services, and their calendar export."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from techwin.collaboration import debriefs, huddles, ics, meetings
from techwin.collaboration.enums import MeetingStatus
from techwin.collaboration.models import Debrief, Huddle
from techwin.collaboration.schemas import DebriefIn, HeldIn, HuddleIn, MeetingPatch
from techwin.core.time import utcnow
from techwin.errors import Conflict, InvalidInput, InvalidState, PermissionDenied, RuleViolation
from techwin.pipeline import opportunities
from techwin.qualification import assessments
from tests import factories

HUDDLE = {"objective": "Show SSO on their IdP", "call_to_action": "Agree the POC"}


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_a_debrief_for_a_call_that_has_not_happened_is_refused_and_nothing_changes(session, org):
    meeting = factories.meeting(session, actor=org.ae, deal=org.deal, hours_from_now=30)
    data = DebriefIn(
        pain_uncovered="yes",
        next_step="POC",
        ratings=[{"framework": "meddpicc", "element": "identify_pain", "score": 2}],
    )
    with pytest.raises(InvalidState) as caught:
        debriefs.save_debrief(session, actor=org.ae, meeting=meeting, data=data)
    assert caught.value.field == "meeting_id"
    assert "has not happened yet" in caught.value.message
    assert _count(session, Debrief) == 0
    assert opportunities.get_opportunity(session, org.deal.id).next_step is None
    assert meeting.status is MeetingStatus.PLANNED


def test_a_debrief_rates_qualification_and_sets_the_next_step(session, org):
    meeting = factories.meeting(session, actor=org.ae, deal=org.deal, hours_from_now=-2)
    day = (utcnow() + timedelta(days=7)).date()
    debrief = debriefs.save_debrief(
        session,
        actor=org.ae,
        meeting=meeting,
        data=DebriefIn(
            what_we_missed="Data residency",
            pain_uncovered="partly",
            next_step_secured=True,
            next_step="Technical deep dive",
            next_step_date=day,
            ratings=[
                {"framework": "meddpicc", "element": "identify_pain", "score": 2},
                {"framework": "bant", "element": "budget", "score": 1},
            ],
        ),
    )
    assert debrief.id is not None
    assert meeting.status is MeetingStatus.HELD  # a past call debriefed is a held call
    deal = opportunities.get_opportunity(session, org.deal.id)
    assert (deal.next_step, deal.next_step_due) == ("Technical deep dive", day)
    from techwin.pipeline.enums import GateSubject

    view = assessments.view_assessment(
        session, subject=GateSubject.OPPORTUNITY, subject_id=deal.id, framework_key="meddpicc"
    )
    assert next(e for e in view.elements if e.key == "identify_pain").score == 2


def test_a_bad_rating_in_a_debrief_names_it_and_stores_nothing(session, org):
    meeting = factories.meeting(session, actor=org.ae, deal=org.deal, hours_from_now=-2)
    data = DebriefIn(
        pain_uncovered="yes",
        ratings=[{"framework": "meddpicc", "element": "vibes", "score": 2}],
    )
    with session.begin_nested(), pytest.raises(InvalidInput) as caught:
        debriefs.save_debrief(session, actor=org.ae, meeting=meeting, data=data)
    assert caught.value.field == "ratings.0.element"
    assert _count(session, Debrief) == 0


def test_debrief_validation(session, org):
    with pytest.raises(ValueError, match="say which next step was secured"):
        DebriefIn(pain_uncovered="yes", next_step_secured=True)
    meeting = factories.meeting(session, actor=org.ae, deal=org.deal, hours_from_now=-2)
    with pytest.raises(InvalidInput) as caught:
        debriefs.save_debrief(
            session,
            actor=org.ae,
            meeting=meeting,
            data=DebriefIn(pain_uncovered="no", next_step="Call", next_step_date=date_days(-30)),
        )
    assert caught.value.field == "next_step_date"


def date_days(days):
    return (utcnow() + timedelta(days=days)).date()


def test_the_huddle_keeps_pricing_with_the_ae_and_comes_before_the_call(session, org):
    meeting = factories.meeting(
        session, actor=org.ae, deal=org.deal, hours_from_now=48, attendee_ids=[org.se.id]
    )
    with pytest.raises(RuleViolation) as caught:
        huddles.save_huddle(
            session,
            actor=org.ae,
            meeting=meeting,
            data=HuddleIn(**HUDDLE, commercial_owner_id=org.se.id),
        )
    assert caught.value.field == "commercial_owner_id"
    with pytest.raises(InvalidInput) as outsider:
        huddles.save_huddle(
            session,
            actor=org.ae,
            meeting=meeting,
            data=HuddleIn(**HUDDLE, driver_id=org.other_se.id),
        )
    assert outsider.value.field == "driver_id"
    with pytest.raises(InvalidInput) as after:
        huddles.save_huddle(
            session,
            actor=org.ae,
            meeting=meeting,
            data=HuddleIn(**HUDDLE, held_at=utcnow() + timedelta(hours=60)),
        )
    assert after.value.field == "held_at"
    with pytest.raises(InvalidInput) as unknown:
        huddles.save_huddle(
            session, actor=org.ae, meeting=meeting, data=HuddleIn(**HUDDLE, checklist=["vibes"])
        )
    assert unknown.value.field == "checklist"
    assert _count(session, Huddle) == 0
    huddle = huddles.save_huddle(
        session,
        actor=org.ae,
        meeting=meeting,
        data=HuddleIn(
            **HUDDLE,
            commercial_owner_id=org.ae.id,
            screen_sharer_id=org.se.id,
            checklist=["prospect_researched"],
        ),
    )
    assert huddle.checklist["prospect_researched"] is True
    assert huddle.checklist["opener_agreed"] is False
    assert huddles.on_time(huddle, meeting, 24)
    with pytest.raises(Conflict):
        huddles.save_huddle(
            session, actor=org.ae, meeting=meeting, data=HuddleIn(**HUDDLE, version=0)
        )


def test_a_late_huddle_is_recorded_but_not_on_time(session, org):
    meeting = factories.meeting(session, actor=org.ae, deal=org.deal, hours_from_now=3)
    huddle = huddles.save_huddle(session, actor=org.ae, meeting=meeting, data=HuddleIn(**HUDDLE))
    assert not huddles.on_time(huddle, meeting, 24)


def test_holding_cancelling_and_permissions(session, org):
    meeting = factories.meeting(session, actor=org.ae, deal=org.deal, hours_from_now=10)
    with pytest.raises(PermissionDenied):
        meetings.hold_meeting(session, actor=org.other_ae, meeting=meeting, data=HeldIn())
    with pytest.raises(InvalidInput) as future:
        meetings.hold_meeting(
            session, actor=org.ae, meeting=meeting, data=HeldIn(held_at=utcnow() + timedelta(1))
        )
    assert future.value.field == "held_at"
    with pytest.raises(InvalidInput, match="cannot have taken place before") as early:
        meetings.hold_meeting(session, actor=org.ae, meeting=meeting, data=HeldIn())
    assert early.value.field == "held_at"
    assert meeting.status is MeetingStatus.PLANNED
    meeting.starts_at = utcnow() - timedelta(hours=2)  # the call's time comes
    held = meetings.hold_meeting(session, actor=org.ae, meeting=meeting, data=HeldIn())
    assert held.held_at == meeting.starts_at  # when it was planned, not when it was clicked
    with pytest.raises(InvalidState):
        meetings.hold_meeting(session, actor=org.ae, meeting=meeting, data=HeldIn())
    with pytest.raises(InvalidState):
        huddles.save_huddle(session, actor=org.ae, meeting=meeting, data=HuddleIn(**HUDDLE))
    other = factories.meeting(session, actor=org.ae, deal=org.deal, hours_from_now=10)
    meetings.cancel_meeting(session, actor=org.ae, meeting=other)
    with pytest.raises(InvalidState):
        debriefs.save_debrief(
            session, actor=org.ae, meeting=other, data=DebriefIn(pain_uncovered="no")
        )
    with pytest.raises(InvalidState):
        meetings.update_meeting(
            session, actor=org.ae, meeting=other, data=MeetingPatch(title="Again")
        )


def test_a_call_for_a_request_needs_an_assigned_se(session, org):
    request = factories.se_request(session, actor=org.ae, deal=org.deal, kind="standard_demo")
    with pytest.raises(InvalidState) as caught:
        factories.meeting(session, actor=org.ae, deal=org.deal, request_id=request.id)
    assert caught.value.field == "request_id"


def test_moving_a_call_bumps_its_version_and_refuses_stale_edits(session, org):
    meeting = factories.meeting(session, actor=org.ae, deal=org.deal)
    version = meeting.version
    moved = meetings.update_meeting(
        session,
        actor=org.ae,
        meeting=meeting,
        data=MeetingPatch(starts_at=utcnow() + timedelta(days=5), version=version),
    )
    assert moved.version == version + 1
    with pytest.raises(Conflict):
        meetings.update_meeting(
            session, actor=org.ae, meeting=moved, data=MeetingPatch(title="x", version=version)
        )


def test_the_calendar_file_escapes_folds_and_lists_people(session, org):
    meeting = factories.meeting(
        session,
        actor=org.ae,
        deal=org.deal,
        title="Demo; SSO, audit trail",
        agenda="Line one\nLine two, with a comma",
        attendee_ids=[org.se.id],
    )
    text = meetings.calendar_of([meeting], stamp=datetime(2026, 11, 23, tzinfo=UTC))
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "SUMMARY:Demo\\; SSO\\, audit trail" in text
    assert f"UID:meeting-{meeting.id}@techwin" in text
    assert "DTSTAMP:20261123T000000Z" in text
    unfolded = text.replace("\r\n ", "")
    assert "Line one\\nLine two\\, with a comma" in unfolded
    assert f"mailto:{org.se.email}" in unfolded
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_fold_keeps_multibyte_characters_whole():
    line = "DESCRIPTION:" + "é" * 80
    folded = ics.fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def test_holding_a_call_touches_the_stakeholders_who_were_on_it(session, org):
    on_call = factories.stakeholder(session, actor=org.ae, deal=org.deal, role="champion")
    absent = factories.stakeholder(session, actor=org.ae, deal=org.deal, role="economic_buyer")
    before = utcnow() - timedelta(days=5)
    on_call.last_touch_at = absent.last_touch_at = before
    session.flush()
    meeting = factories.meeting(
        session,
        actor=org.ae,
        deal=org.deal,
        hours_from_now=-26,
        contact_ids=[on_call.contact_id],
    )
    held = meetings.hold_meeting(session, actor=org.ae, meeting=meeting, data=HeldIn())
    session.refresh(on_call)
    session.refresh(absent)
    assert on_call.last_touch_at == held.held_at
    assert absent.last_touch_at == before
