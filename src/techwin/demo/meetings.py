"""Calls on deals, with the huddle before a major call and the debrief after it.

Discipline is human: each pod huddles before most of its major calls and debriefs a bit less
often, some pods better than others. Calls planned for the coming days may have no huddle yet
(the reminder fires); a call that has just taken place may still owe its debrief.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from techwin.collaboration.enums import (
    MAJOR_KINDS,
    MEETING_KIND_LABELS,
    TECHNICAL_KINDS,
    MeetingKind,
    MeetingStatus,
    PainUncovered,
)
from techwin.collaboration.huddles import CHECKLIST
from techwin.core.time import start_of_day
from techwin.demo.box_rows import Sink
from techwin.demo.buyers import Mapped, outcome
from techwin.demo.collab_words import (
    AGENDAS,
    CALLS_TO_ACTION,
    DEBRIEF_NEXT_STEPS,
    DEBRIEF_NOTES,
    HUDDLE_NOTES,
    HUDDLE_OBJECTIVES,
    LOCATIONS,
    MEETING_MINUTES,
    MEETING_TITLES,
    MISSED,
)
from techwin.demo.deal_view import DealView
from techwin.demo.evaluations import PocPlan
from techwin.demo.pods import BoxOrg
from techwin.evaluation.enums import PocOutcome

UNRECORDED_FOR = timedelta(days=21)  # how long a held call may go unrecorded
K = MeetingKind
READ_OUT = (PocOutcome.PASSED, PocOutcome.PARTIAL, PocOutcome.FAILED)
# Stage → calls held there without a request: (kind, chance).
SPAN_CALLS: dict[str, tuple[tuple[MeetingKind, float], ...]] = {
    "discovery": ((K.OTHER, 0.08),),
    "technical_validation": ((K.TECHNICAL_DEEP_DIVE, 0.25), (K.OTHER, 0.05)),
    "proof_of_concept": ((K.OTHER, 0.15),),
    "proposal": ((K.EXECUTIVE_BRIEFING, 0.3),),
    "negotiation": ((K.EXECUTIVE_BRIEFING, 0.12), (K.OTHER, 0.06)),
}
# The open stage → the next call an open deal may have in the coming days.
NEXT_CALLS: dict[str, tuple[MeetingKind, ...]] = {
    "discovery": (K.DISCOVERY_CALL, K.OTHER),
    "technical_validation": (K.TECHNICAL_DEEP_DIVE, K.DEMO, K.WORKSHOP),
    "proof_of_concept": (K.POC_READOUT, K.TECHNICAL_DEEP_DIVE, K.OTHER),
    "proposal": (K.EXECUTIVE_BRIEFING, K.SECURITY_REVIEW),
    "negotiation": (K.EXECUTIVE_BRIEFING, K.OTHER),
}
LEAD = timedelta(hours=24)  # the charters' prep-call lead time before a technical presentation
PAIN = {
    "won": (60, 30, 10),
    "open": (45, 40, 15),
    "lost": (28, 40, 32),
}  # yes, partly, no
SECURED = {"won": 0.78, "open": 0.62, "lost": 0.4}


@dataclass
class Call:
    """A call on a deal before it is written, and what became of it."""

    deal: DealView
    kind: MeetingKind
    starts_at: datetime
    planned_at: datetime
    owner_id: int
    attendees: list[int]
    request_id: int | None = None
    title: str = ""
    minutes: int = 60
    cancelled_at: datetime | None = None
    recorded_at: datetime | None = None  # when it was marked held (or debriefed)
    debriefed: bool = False
    huddle_at: datetime | None = None
    dropped: bool = False  # never planned after all (its request stopped before)

    @property
    def is_major(self) -> bool:
        """A call that deserves a huddle and a debrief."""
        return self.kind in MAJOR_KINDS


def business_hours(rng: random.Random, moment: datetime) -> datetime:
    """``moment``'s day at a plausible meeting time (08:00–16:45 UTC, on the quarter)."""
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return day + timedelta(hours=rng.randint(8, 16), minutes=15 * rng.randint(0, 3))


