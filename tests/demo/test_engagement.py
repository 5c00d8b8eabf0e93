"""The demo's engagement, scores and nurturing: they tell the same story as the histories."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from techwin.core.time import as_utc, start_of_day
from techwin.demo import DemoSummary
from techwin.models import (
    AuditEvent,
    Contact,
    EngagementEvent,
    Enrollment,
    LeadScore,
    LifecycleTransition,
    Task,
    Unsubscribe,
    User,
)
from techwin.pipeline import rules as pipeline_rules
from techwin.pipeline.enums import LifecycleStage as S
from techwin.scoring import rules as scoring_rules
from techwin.scoring.enums import EventKind
from techwin.scoring.nurture.configuration import list_tiers
from techwin.scoring.nurture.enums import TaskStatus
from techwin.scoring.nurture.service import HOT_TASK
from techwin.scoring.service import list_rules, profile_of, scoring_settings
from tests.demo.conftest import TODAY

WINDOW = timedelta(days=14)  # the early window the predictive model looks at
HORIZON = timedelta(days=180)  # and the time a lead gets to reach SQL


def _events(session: Session) -> dict[int, list[tuple[EventKind, datetime]]]:
    found: dict[int, list[tuple[EventKind, datetime]]] = defaultdict(list)
    for contact_id, kind, at in session.execute(
        select(EngagementEvent.contact_id, EngagementEvent.kind, EngagementEvent.occurred_at)
    ):
        found[contact_id].append((kind, as_utc(at)))
    return found


def _reached_sql(session: Session) -> dict[int, datetime]:
    later = list(pipeline_rules.MAIN_LINE[pipeline_rules.stage_rank(S.SQL) or 0 :])
    reached: dict[int, datetime] = {}
    for t in session.scalars(
        select(LifecycleTransition).where(LifecycleTransition.to_stage.in_(later))
    ):
        at = as_utc(t.at)
        reached[t.contact_id] = min(at, reached.get(t.contact_id, at))
    return reached


def test_events_span_the_history_and_every_kind(session, demo: DemoSummary):
    events = _events(session)
    created = {c.id: as_utc(c.created_at) for c in session.scalars(select(Contact))}
    horizon = start_of_day(TODAY)
    kinds = {kind for rows in events.values() for kind, _ in rows}
    assert kinds == set(EventKind)
    total = sum(len(rows) for rows in events.values())
    assert total == demo.rows["engagement_event"]
    assert 3 <= total / len(created) <= 12  # a few touches per lead, not thousands
    for contact_id, rows in events.items():
        for _kind, at in rows:
            assert created[contact_id] <= at < horizon
    moments = sorted(at for rows in events.values() for _, at in rows)
    assert moments[-1] - moments[0] > timedelta(days=600)  # about two years of activity


def test_leads_that_convert_engaged_more_and_earlier(session, demo):
    """The signal the predictive model learns: early engagement goes with reaching SQL."""
    events = _events(session)
    reached = _reached_sql(session)
    cutoff = start_of_day(TODAY) - HORIZON
    early: dict[bool, list[int]] = {True: [], False: []}
    intent: dict[bool, list[bool]] = {True: [], False: []}
    for contact in session.scalars(select(Contact)):
        created = as_utc(contact.created_at)
        if created > cutoff:
            continue  # the outcome is not known yet
        at = reached.get(contact.id)
        converted = at is not None and at <= created + HORIZON
        until = min(created + WINDOW, at) if at is not None else created + WINDOW
        mine = [(k, t) for k, t in events.get(contact.id, []) if t < until]
        early[converted].append(len(mine))
        intent[converted].append(
            any(k in (EventKind.DEMO_REQUEST, EventKind.TRIAL_SIGNUP) for k, _ in mine)
        )
    assert len(early[True]) >= 10
    assert statistics.mean(early[True]) > 1.8 * statistics.mean(early[False])
    assert statistics.mean(intent[True]) > 1.5 * statistics.mean(intent[False])


Events = list[tuple[EventKind, datetime]]


def _scorer(session: Session) -> Callable[[Contact, Events, datetime], float]:
    """The total score of a contact at a moment, from the events up to it, as the service adds
    it up."""
    settings = scoring_settings(session)
    specs = [
        scoring_rules.RuleSpec(
            id=r.id,
            label=r.label,
            category=r.category,
            points=r.points,
            field=r.field,
            operator=r.operator,
            value=r.value,
            event_kind=r.event_kind,
            half_life_days=r.half_life_days,
            max_points=r.max_points,
        )
        for r in list_rules(session, active_only=True)
    ]

    def score(contact: Contact, events: Events, at: datetime) -> float:
        return scoring_rules.compute_score(
            specs,
            profile_of(contact),
            [(k, t) for k, t in events if t <= at],
            now=at,
            default_half_life_days=settings.default_half_life_days,
        ).total

    return score


def test_automated_mql_moves_are_the_score_reaching_the_threshold(session, demo):
    threshold = scoring_settings(session).mql_threshold
    assert threshold is not None
    score_at = _scorer(session)
    events = _events(session)
    contacts = {
        c.id: c for c in session.scalars(select(Contact).options(joinedload(Contact.account)))
    }
    moves = list(
        session.scalars(
            select(LifecycleTransition).where(
                LifecycleTransition.from_stage == S.LEAD,
                LifecycleTransition.to_stage == S.MQL,
            )
        )
    )
    assert moves
    explained = 0
    for move in moves:
        assert move.actor_id is None  # marketing automation
        if not (move.reason or "").startswith("score "):
            continue
        explained += 1
        contact = contacts[move.contact_id]
        at = as_utc(move.at)
        mine = events[move.contact_id]
        total = score_at(contact, mine, at)
        assert total >= threshold
        assert move.reason == f"score {total:g} reached the MQL threshold {threshold:g}"
        # The last event before the move tipped it: without it the score was under the line.
        tipped = max(t for _, t in mine if t <= at)
        assert at - tipped < timedelta(minutes=1)
        assert score_at(contact, [(k, t) for k, t in mine if t < tipped], tipped) < threshold
    assert explained >= 0.95 * len(moves)
    assert explained == demo.mql_by_score


def test_no_lead_ever_sat_over_the_mql_line_without_being_promoted(session, demo):
    """Marketing automation promotes a lead when an event lifts its score to the threshold, so
    whenever a lead engaged (bar the event that made it an MQL) it stayed under the line; so did
    a lead sent back because its score decayed, and every lead today."""
    threshold = scoring_settings(session).mql_threshold
    assert threshold is not None
    score_at = _scorer(session)
    events = _events(session)
    contacts = {
        c.id: c for c in session.scalars(select(Contact).options(joinedload(Contact.account)))
    }
    history: dict[int, list[LifecycleTransition]] = defaultdict(list)
    for t in session.scalars(
        select(LifecycleTransition).order_by(LifecycleTransition.at, LifecycleTransition.id)
    ):
        history[t.contact_id].append(t)
    horizon = start_of_day(TODAY)
    checked = 0
    for contact_id, rows in history.items():
        mine = events.get(contact_id, [])
        for row, following in zip(rows, [*rows[1:], None], strict=True):
            if row.to_stage is not S.LEAD:
                continue
            start = as_utc(row.at)
            end = as_utc(following.at) if following is not None else horizon
            if following is not None and (following.reason or "").startswith("score "):
                end = max(t for _, t in mine if t <= end)  # the event that tipped it
            moments = [t for _, t in mine if start <= t < end]
            if "fell below the MQL threshold" in (row.reason or ""):
                moments.append(start)
            if following is None:
                moments.append(horizon)
            for moment in moments:
                checked += 1
                assert score_at(contacts[contact_id], mine, moment) < threshold, contact_id
    assert checked > len(contacts)


def test_every_contact_has_a_score_whose_reasons_add_up(session, demo):
    scores = {s.contact_id: s for s in session.scalars(select(LeadScore))}
    contacts = {c.id: c for c in session.scalars(select(Contact))}
    assert set(scores) == set(contacts)
    horizon = start_of_day(TODAY)
    engaged = 0
    for score in scores.values():
        assert as_utc(score.computed_at) == horizon
        fit = round(sum(r["points"] for r in score.reasons if r["category"] == "fit"), 1)
        engagement = round(
            sum(r["points"] for r in score.reasons if r["category"] == "engagement"), 1
        )
        assert (score.fit, score.engagement) == (fit, engagement)
        assert score.total == round(fit + engagement, 1)
        engaged += engagement > 0
    assert engaged > len(scores) / 4
    # Scoring did not move anybody: leads stay leads, and none of them is over the MQL line.
    threshold = scoring_settings(session).mql_threshold
    assert threshold is not None
    leads = [c for c in contacts.values() if c.lifecycle_stage is S.LEAD]
    assert leads
    assert all(scores[c.id].total < threshold for c in leads)
    assert demo.contacts_by_stage["lead"] == len(leads)


def test_nurture_gave_owners_tasks_and_skipped_unsubscribed_and_disqualified(session, demo):
    contacts = {c.id: c for c in session.scalars(select(Contact))}
    users = {u.id: u for u in session.scalars(select(User))}
    unsubscribed = {u.contact_id: u for u in session.scalars(select(Unsubscribe))}
    assert unsubscribed
    tasks = list(session.scalars(select(Task)))
    enrollments = list(session.scalars(select(Enrollment)))
    assert tasks
    assert enrollments
    assert len(tasks) == demo.rows["task"]
    horizon = start_of_day(TODAY)
    for task in tasks:
        contact = contacts[task.contact_id or 0]
        assert task.owner_id == contact.owner_id
        assert users[task.owner_id or 0].role.value == "ae"
        assert task.status is TaskStatus.OPEN
        assert as_utc(task.created_at) == horizon
        assert as_utc(task.due_at) >= horizon
    for contact_id in [t.contact_id for t in tasks] + [e.contact_id for e in enrollments]:
        assert contact_id not in unsubscribed
        assert contacts[contact_id or 0].lifecycle_stage is not S.DISQUALIFIED
    # Hot leads got a call task, warm ones the welcome sequence: tiers come from their scores.
    scores = {s.contact_id: s.total for s in session.scalars(select(LeadScore))}
    tiers = {t.key: t for t, _ in list_tiers(session)}
    hot = [t for t in tasks if t.kind == HOT_TASK]
    assert hot
    assert all(scores[t.contact_id or 0] >= tiers["hot"].min_score for t in hot)
    assert all(
        tiers["warm"].min_score <= scores[e.contact_id] < tiers["hot"].min_score
        for e in enrollments
    )
    assert len({t.owner_id for t in tasks}) > 1
    assert demo.nurture["enrolled"] == len(enrollments)


def test_unsubscribes_follow_the_last_email_click_and_are_audited(session, demo):
    events = _events(session)
    unsubscribes = list(session.scalars(select(Unsubscribe)))
    assert len(unsubscribes) == demo.rows["nurture_unsubscribe"]
    assert len(unsubscribes) < demo.rows["contact"] * 0.05  # a few, not a wave
    for unsubscribe in unsubscribes:
        clicks = [t for k, t in events[unsubscribe.contact_id] if k is EventKind.EMAIL_CLICK]
        assert clicks
        assert max(clicks) < as_utc(unsubscribe.at) < start_of_day(TODAY)
    audits = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "nurture.unsubscribe")
    ).all()
    assert sorted(a.entity_id for a in audits) == sorted(u.contact_id for u in unsubscribes)
