"""Engagement events: what each contact did, shaped by where its history went.

Events are drawn after a contact's lifecycle is known, so they tell the same story: leads that
go on to convert engage more and earlier (a burst of visits and a demo request or trial right
before marketing automation makes them MQLs), nurtured leads click emails, disqualified ones go
quiet. The shipped MQL automation is honoured both ways: every automated ``lead → mql`` move
happens at the event that lifted the score to the threshold (its reason says so, worded like the
scoring service), and while a contact sits at ``lead`` nothing lifts it there otherwise — an event
that would have becomes a mere page view, or is not drawn at all. Scores are computed with the
scoring rules' own arithmetic.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from techwin.demo.companies import ContactDraft
from techwin.demo.notes import DETAILS, HIGH_INTENT_PAGES, UNSUBSCRIBE_REASONS
from techwin.demo.records import Recorder, Row
from techwin.demo.scores import Scorer, profile
from techwin.demo.words import BACKWARD_REASONS
from techwin.pipeline import rules as pipeline_rules
from techwin.pipeline.enums import LifecycleStage as S
from techwin.scoring import rules as scoring_rules
from techwin.scoring.enums import EventKind as K

# The event a lead's source implies at creation (people-made sources imply none).
SOURCE_EVENTS: dict[str, K] = {
    "website": K.PAGE_VIEW,
    "content download": K.PAGE_VIEW,
    "demo request": K.DEMO_REQUEST,
    "free trial": K.TRIAL_SIGNUP,
    "webinar": K.WEBINAR_ATTENDED,
    "event": K.EVENT_ATTENDED,
}

# Which kinds of events a contact produces in each kind of stage, and how often.
MIX: dict[str, dict[K, float]] = {
    "lead": {
        K.PAGE_VIEW: 0.6,
        K.EMAIL_CLICK: 0.3,
        K.WEBINAR_ATTENDED: 0.07,
        K.EVENT_ATTENDED: 0.03,
    },
    "sales": {
        K.PAGE_VIEW: 0.45,
        K.EMAIL_CLICK: 0.2,
        K.WEBINAR_ATTENDED: 0.15,
        K.EVENT_ATTENDED: 0.07,
        K.TRIAL_SIGNUP: 0.07,
        K.DEMO_REQUEST: 0.06,
    },
    "nurture": {K.EMAIL_CLICK: 0.55, K.PAGE_VIEW: 0.35, K.WEBINAR_ATTENDED: 0.1},
    "customer": {K.PAGE_VIEW: 0.6, K.WEBINAR_ATTENDED: 0.25, K.EVENT_ATTENDED: 0.15},
}
SALES_STAGES = (S.MQL, S.SAL, S.SQL, S.OPPORTUNITY)
# Events per day while in a sales stage (the first 60 days of a stay count).
SALES_RATE = {S.MQL: 0.06, S.SAL: 0.09, S.SQL: 0.09, S.OPPORTUNITY: 0.05}
# The furthest stage reached → how much more such a contact engages over its life.
FURTHEST_BOOST = (1.0, 1.4, 1.7, 2.0, 2.2, 2.4)
BACKGROUND_EVENTS = 1.0  # mean background events of a typical lead
BACKGROUND_DAYS = 70.0  # interest fades: background events come this many days apart on average
# The event that lifts a lead to MQL, then what is added if the score is still short of it.
TIPPING: dict[K, float] = {
    K.DEMO_REQUEST: 0.4,
    K.TRIAL_SIGNUP: 0.25,
    K.WEBINAR_ATTENDED: 0.15,
    K.EVENT_ATTENDED: 0.05,
    K.EMAIL_CLICK: 0.15,
}
TOP_UPS = (
    K.DEMO_REQUEST,
    K.TRIAL_SIGNUP,
    K.WEBINAR_ATTENDED,
    K.WEBINAR_ATTENDED,
    K.EVENT_ATTENDED,
    K.EMAIL_CLICK,
    K.EMAIL_CLICK,
    K.PAGE_VIEW,
    K.PAGE_VIEW,
    K.PAGE_VIEW,
)
# Short half-lives first: what lifts a lead that will soon be sent back to ``lead`` again.
LIGHT_FIRST = (
    (K.EMAIL_CLICK,) * 4
    + (K.PAGE_VIEW,) * 8
    + (K.WEBINAR_ATTENDED,) * 3
    + (K.EVENT_ATTENDED,) * 2
    + (K.TRIAL_SIGNUP, K.DEMO_REQUEST)
)
DECAYED, RESCORED = BACKWARD_REASONS["mql>lead"]  # why an MQL goes back to lead
RARE = (K.DEMO_REQUEST, K.TRIAL_SIGNUP)  # a contact does these at most twice in its life


@dataclass(frozen=True)
class ScoringView:
    """The scoring rules and settings in force, as the demo applies them."""

    rules: list[scoring_rules.RuleSpec]
    threshold: float | None
    half_life_days: float


@dataclass
class _Event:
    at: datetime
    kind: K
    detail: str | None
    anchor: bool = False  # lifts the lead to MQL: never dropped
    loose: bool = False  # its kind is decided by the stage it falls in


@dataclass(frozen=True)
class _Span:
    start: datetime
    end: datetime
    stage: S
    leaving: Row | None  # the transition that ends the stay (None: still there)


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; a rounded normal for large means)."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


class Engagement:
    """Draws every contact's engagement events and the unsubscribes that follow some of them."""

    def __init__(
        self, rng: random.Random, recorder: Recorder, *, scoring: ScoringView, horizon: datetime
    ) -> None:
        self.rng = rng
        self.rec = recorder
        self.out = recorder.out
        self.scoring = scoring
        self.horizon = horizon
        self.scorer = Scorer(scoring.rules, scoring.half_life_days)
        self.engagement_rules = self.scorer.engagement_rules
        self.promotions = 0  # automated lead → mql moves whose score reached the threshold
        self._mixes = {
            name: (list(table), list(itertools.accumulate(table.values())))
            for name, table in MIX.items()
        }

    # -- scores ---------------------------------------------------------------------------------

    def _fit(self, facts: dict[str, Any]) -> float:
        """The fit part of the contact's score (it never changes: demo contacts are not edited)."""
        return self.scorer.fit(facts)

    def _score(self, fit: float, events: Sequence[_Event], at: datetime) -> float:
        """The contact's total score at ``at`` (events after it do not count yet).

        Only the engagement rules are evaluated again; the total adds up as the service's does.
        """
        engagement = scoring_rules.compute_score(
            self.engagement_rules,
            {},
            [(e.kind, e.at) for e in events if e.at <= at],
            now=at,
            default_half_life_days=self.scoring.half_life_days,
        ).engagement
        return round(fit + engagement, 1)

    def _ceiling(self, fit: float, events: Sequence[_Event]) -> float:
        """A quick upper bound of the score: every event's points undecayed, caps applied."""
        counts: dict[K, int] = {}
        for event in events:
            counts[event.kind] = counts.get(event.kind, 0) + 1
        total = fit
        for rule in self.engagement_rules:
            if rule.points <= 0 or rule.event_kind is None:
                continue
            points = counts.get(rule.event_kind, 0) * rule.points
            total += min(points, rule.max_points) if rule.max_points is not None else points
        return total

    def _would_promote(self, fit: float, events: Sequence[_Event], at: datetime) -> bool:
        threshold = self.scoring.threshold
        if threshold is None or self._ceiling(fit, events) < threshold:
            return False
        return self._score(fit, events, at) >= threshold

    # -- drawing --------------------------------------------------------------------------------

    def _detail(self, kind: K, *, intent: bool = False) -> str:
        if kind is K.PAGE_VIEW and intent and self.rng.random() < 0.6:
            return self.rng.choice(HIGH_INTENT_PAGES)
        return self.rng.choice(DETAILS[kind])

    def _kind(self, mix: str) -> K:
        kinds, cumulative = self._mixes[mix]
        return kinds[bisect.bisect(cumulative, self.rng.random() * cumulative[-1])]

    def _within(self, start: datetime, end: datetime) -> datetime:
        span = max(0.0, (end - start).total_seconds())
        return start + timedelta(seconds=int(span * self.rng.random()))

    def _candidates(self, draft: ContactDraft, spans: list[_Span], interest: float) -> list[_Event]:
        """Everything the contact might have done, before the MQL rule has its say."""
        rng = self.rng
        events: list[_Event] = []
        created = draft.created_at
        first = SOURCE_EVENTS.get(draft.source)
        if first is not None:
            events.append(_Event(created, first, self._detail(first)))
        for _ in range(poisson(rng, 0.6 * interest)):  # the first visit looks around
            at = created + timedelta(hours=rng.uniform(0, 48))
            events.append(_Event(at, K.PAGE_VIEW, self._detail(K.PAGE_VIEW)))
        for _ in range(poisson(rng, BACKGROUND_EVENTS * interest)):
            at = created + timedelta(days=rng.expovariate(1 / BACKGROUND_DAYS))
            events.append(_Event(at, K.PAGE_VIEW, None, loose=True))
        for span in spans:
            days = (span.end - span.start).total_seconds() / 86400
            if span.stage in SALES_STAGES:
                count = poisson(rng, SALES_RATE[span.stage] * min(days, 60.0) * interest)
                mix = "sales"
            elif span.stage is S.NURTURE:
                count = poisson(rng, min(days, 365.0) / 75 * 0.5 * interest)
                mix = "nurture"
            elif span.stage is S.CUSTOMER:
                count = poisson(rng, min(days, 365.0) * 0.01 * interest)
                mix = "customer"
            else:
                continue
            for _ in range(count):
                kind = self._kind(mix)
                events.append(_Event(self._within(span.start, span.end), kind, None))
            leaving = span.leaving
            if span.stage is S.NURTURE and leaving is not None and leaving["to_stage"] is S.MQL:
                # Re-engaged: a webinar and a few visits just before marketing picks them up.
                for kind in (K.WEBINAR_ATTENDED, K.PAGE_VIEW, K.PAGE_VIEW):
                    at = span.end - timedelta(days=rng.uniform(0.5, 6))
                    events.append(
                        _Event(max(at, span.start), kind, self._detail(kind, intent=True))
                    )
        return [e for e in events if e.at < self.horizon]

    def _stage_mix(self, stage: S) -> str | None:
        if stage in SALES_STAGES:
            return "sales"
        if stage is S.NURTURE:
            return "nurture"
        if stage is S.CUSTOMER:
            return "customer"
        if stage is S.LEAD:
            return "lead"
        return None

    def engage(self, draft: ContactDraft, transitions: Sequence[Row]) -> None:
        """Draw the contact's events, name the score that made it an MQL, maybe unsubscribe it."""
        rng = self.rng
        spans = [
            _Span(
                start=row["at"],
                end=following["at"] if following is not None else self.horizon,
                stage=row["to_stage"],
                leaving=following,
            )
            for row, following in zip(transitions, [*transitions[1:], None], strict=True)
        ]
        furthest = max(pipeline_rules.stage_rank(r["to_stage"]) or 0 for r in transitions)
        interest = rng.lognormvariate(0.0, 0.5) * FURTHEST_BOOST[furthest]
        candidates = sorted(self._candidates(draft, spans, interest), key=lambda e: e.at)
        fit = self._fit(profile(draft))
        kept: list[_Event] = []
        rare: dict[K, int] = {}
        position = 0
        for index, span in enumerate(spans):
            if span.stage is S.LEAD and index > 0:
                self._cool_down(fit, kept, span, spans[index - 1])
            mix = self._stage_mix(span.stage)
            inside: list[_Event] = []
            while position < len(candidates) and candidates[position].at < span.end:
                event = candidates[position]
                position += 1
                if mix is None and rng.random() > 0.15:
                    continue  # disqualified or churned: mostly silent
                if event.loose and mix is not None:
                    event.kind = self._kind(mix)
                if event.detail is None:
                    event.detail = self._detail(event.kind, intent=mix == "sales")
                if event.kind in RARE:
                    rare[event.kind] = rare.get(event.kind, 0) + 1
                    if rare[event.kind] > 2:
                        event.kind, event.detail = K.PAGE_VIEW, self._detail(K.PAGE_VIEW)
                inside.append(event)
            leaving = span.leaving
            promoted = (
                span.stage is S.LEAD
                and leaving is not None
                and leaving["to_stage"] is S.MQL
                and leaving["actor_id"] is None
            )
            if promoted:
                inside.extend(self._burst(span))
                inside.sort(key=lambda e: e.at)
            if span.stage is S.LEAD:
                for event in inside:
                    if self._would_promote(fit, [*kept, event], event.at):
                        # Automation would have made it an MQL here: it only looked around.
                        event.kind, event.detail = K.PAGE_VIEW, self._detail(K.PAGE_VIEW)
                        if self._would_promote(fit, [*kept, event], event.at):
                            continue
                    kept.append(event)
                if promoted and leaving is not None:
                    after = spans[index + 1].leaving if index + 1 < len(spans) else None
                    back_at = after["at"] if after and after["to_stage"] is S.LEAD else None
                    self._tip(fit, kept, span, leaving, back_at)
            else:
                kept.extend(inside)
        for event in kept:
            self.out.events.append(
                (self.rec.next_id("event"), draft.id, event.kind, event.at, event.detail, event.at)
            )
        self._maybe_unsubscribe(draft.id, kept)

    def _cool_down(self, fit: float, kept: list[_Event], span: _Span, previous: _Span) -> None:
        """Back at ``lead``: the score should be under the threshold again, so the last stay's
        latest events are dropped until it is. When even that is not enough (what made it an
        MQL days ago still counts), the move cannot have been the score decaying: marketing
        re-scored the lead by hand, and its reason says so."""
        while self._would_promote(fit, kept, span.start):
            removable = [i for i, e in enumerate(kept) if e.at >= previous.start and not e.anchor]
            if not removable:
                entering = previous.leaving
                if entering is not None and entering["reason"] == DECAYED:
                    entering["reason"] = RESCORED
                return
            del kept[removable[-1]]

    def _burst(self, span: _Span) -> list[_Event]:
        """The visits and clicks of the days before marketing automation picks the lead up."""
        rng = self.rng
        start = max(span.start, span.end - timedelta(days=rng.uniform(2, 10)))
        kinds = [K.PAGE_VIEW] * rng.randint(1, 3)
        if rng.random() < 0.5:
            kinds.append(K.EMAIL_CLICK)
        if rng.random() < 0.3:
            kinds.append(K.WEBINAR_ATTENDED)
        return [
            _Event(self._within(start, span.end), k, self._detail(k, intent=True)) for k in kinds
        ]

    def _tip(
        self,
        fit: float,
        kept: list[_Event],
        span: _Span,
        leaving: Row,
        back_at: datetime | None,
    ) -> None:
        """The event (or few) that lift the score to the threshold right at the MQL move.

        When the contact is sent back to ``lead`` at ``back_at``, its score must have decayed
        under the threshold by then: light touches (clicks, visits: short half-lives) are tried
        when a demo request or trial would still count too much.
        """
        threshold = self.scoring.threshold
        if threshold is None:
            return
        rng = self.rng
        used = [e.kind for e in kept if e.kind in RARE]
        first = rng.choices(list(TIPPING), weights=list(TIPPING.values()))[0]
        if first in RARE and used.count(first) >= 2:
            first = K.WEBINAR_ATTENDED
        chosen = self._lift(fit, kept, span.end, [first, *TOP_UPS], used)

        def score_with(kinds: list[K], at: datetime) -> float:
            return self._score(fit, [*kept, *(_Event(span.end, k, None) for k in kinds)], at)

        if back_at is not None and score_with(chosen, back_at) >= threshold:
            light = self._lift(fit, kept, span.end, LIGHT_FIRST, used)
            if score_with(light, span.end) >= threshold > score_with(light, back_at):
                chosen = light
        # In the order they add up, minutes apart: only the last lifts the score over the line.
        latest = kept[-1].at if kept else span.start
        for offset, kind in enumerate(chosen):
            moment = span.end - timedelta(minutes=3 * (len(chosen) - 1 - offset), seconds=1)
            kept.append(
                _Event(max(moment, latest, span.start), kind, self._detail(kind), anchor=True)
            )
        score = self._score(fit, kept, span.end)
        if score >= threshold:
            self.promotions += 1
            leaving["reason"] = f"score {score:g} reached the MQL threshold {threshold:g}"

    def _lift(
        self, fit: float, kept: list[_Event], at: datetime, kinds: Sequence[K], used: list[K]
    ) -> list[K]:
        """The shortest run of ``kinds`` that reaches the threshold at ``at`` (all of them when
        none does); a demo request or trial is skipped once the contact has made two."""
        threshold = self.scoring.threshold or 0.0
        chosen: list[K] = []
        for kind in kinds:
            if chosen and kind in RARE and used.count(kind) + chosen.count(kind) >= 2:
                continue
            chosen.append(kind)
            events = [*kept, *(_Event(at, k, None) for k in chosen)]
            if self._score(fit, events, at) >= threshold:
                break
        return chosen

    def _maybe_unsubscribe(self, contact_id: int, events: Sequence[_Event]) -> None:
        """A few people who get marketing email ask to hear nothing more, after their last click."""
        clicks = [e.at for e in events if e.kind is K.EMAIL_CLICK]
        if not clicks or self.rng.random() >= min(0.05, 0.008 + 0.004 * len(clicks)):
            return
        last = max(clicks)
        at = last + timedelta(days=self.rng.uniform(0.2, 12))
        if at >= self.horizon:
            at = last + (self.horizon - last) / 2
        reason = self.rng.choice(UNSUBSCRIBE_REASONS)
        self.out.unsubscribes.append({"contact_id": contact_id, "at": at, "reason": reason})
        self.rec.audit(
            at=at,
            actor=None,
            action="nurture.unsubscribe",
            entity_type="contact",
            entity_id=contact_id,
            summary="unsubscribed from all nurturing",
            reason=reason,
        )
