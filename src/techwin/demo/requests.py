"""SE requests on deals, with every status change the service would have recorded.

The AE asks for SE time as the deal goes: a discovery call early, demos in technical
validation (a custom one on the larger deals), the POC at the start of the proof-of-concept
stage, now and then a security review, an RFP or a workshop. Each request is checked against
the charter in force for the AE at that moment, with the deal's qualification, stakeholders,
close date and notice as they were then: a thin deal is blocked, and the block is resolved by
a resubmission once the deal qualifies, a manager's override with a reason, or a cancellation.
A manager assigns an SE, who sometimes declines; the call is scheduled and held. Requests of
open deals made in the last days are still waiting at the horizon.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from techwin.collaboration.charter_rules import DealFacts, evaluate, frameworks_needed, unmet
from techwin.collaboration.enums import (
    MEETING_FOR_REQUEST,
    REQUEST_KIND_LABELS,
    RequestKind,
    RequestStatus,
)
from techwin.core.time import start_of_day
from techwin.demo.box_rows import Sink
from techwin.demo.buyers import Mapped
from techwin.demo.collab_words import (
    ATTENDEES,
    BLOCKED_CANCEL_REASONS,
    CANCEL_REASONS,
    DECLINE_REASONS,
    OVERRIDE_REASONS,
    REQUEST_NOTES,
    UNANSWERED_QUESTIONS,
    USE_CASE_TOPICS,
)
from techwin.demo.deal_view import VP_PLUS, DealView, moment
from techwin.demo.evaluations import PocPlan
from techwin.demo.meetings import Call, CallBook, business_hours
from techwin.demo.pods import BoxOrg
from techwin.demo.request_trail import Trail

K, S = RequestKind, RequestStatus
# Stage → requests an AE may make there: (kind, chance, earliest and latest share of the stay).
ASKS: dict[str, tuple[tuple[RequestKind, float, float, float], ...]] = {
    "discovery": ((K.DISCOVERY_CALL, 0.4, 0.05, 0.5),),
    "technical_validation": (
        (K.STANDARD_DEMO, 0.75, 0.05, 0.4),
        (K.CUSTOM_DEMO, 0.3, 0.35, 0.8),
        (K.SECURITY_REVIEW, 0.18, 0.4, 0.85),
        (K.RFP, 0.08, 0.1, 0.6),
        (K.WORKSHOP, 0.08, 0.2, 0.7),
    ),
    "proposal": (
        (K.SECURITY_REVIEW, 0.15, 0.1, 0.6),
        (K.WORKSHOP, 0.05, 0.1, 0.5),
        (K.RFP, 0.05, 0.05, 0.4),
    ),
    "negotiation": ((K.SECURITY_REVIEW, 0.1, 0.05, 0.5),),
}
BIG_DEAL = 100_000  # ACV from which the AE asks for custom work more readily
SENIOR_KINDS = (K.CUSTOM_DEMO, K.POC, K.SECURITY_REVIEW, K.WORKSHOP)
# Outcome → chance the deal was qualified during discovery (budget confirmed, sponsor
# engaged), else chance it was qualified later on; else never.
QUALIFIED = {"won": (0.88, 1.0), "lost": (0.5, 0.35), "open": (0.6, 0.45)}
# Deals that reached a proof of concept were mostly qualified before it was asked for: the
# charter's POC thresholds are what made the AE do the work. The rest went through on an override.
POC_QUALIFIED = 0.9
HOUR = timedelta(hours=1)


@dataclass(slots=True)
class Ask:
    """A request to make: what, when, by when it must be over (None: it may still be
    waiting), the call it must serve, and whether it must get through (the POC took place)."""

    kind: RequestKind
    at: datetime
    deadline: datetime | None
    meeting_at: datetime | None = None
    must_pass: bool = False
    last_span: bool = False


def _later(rng: random.Random, at: datetime, low: float, high: float) -> datetime:
    return at + timedelta(hours=rng.uniform(low, high))


def qualified_at(rng: random.Random, deal: DealView, *, horizon: datetime) -> datetime | None:
    """When the deal met the charter's qualification (budget confirmed, a VP-level sponsor
    engaged), if it ever did: early on most won deals, late or never on many others."""
    fate = "open" if deal.won is None else "won" if deal.won else "lost"
    early, late = QUALIFIED[fate]
    discovery = deal.spans[0]
    poc = deal.span("proof_of_concept")
    if poc is not None and poc is not discovery and rng.random() < POC_QUALIFIED:
        before = [s for s in deal.spans if s.end <= poc.start]
        upper = before[-1].start if len(before) > 1 else discovery.end
        return moment(rng, discovery.start, upper, 0.1, 0.95)
    if rng.random() < early:
        return moment(rng, discovery.start, discovery.end, 0.1, 0.95)
    if rng.random() < late:
        return moment(rng, discovery.end, deal.end(horizon), 0.05, 0.9)
    return None


class RequestDesk:
    """Makes each deal's SE requests and the calls that serve them."""

    def __init__(
        self,
        rng: random.Random,
        sink: Sink,
        org: BoxOrg,
        calls: CallBook,
        *,
        horizon: datetime,
        element_names: dict[str, dict[str, str]],
    ) -> None:
        self.rng = rng
        self.sink = sink
        self.org = org
        self.calls = calls
        self.horizon = horizon
        self.names = element_names

    def requests(
        self,
        deal: DealView,
        mapped: list[Mapped],
        poc: PocPlan | None,
        *,
        qualified_at: datetime | None,
    ) -> list[Call]:
        """Every request of the deal (held in the sink) and the calls they led to; the budget
        was confirmed at ``qualified_at`` (never, when ``None``)."""
        rng = self.rng
        budget = (rng.choice((0, 1, 1)), rng.choice((2, 2, 2, 3)), qualified_at)
        calls = []
        for ask in sorted(self._asks(deal, poc), key=lambda a: a.at):
            call = self._request(deal, mapped, budget, ask)
            if call is not None:
                calls.append(call)
        return calls

    def _asks(self, deal: DealView, poc: PocPlan | None) -> list[Ask]:
        rng = self.rng
        big = deal.acv is not None and deal.acv >= BIG_DEAL
        asks = []
        last = deal.spans[-1]
        for span in deal.spans:
            deadline = None if span.next_key is None else span.end
            for kind, chance, low, high in ASKS.get(span.key, ()):
                bonus = 0.2 if big and kind in (K.CUSTOM_DEMO, K.DISCOVERY_CALL) else 0.0
                if rng.random() < chance + bonus:
                    at = moment(rng, span.start, span.end, low, high)
                    asks.append(Ask(kind, at, deadline, last_span=span is last))
        poc_span = deal.span("proof_of_concept")
        if poc is not None and poc_span is not None:
            kickoff = business_hours(rng, start_of_day(poc.start))
            before = [s for s in deal.spans if s.end <= poc_span.start]
            floor = before[-1].start if before else deal.created_at
            at = max(floor, poc.created_at - timedelta(days=rng.uniform(0.5, 4)))
            started = kickoff <= self.horizon
            deadline = poc_span.end if poc_span.next_key else self.horizon if started else None
            asks.append(Ask(K.POC, at, deadline, kickoff, must_pass=True))
        elif poc_span is not None:
            deadline = None if poc_span.next_key is None else poc_span.end
            at = moment(rng, poc_span.start, poc_span.end, 0.05, 0.5)
            asks.append(Ask(K.POC, at, deadline, last_span=poc_span is last))
        elif deal.is_open and last.key == "technical_validation" and rng.random() < 0.2:
            start = max(last.start, self.horizon - timedelta(days=10))
            asks.append(Ask(K.POC, moment(rng, start, self.horizon, 0.0, 0.98), None))
        return asks

    def _verdicts(
        self,
        deal: DealView,
        mapped: list[Mapped],
        budget: tuple[int, int, datetime | None],
        kind: RequestKind,
        at: datetime,
        needed: date,
    ) -> tuple[int, list[dict[str, Any]]]:
        """The charter in force at ``at`` and the thresholds it found unmet then."""
        charter = self.org.charter_at(deal.owner_id, at)
        if not any(kind in t.applies_to for t in charter.thresholds):
            return charter.id, []
        before, after, validated = budget
        score = after if validated is not None and validated <= at else before
        facts = DealFacts(
            close_date=deal.close_date,
            scores={key: {"budget": score} for key in frameworks_needed(charter.thresholds)},
            element_names=self.names,
            stakeholders=[f for m in mapped if (f := m.fact_at(at)) is not None],
            needed_by=needed,
        )
        verdicts = evaluate(charter.thresholds, kind, facts, today=at.date())
        return charter.id, [v.as_dict() for v in unmet(verdicts)]

    def _request(
        self,
        deal: DealView,
        mapped: list[Mapped],
        budget: tuple[int, int, datetime | None],
        ask: Ask,
    ) -> Call | None:
        rng, org = self.rng, self.org
        kind, t0 = ask.kind, ask.at
        owner = deal.owner_id
        manager = org.manager_of(owner) or owner
        engineer = deal.engineers[0]
        if kind in SENIOR_KINDS and len(deal.engineers) > 1 and rng.random() < 0.45:
            engineer = deal.engineers[1]
        needed = (ask.meeting_at or t0 + timedelta(days=rng.randint(2, 10))).date()
        needed = max(needed, t0.date())
        request_id = self.sink.take("se_request")
        trail = Trail()
        trail.move(S.SUBMITTED, t0, owner)
        t = t0 + timedelta(seconds=1)
        if not self._check(trail, deal, mapped, budget, ask, needed, t):
            t = self._unblock(trail, deal, mapped, budget, ask, needed, t)
        call: Call | None = None
        reason: str | None = None
        unanswered: list[str] = []
        if trail.status is S.ACCEPTED:
            t = _later(rng, t, 1, 30)
            trail.move(S.ASSIGNED, t, manager, f"to {org.names.get(engineer, 'the SE')}")
            if not ask.must_pass and rng.random() < 0.05:
                reason = rng.choice(DECLINE_REASONS)
                unanswered = rng.sample(UNANSWERED_QUESTIONS, k=rng.randint(1, 3))
                trail.move(S.DECLINED, _later(rng, t, 2, 40), engineer, reason)
            elif not ask.must_pass and rng.random() < 0.03:
                trail.move(S.CANCELLED, _later(rng, t, 4, 72), owner, rng.choice(CANCEL_REASONS))
            elif kind is K.RFP:
                done = max(_later(rng, t, 24, 120), start_of_day(needed) + 12 * HOUR)
                trail.move(S.DONE, done, engineer)
            else:
                t = _later(rng, t, 1, 36)
                starts = ask.meeting_at or business_hours(rng, start_of_day(needed))
                if starts < t + 2 * HOUR:
                    starts = business_hours(rng, t + timedelta(days=rng.randint(1, 3)))
                call = self.calls.call(
                    deal, MEETING_FOR_REQUEST[kind], starts, t, engineer=engineer,
                    request_id=request_id,
                )  # fmt: skip
                who = rng.choice((owner, engineer))
                trail.move(S.SCHEDULED, t, who, f"call “{call.title}”")
                ended = starts + timedelta(minutes=call.minutes)
                trail.move(S.DONE, ended + timedelta(hours=rng.uniform(0.3, 20)), engineer)
        trail.fit(
            rng,
            deadline=ask.deadline,
            horizon=self.horizon,
            call=call,
            cut_on_loss=deal.lost and ask.last_span,
            owner=owner,
        )
        if call is not None:
            trail.settle(self.calls, call)
        self._write(deal, ask, request_id, engineer, needed, trail, reason, unanswered)
        return call

    def _check(
        self,
        trail: Trail,
        deal: DealView,
        mapped: list[Mapped],
        budget: tuple[int, int, datetime | None],
        ask: Ask,
        needed: date,
        at: datetime,
    ) -> bool:
        """Check the request against the charter in force at ``at``: accepted (True) or
        blocked, naming every unmet threshold."""
        charter, blocked = self._verdicts(deal, mapped, budget, ask.kind, at, needed)
        if blocked:
            labels = "; ".join(str(v["label"]) for v in blocked)
            trail.move(S.BLOCKED, at, deal.owner_id, f"unmet: {labels}", check=(charter, blocked))
            return False
        trail.move(S.ACCEPTED, at, deal.owner_id, "charter thresholds met", check=(charter, []))
        return True

    def _unblock(
        self,
        trail: Trail,
        deal: DealView,
        mapped: list[Mapped],
        budget: tuple[int, int, datetime | None],
        ask: Ask,
        needed: date,
        t: datetime,
    ) -> datetime:
        """Resolve a blocked request: resubmitted once the deal qualifies, overridden by the
        manager, withdrawn, or (recently) still waiting."""
        rng, owner = self.rng, deal.owner_id
        routes, weights = (
            (("override", "resubmit"), (75, 25))
            if ask.must_pass
            else (("override", "resubmit", "cancel", "wait"), (35, 25, 30, 10))
        )
        route = rng.choices(routes, weights=weights)[0]
        if not ask.must_pass and ask.at >= self.horizon - 10 * 24 * HOUR and rng.random() < 0.5:
            route = "wait"  # asked in the last days: the AE is still working on the deal
        # Once the deal is qualified (budget confirmed, the sponsor on the map), the AE
        # usually resubmits rather than asks a manager.
        sponsors = [m.since for m in mapped if m.engaged and m.person.seniority in VP_PLUS]
        fixed = max(budget[2], min(sponsors)) if budget[2] and sponsors else None
        limit = ask.meeting_at or ask.deadline or t + timedelta(days=14)
        if fixed is not None and t < fixed < limit and rng.random() < 0.85:
            route, t = "resubmit", fixed + timedelta(hours=rng.uniform(2, 48))
        elif route == "resubmit":
            t = _later(rng, t, 48, 240)
        if route == "resubmit":
            if self._check(trail, deal, mapped, budget, ask, needed, t):
                return t
            route = "override" if ask.must_pass or rng.random() < 0.5 else "cancel"
        if route == "wait" and (ask.deadline is not None or ask.at < self.horizon - 21 * 24 * HOUR):
            route = "cancel"
        if route == "override":
            t = _later(rng, t, 3, 72)
            reason = rng.choice(OVERRIDE_REASONS)
            labels = ", ".join(str(v["label"]) for v in trail.last_check()[1])
            note = f"charter overridden ({labels}): {reason}"[:500]
            trail.move(S.ACCEPTED, t, self.org.manager_of(owner), note, override=reason)
        elif route == "cancel":
            cancel = rng.choice(BLOCKED_CANCEL_REASONS)
            trail.move(S.CANCELLED, _later(rng, t, 48, 336), owner, cancel)
        return t

    def _write(
        self,
        deal: DealView,
        ask: Ask,
        request_id: int,
        engineer: int,
        needed: date,
        trail: Trail,
        reason: str | None,
        unanswered: list[str],
    ) -> None:
        rng, sink = self.rng, self.sink
        steps = trail.steps
        assigned = any(s.after is S.ASSIGNED for s in steps)
        declined = trail.status is S.DECLINED
        charter_id, blocked = trail.last_check()
        override = trail.override()
        topics = list(USE_CASE_TOPICS.get(deal.use_case, ()))
        if ask.kind is K.SECURITY_REVIEW:
            topics.append("security")
        for step in steps:
            sink.record(
                "se_request_event",
                (
                    sink.take("se_request_event"),
                    request_id,
                    step.before,
                    step.after,
                    step.at,
                    step.actor,
                    step.note,
                ),
            )
        if override is not None:
            label = REQUEST_KIND_LABELS[ask.kind].lower()
            sink.audit(
                at=override.at,
                actor=override.actor,
                action="se_request.override",
                entity_type="se_request",
                entity_id=request_id,
                summary=f"{label} on {deal.name}: blocked → accepted",
                before={"status": "blocked"},
                after={"status": "accepted"},
                reason=override.note,
            )
        sink.add(
            "se_request",
            {
                "id": request_id,
                "opportunity_id": deal.id,
                "kind": ask.kind,
                "status": trail.status,
                "requester_id": deal.owner_id,
                "assignee_id": engineer if assigned else None,
                "needed_by": needed,
                "notes": rng.choice(REQUEST_NOTES[ask.kind]) if rng.random() < 0.85 else None,
                "attendees": rng.choice(ATTENDEES) if rng.random() < 0.6 else None,
                "topics": list(dict.fromkeys(topics)) if rng.random() < 0.8 else [],
                "charter_id": charter_id,
                "unmet": blocked,
                "override_reason": override.override if override else None,
                "decline_reason": reason if declined else None,
                "unanswered": unanswered if declined else [],
                "status_changed_at": steps[-1].at,
                "created_at": steps[0].at,
                "updated_at": steps[-1].at,
                "version": len(steps),
            },
        )
