"""Reminders (pure): a huddle missing before a major call, a debrief owed after one; and the
per-pod discipline those records feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from techwin.collaboration import reminders
from techwin.collaboration.enums import MeetingKind, MeetingStatus
from techwin.collaboration.reminders import MeetingFacts

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _call(hours, **kwargs):
    data = {
        "meeting_id": 1,
        "opportunity_id": 7,
        "title": "Custom demo",
        "kind": MeetingKind.CUSTOM_DEMO,
        "starts_at": NOW + timedelta(hours=hours),
        "duration_minutes": 60,
        "is_major": True,
        "status": MeetingStatus.PLANNED,
        "has_huddle": False,
        "has_debrief": False,
    }
    data.update(kwargs)
    return MeetingFacts(**data)


def _kinds(calls, lead=24):
    return [(r.kind, r.overdue) for r in reminders.reminders(calls, now=NOW, lead_hours=lead)]


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (100, []),  # too far ahead to nag
        (40, [("huddle_missing", False)]),  # due in 16 h
        (20, [("huddle_missing", True)]),  # less than 24 h left: the prep call is late
    ],
)
def test_a_huddle_is_missing_before_a_technical_presentation(hours, expected):
    assert _kinds([_call(hours)]) == expected


def test_the_lead_time_comes_from_the_charter():
    assert _kinds([_call(40)], lead=48) == [("huddle_missing", True)]
    assert _kinds([_call(40)], lead=4) == []  # due in 36 h: not yet worth a reminder
    assert _kinds([_call(26)], lead=4) == [("huddle_missing", False)]


def test_a_non_technical_major_call_needs_its_huddle_just_before():
    briefing = _call(20, kind=MeetingKind.EXECUTIVE_BRIEFING)
    [reminder] = reminders.reminders([briefing], now=NOW, lead_hours=24)
    assert reminder.due_at == briefing.starts_at
    assert not reminder.overdue


def test_nothing_is_owed_on_minor_cancelled_or_prepared_calls():
    assert _kinds([_call(20, is_major=False)]) == []
    assert _kinds([_call(20, status=MeetingStatus.CANCELLED)]) == []
    assert _kinds([_call(20, has_huddle=True)]) == []
    assert _kinds([_call(-5, is_major=False)]) == []


def test_a_debrief_is_owed_once_the_call_is_over_and_late_after_a_day():
    assert _kinds([_call(-0.5)]) == []  # still running
    assert _kinds([_call(-2)]) == [("debrief_owed", False)]
    assert _kinds([_call(-30)]) == [("debrief_owed", True)]
    assert _kinds([_call(-30, has_debrief=True)]) == []


def test_a_call_marked_held_early_owes_its_debrief_at_once():
    held = _call(50, status=MeetingStatus.HELD, has_huddle=True)
    assert _kinds([held]) == [("debrief_owed", False)]


def test_reminders_come_most_urgent_first():
    calls = [_call(40, meeting_id=1), _call(-30, meeting_id=2), _call(-2, meeting_id=3)]
    assert [r.meeting_id for r in reminders.reminders(calls, now=NOW, lead_hours=24)] == [2, 1, 3]


def test_discipline_counts_major_calls_with_huddles_and_debriefs_per_pod(session, org):
    from techwin.collaboration import debriefs, huddles
    from techwin.collaboration.schemas import DebriefIn, HuddleIn
    from techwin.core.time import utcnow
    from tests import factories

    now = utcnow()
    done = factories.meeting(session, actor=org.ae, deal=org.deal, hours_from_now=50)
    huddles.save_huddle(
        session,
        actor=org.ae,
        meeting=done,
        data=HuddleIn(objective="Show the audit trail", call_to_action="Book the POC"),
    )
    done.starts_at = now - timedelta(hours=3)
    session.flush()
    debriefs.save_debrief(session, actor=org.ae, meeting=done, data=DebriefIn(pain_uncovered="yes"))
    factories.meeting(session, actor=org.ae, deal=org.deal, hours_from_now=-5)
    factories.meeting(session, actor=org.ae, deal=org.deal, hours_from_now=-5, is_major=False)
    factories.meeting(session, actor=org.ae, deal=org.deal, hours_from_now=30)  # not yet held
    rows = reminders.discipline(session, start=now - timedelta(days=7), end=now + timedelta(days=7))
    pod = next(d for d in rows if d.pod_id == org.pod.id)
    assert (pod.major_calls, pod.with_huddle, pod.with_debrief) == (2, 1, 1)
    assert pod.huddle_rate == 0.5
    assert pod.debrief_rate == 0.5


def test_call_tallies_add_up_with_their_rates():
    from techwin.collaboration.reminders import CallTally, Discipline

    total = CallTally.total(
        [
            Discipline(major_calls=3, with_huddle=2, with_debrief=1, pod_id=1, pod_name="A"),
            Discipline(major_calls=1, with_huddle=1, with_debrief=1, pod_id=2, pod_name="B"),
        ]
    )
    assert (total.major_calls, total.with_huddle, total.with_debrief) == (4, 3, 2)
    assert total.huddle_rate == 0.75
    assert total.debrief_rate == 0.5
    assert total.debriefs_owed == 2
    empty = CallTally.total([])
    assert (empty.major_calls, empty.huddle_rate, empty.debriefs_owed) == (0, None, 0)