class CallBook:
    """Decides what happened around each call and writes it."""

    def __init__(self, rng: random.Random, sink: Sink, org: BoxOrg, *, horizon: datetime) -> None:
        self.rng = rng
        self.sink = sink
        self.org = org
        self.horizon = horizon

    def call(
        self,
        deal: DealView,
        kind: MeetingKind,
        starts_at: datetime,
        planned_at: datetime,
        *,
        engineer: int,
        request_id: int | None = None,
    ) -> Call:
        """A call planned at ``planned_at`` (never after it starts), with its people and title."""
        rng = self.rng
        people = [deal.owner_id, engineer]
        others = [e for e in deal.engineers if e != engineer]
        if others and rng.random() < 0.3:
            people.append(others[0])
        manager = self.org.manager_of(deal.owner_id)
        if kind is MeetingKind.EXECUTIVE_BRIEFING and manager is not None:
            people.append(manager)
        owner = engineer if request_id is not None and rng.random() < 0.3 else deal.owner_id
        template = rng.choice(MEETING_TITLES[kind])
        title = template.format(use=deal.use_case.lower(), account=deal.account_name)
        return Call(
            deal=deal,
            kind=kind,
            starts_at=starts_at,
            planned_at=max(deal.created_at, min(planned_at, starts_at - timedelta(minutes=30))),
            owner_id=owner,
            attendees=people,
            request_id=request_id,
            title=title[:200],
            minutes=rng.choice(MEETING_MINUTES[kind]),
        )

    def settle(
        self,
        call: Call,
        *,
        recorded: datetime | None = None,
        draw: bool = True,
        limit: datetime | None = None,
    ) -> datetime | None:
        """Decide the huddle and the debrief; return when the call was recorded as held, or
        ``None`` when it was not (still ahead, cancelled, or nobody marked it).

        ``recorded`` is when its request says it was; without one, a moment after the call
        (before ``limit``) is drawn, unless ``draw`` is off (the call has not been recorded).
        """
        rng = self.rng
        horizon = self.horizon
        pod = self.org.pods.get(call.deal.owner_id)
        huddles, debriefs = (pod.huddle_rate, pod.debrief_rate) if pod else (0.75, 0.68)
        start = call.starts_at
        stop = call.cancelled_at or start
        if call.is_major and rng.random() < huddles:
            lead = LEAD if call.kind in TECHNICAL_KINDS else timedelta(0)
            ahead = rng.uniform(0.5, 30) if rng.random() < 0.78 else -rng.uniform(1, 20)
            at = start - lead - timedelta(hours=ahead)
            at = min(max(at, call.planned_at + timedelta(minutes=10)), start, stop)
            call.huddle_at = at if at <= horizon else None
        if call.cancelled_at is not None:
            return None
        if recorded is None:
            if not draw:
                return None
            ended = start + timedelta(minutes=call.minutes)
            recorded = ended + timedelta(hours=rng.uniform(0.3, 20))
            if limit is not None:
                recorded = min(recorded, max(ended, limit))
        if recorded > horizon:
            return None
        if call.is_major and rng.random() < debriefs + (0.08 if call.huddle_at else -0.12):
            call.debriefed = True
        elif call.deal.is_open and horizon - start < UNRECORDED_FOR and rng.random() < 0.35:
            # Took place, but nobody recorded it yet: the debrief is owed. Reminders get a call
            # recorded within a few weeks, so only recent calls are left in that state.
            return None
        call.recorded_at = recorded
        return recorded

    def extras(self, deal: DealView, poc: PocPlan | None) -> list[Call]:
        """Calls no request asked for, settled: the POC read-out, deep dives, sponsor meetings,
        check-ins, and on open deals the next call in the coming days."""
        rng, horizon = self.rng, self.horizon
        engineer = deal.engineers[0]
        limit = deal.closed_at
        calls: list[Call] = []
        if poc is not None and poc.concluded_on is not None and poc.outcome in READ_OUT:
            starts = business_hours(rng, start_of_day(poc.concluded_on))
            end = deal.end(horizon)
            starts = min(starts, end - timedelta(minutes=90))
            planned = max(poc.created_at, starts - timedelta(days=rng.uniform(3, 10)))
            calls.append(self.call(deal, K.POC_READOUT, starts, planned, engineer=engineer))
        for span in deal.spans:
            for kind, chance in SPAN_CALLS.get(span.key, ()):
                if rng.random() >= chance:
                    continue
                moment = span.start + (span.end - span.start) * rng.uniform(0.2, 0.9)
                starts = business_hours(rng, moment)
                if not span.start <= starts <= span.end:
                    starts = moment
                planned = starts - timedelta(days=rng.uniform(1, 8))
                calls.append(self.call(deal, kind, starts, planned, engineer=engineer))
        if deal.is_open and rng.random() < 0.35:
            kind = rng.choice(NEXT_CALLS.get(deal.stage_key, (MeetingKind.OTHER,)))
            starts = business_hours(rng, horizon + timedelta(days=rng.randint(0, 8)))
            planned = horizon - timedelta(days=rng.uniform(0.2, 6))
            calls.append(self.call(deal, kind, starts, planned, engineer=engineer))
        for call in calls:
            self.settle(call, limit=limit)
        return calls

    def write(self, call: Call, mapped: list[Mapped]) -> None:
        """The meeting, its people and contacts, its huddle and its debrief."""
        rng, sink = self.rng, self.sink
        meeting_id = sink.take("meeting")
        held = call.recorded_at is not None
        status = (
            MeetingStatus.CANCELLED
            if call.cancelled_at
            else MeetingStatus.HELD
            if held
            else MeetingStatus.PLANNED
        )
        changed = call.cancelled_at or call.recorded_at or call.planned_at
        sink.add(
            "meeting",
            {
                "id": meeting_id,
                "opportunity_id": call.deal.id,
                "request_id": call.request_id,
                "kind": call.kind,
                "title": call.title,
                "starts_at": call.starts_at,
                "duration_minutes": call.minutes,
                "location": rng.choice(LOCATIONS),
                "is_major": call.is_major,
                "status": status,
                "held_at": call.starts_at if held else None,
                "owner_id": call.owner_id,
                "agenda": rng.choice(AGENDAS) if rng.random() < 0.4 else None,
                "created_at": call.planned_at,
                "updated_at": changed,
                "version": 1 if changed == call.planned_at else 2,
            },
        )
        for user_id in dict.fromkeys(call.attendees):
            sink.record("meeting_attendee", (meeting_id, user_id))
        present = [m for m in mapped if m.since <= call.starts_at]
        for person in rng.sample(present, k=min(len(present), rng.choice((1, 1, 2, 3)))):
            sink.record("meeting_contact", (meeting_id, person.person.id))
        if call.huddle_at is not None:
            self._huddle(call, meeting_id)
        if call.debriefed and call.recorded_at is not None:
            self._debrief(call, meeting_id, call.recorded_at)

    def _huddle(self, call: Call, meeting_id: int) -> None:
        rng = self.rng
        assert call.huddle_at is not None
        ae = call.deal.owner_id
        se = call.attendees[1]
        technical = call.kind in TECHNICAL_KINDS
        note_taker = call.attendees[2] if len(call.attendees) > 2 else rng.choice((ae, se))
        label = MEETING_KIND_LABELS[call.kind].lower()
        objectives = HUDDLE_OBJECTIVES.get(call.kind, (f"Agree what the {label} must achieve",))
        careful = rng.random() < 0.7
        self.sink.add(
            "huddle",
            {
                "id": self.sink.take("huddle"),
                "meeting_id": meeting_id,
                "held_at": call.huddle_at,
                "duration_minutes": rng.choice((10, 10, 15, 15, 15, 20)),
                "objective": rng.choice(objectives),
                "driver_id": se if technical else ae,
                "commercial_owner_id": ae,  # the charter keeps pricing with the AE
                "screen_sharer_id": se if technical else ae,
                "note_taker_id": note_taker,
                "opener_id": ae,
                "call_to_action": rng.choice(CALLS_TO_ACTION),
                "checklist": {key: careful or rng.random() < 0.6 for key in CHECKLIST},
                "notes": rng.choice(HUDDLE_NOTES) if rng.random() < 0.3 else None,
                "author_id": rng.choice((ae, se)),
                "created_at": call.huddle_at,
                "updated_at": call.huddle_at,
                "version": 1,
            },
        )

    def _debrief(self, call: Call, meeting_id: int, written: datetime) -> None:
        rng = self.rng
        fate = outcome(call.deal)
        pain = rng.choices(list(PainUncovered), weights=PAIN[fate])[0]
        secured = rng.random() < SECURED[fate]
        step = rng.choice(DEBRIEF_NEXT_STEPS) if secured or rng.random() < 0.4 else None
        day = call.starts_at.date()
        self.sink.add(
            "debrief",
            {
                "id": self.sink.take("debrief"),
                "meeting_id": meeting_id,
                "what_we_missed": rng.choice(MISSED) if rng.random() < 0.75 else None,
                "pain_uncovered": pain,
                "next_step_secured": secured,
                "next_step": step,
                "next_step_date": day + timedelta(days=rng.randint(2, 14)) if secured else None,
                "notes": rng.choice(DEBRIEF_NOTES) if rng.random() < 0.45 else None,
                "author_id": rng.choice((call.deal.owner_id, call.attendees[1])),
                "created_at": written,
                "updated_at": written,
                "version": 1,
            },
        )
