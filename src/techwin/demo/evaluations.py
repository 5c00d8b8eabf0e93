"""The technical side of each deal: its POC (scope, dates, success criteria with evidence,
outcome, sign-off), the technical win or the SE's no-go, and the competitors met.

Every deal that moved on from the proof-of-concept stage has a POC its customer signed off
(the stage's exit criterion); a deal still in that stage has one running (a few past 60 days,
one now and then without success criteria yet) unless it arrived in the last days; a deal
lost there failed or abandoned its POC.
Won deals have their technical win; lost ones a mix of technical wins lost on commercials,
technical losses and no-gos, at a DQ rate inside the healthy band.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from techwin.collaboration.enums import BuyingRole
from techwin.core.time import start_of_day
from techwin.demo.box_rows import Sink
from techwin.demo.buyers import Mapped
from techwin.demo.deal_view import DealView, Span, moment
from techwin.demo.evaluation_words import (
    COMPETITOR_NOTES,
    CRITERIA,
    ENVIRONMENTS,
    IN_PROGRESS_REASONS,
    NO_GO_BY_REASON,
    NO_GO_NOTES,
    OTHER_NO_GO_NOTE,
    OUTCOME_NOTES,
    POC_SCOPES,
    TECH_LOST_REASONS,
    TECH_WON_REASONS,
)
from techwin.evaluation.competitors import name_key
from techwin.evaluation.enums import CriterionResult, NoGoReason, PocOutcome
from techwin.evaluation.enums import TechnicalWinStatus as W

POC = "proof_of_concept"
R = CriterionResult


@dataclass
class PocPlan:
    """A deal's POC before it is written (the technical win may still end it)."""

    id: int
    title: str
    created_at: datetime
    start: date
    end: date
    outcome: PocOutcome | None
    concluded_on: date | None
    signed_on: date | None
    criteria: int  # how many success criteria it gets


@dataclass(frozen=True)
class Decision:
    """A technical win status with its reason, when it was decided and by whom."""

    status: W
    at: datetime
    reason: str | None = None
    code: NoGoReason | None = None


def _noon(day: date) -> datetime:
    return start_of_day(day) + timedelta(hours=12)


def competitor_catalogue(sink: Sink, names: tuple[str, ...], at: datetime) -> dict[str, int]:
    """The named competitors (never 'an in-house build' or 'the status quo'), by name."""
    ids: dict[str, int] = {}
    for name in names:
        if name.startswith(("an ", "the ")):
            continue
        ids[name] = sink.take("competitor")
        sink.add(
            "competitor",
            {"id": ids[name], "name": name, "name_key": name_key(name), "created_at": at},
        )
    return ids


def plan_poc(
    rng: random.Random, sink: Sink, deal: DealView, *, horizon: datetime
) -> PocPlan | None:
    """The deal's POC, if it got one, as its stay in the proof-of-concept stage tells."""
    span = deal.span(POC)
    if span is None:
        return None
    today = horizon.date()
    reason = (deal.lost_reason or "").lower()
    moved_on = span.next_key not in (None, "lost")
    if span.next_key == "lost" and "criteria" not in reason and rng.random() < 0.08:
        return None  # lost before the POC got going
    if span.next_key is None and horizon - span.start < timedelta(days=10) and rng.random() < 0.3:
        return None  # just arrived in the stage, still agreeing on the POC
    created = moment(rng, span.start, min(span.end, span.start + timedelta(days=3)), 0.05, 0.6)
    start = created.date() + timedelta(days=rng.randint(0, 3))
    outcome: PocOutcome | None = None
    concluded: date | None = None
    signed: date | None = None
    if span.next_key is None:
        recent = (horizon - span.start) < timedelta(days=4)
        start = (
            today + timedelta(days=rng.randint(1, 5))
            if recent and rng.random() < 0.4
            else min(start, today)
        )
    else:
        exit_day = span.end.date()
        start = min(start, exit_day)
        concluded = max(start, exit_day - timedelta(days=rng.randint(0, 4)))
        if moved_on:
            outcome = PocOutcome.PASSED if rng.random() < 0.75 else PocOutcome.PARTIAL
            signed = concluded + timedelta(days=rng.randint(0, (exit_day - concluded).days))
        elif "stalled" in reason:
            outcome = PocOutcome.ABANDONED
        elif "competing" in reason and rng.random() < 0.4:
            outcome = PocOutcome.PARTIAL
        else:
            outcome = PocOutcome.FAILED
    criteria = rng.randint(3, 5)
    if outcome is None and rng.random() < 0.07:
        criteria = 0  # nobody wrote the success criteria down yet
    return PocPlan(
        id=sink.take("poc"),
        title=f"{deal.use_case} POC"[:120],
        created_at=created,
        start=start,
        end=start + timedelta(days=rng.randint(14, 45)),
        outcome=outcome,
        concluded_on=concluded,
        signed_on=signed,
        criteria=criteria,
    )


def decide(
    rng: random.Random, deal: DealView, poc: PocPlan | None, *, horizon: datetime
) -> Decision | None:
    """The deal's technical win, consistent with how it ended (None: never recorded)."""
    last = deal.spans[-1]
    reason = (deal.lost_reason or "").lower()
    settled = _noon(poc.signed_on) if poc and poc.signed_on else None
    draw = rng.random()
    if deal.won:
        if draw < 0.97:
            at = settled or moment(rng, last.start, last.end, 0.1, 0.6)
            return Decision(W.WON, min(at, last.end), rng.choice(TECH_WON_REASONS))
        return None
    if deal.lost:
        return _lost(rng, deal, poc, last, reason, draw, settled)
    key = last.key
    if key in ("proposal", "negotiation") and settled is not None and draw < 0.8:
        return Decision(W.WON, settled, rng.choice(TECH_WON_REASONS))
    if key == "technical_validation" and draw < 0.05:
        at = moment(rng, max(last.start, horizon - timedelta(days=20)), horizon, 0.1, 0.95)
        return _no_go(
            rng, rng.choice(("technical fit", "integration", "on-premises", "budget")), at
        )
    if key == "discovery" and draw >= 0.25:
        return None
    if key == "technical_validation" and draw >= 0.8:
        return None
    start = poc.created_at if poc else moment(rng, deal.spans[0].start, horizon, 0.2, 0.9)
    note = f"POC '{poc.title}' planned" if poc else rng.choice(IN_PROGRESS_REASONS)
    return Decision(W.IN_PROGRESS, start, note)


def _lost(
    rng: random.Random,
    deal: DealView,
    poc: PocPlan | None,
    last: Span,
    reason: str,
    draw: float,
    settled: datetime | None,
) -> Decision | None:
    late = moment(rng, last.start, last.end, 0.7, 0.99)
    if last.key == "discovery":
        if draw >= 0.2:
            return None
        return _no_go(rng, reason, moment(rng, last.start, last.end, 0.3, 0.95))
    if last.key == "technical_validation":
        if draw < 0.48:
            return Decision(W.LOST, late, rng.choice(TECH_LOST_REASONS))
        if draw < 0.78:
            return _no_go(rng, reason, moment(rng, last.start, last.end, 0.3, 0.95))
        return None
    if last.key == POC:
        if poc is not None and poc.outcome is PocOutcome.ABANDONED:
            if draw < 0.6:
                decision = _no_go(rng, "stalled", late)
                poc.concluded_on = max(poc.start, late.date())
                return decision
            return Decision(W.LOST, late, "The evaluation stopped before any result.")
        if poc is None:
            return _no_go(rng, reason, late) if draw < 0.5 else None
        if draw < 0.85:
            return Decision(W.LOST, late, rng.choice(TECH_LOST_REASONS))
        return _no_go(rng, reason, late)
    if settled is not None and draw < 0.78:
        return Decision(W.WON, settled, rng.choice(TECH_WON_REASONS))
    return Decision(W.LOST, late, rng.choice(TECH_LOST_REASONS))


def _no_go(rng: random.Random, reason: str, at: datetime) -> Decision:
    code = next((c for word, c in NO_GO_BY_REASON if word in reason), NoGoReason.OTHER)
    note = OTHER_NO_GO_NOTE if code is NoGoReason.OTHER else rng.choice(NO_GO_NOTES)
    keep = code is NoGoReason.OTHER or rng.random() < 0.7
    return Decision(W.NO_GO, at, note if keep else None, code)


def write_evaluation(
    rng: random.Random,
    sink: Sink,
    deal: DealView,
    poc: PocPlan | None,
    decision: Decision | None,
    mapped: list[Mapped],
    *,
    decider: int,
    horizon: datetime,
) -> None:
    """The POC with its criteria, and the technical win, held in ``sink``."""
    se = deal.engineers[0]
    if poc is not None:
        _write_poc(rng, sink, deal, poc, decision, mapped, se=se, horizon=horizon)
    if decision is None:
        return
    decided = decision.status.is_decided
    opened = poc.created_at if poc else decision.at
    if not decided:
        opened = decision.at
    created = min(opened, decision.at)
    sink.add(
        "technical_win",
        {
            "id": sink.take("technical_win"),
            "opportunity_id": deal.id,
            "status": decision.status,
            "no_go_reason": decision.code,
            "reason": decision.reason,
            "decided_at": decision.at if decided else None,
            "decided_by_id": decider if decided else None,
            "created_at": created,
            "updated_at": decision.at,
            "version": 2 if decided and created < decision.at else 1,
        },
    )


def _write_poc(
    rng: random.Random,
    sink: Sink,
    deal: DealView,
    poc: PocPlan,
    decision: Decision | None,
    mapped: list[Mapped],
    *,
    se: int,
    horizon: datetime,
) -> None:
    today = horizon.date()
    until = poc.concluded_on or today
    results = _results(rng, poc, today)
    picked = rng.sample(CRITERIA, k=poc.criteria)

    def history(at: datetime, action: str, summary: str, **change: Any) -> None:
        sink.audit(
            at=at, actor=se, action=action, entity_type="poc", entity_id=poc.id, summary=summary,
            **change,
        )  # fmt: skip

    history(
        poc.created_at,
        "poc.created",
        f"{poc.title}, {poc.start.isoformat()} to {poc.end.isoformat()}, "
        f"{poc.criteria} success criteria",
    )
    for position, (text, result) in enumerate(zip(picked, results, strict=True)):
        evidence = {R.MET: text.met, R.PARTIALLY_MET: text.partly, R.NOT_MET: text.missed}
        tested = result is not R.PENDING
        at = _noon(poc.start) + timedelta(days=rng.uniform(0, max(0, (until - poc.start).days)))
        if tested:
            history(
                min(at, horizon),
                "poc.result",
                f"{text.description}: {R.PENDING.label} → {result.label}",
                before={"result": R.PENDING.value},
                after={"result": result.value},
                reason=evidence.get(result),
            )
        sink.add(
            "poc_criterion",
            {
                "id": sink.take("poc_criterion"),
                "poc_id": poc.id,
                "position": position,
                "description": text.description,
                "target": text.target,
                "result": result,
                "evidence": evidence.get(result) if tested else None,
                "result_at": min(at, horizon) if tested else None,
                "result_by_id": se if tested else None,
                "version": 2 if tested else 1,
            },
        )
    signer = next(
        (m.person for m in mapped if m.engaged and m.role is not BuyingRole.BLOCKER),
        mapped[0].person,
    )
    notes = None
    if poc.outcome is PocOutcome.ABANDONED and decision is not None and decision.code is not None:
        notes = f"Ended by the SE's no-go ({decision.code.label})."
    elif poc.outcome is not None:
        notes = rng.choice(OUTCOME_NOTES[poc.outcome.value])
    done = poc.outcome is not None
    if poc.outcome is not None and poc.concluded_on is not None:
        history(
            min(_noon(poc.concluded_on), horizon),
            "poc.outcome",
            f"{poc.outcome.label} on {poc.concluded_on.isoformat()}",
            before={"outcome": None},
            after={"outcome": poc.outcome.value, "concluded_on": poc.concluded_on.isoformat()},
            reason=notes,
        )
    sink.add(
        "poc",
        {
            "id": poc.id,
            "opportunity_id": deal.id,
            "title": poc.title,
            "scope": rng.choice(POC_SCOPES),
            "environment": rng.choice(ENVIRONMENTS) if rng.random() < 0.8 else None,
            "start_date": poc.start,
            "end_date": poc.end,
            "outcome": poc.outcome,
            "outcome_notes": notes,
            "concluded_on": poc.concluded_on,
            "signed_off_by": signer.signature if poc.signed_on else None,
            "signed_off_on": poc.signed_on,
            "created_by_id": se,
            "created_at": poc.created_at,
            "updated_at": _noon(poc.signed_on or poc.concluded_on or poc.start)
            if done
            else poc.created_at,
            "version": 1 + done + (poc.signed_on is not None),
        },
    )


def _results(rng: random.Random, poc: PocPlan, today: date) -> list[CriterionResult]:
    count = poc.criteria
    if poc.outcome is PocOutcome.PASSED:
        return [R.MET] * count
    if poc.outcome is PocOutcome.PARTIAL:
        results = [rng.choice((R.MET, R.MET, R.PARTIALLY_MET)) for _ in range(count)]
        results[rng.randrange(count)] = rng.choice((R.PARTIALLY_MET, R.NOT_MET))
        return results
    if poc.outcome is PocOutcome.FAILED:
        results = [rng.choice((R.NOT_MET, R.NOT_MET, R.PARTIALLY_MET, R.MET)) for _ in range(count)]
        results[rng.randrange(count)] = R.NOT_MET
        return results
    # Running or abandoned: the criteria tested so far.
    planned = max(1, (poc.end - poc.start).days)
    ran = max(0, ((poc.concluded_on or today) - poc.start).days)
    share = 0.9 if poc.outcome is None and ran > planned else min(0.85, ran / planned)
    return [
        rng.choices((R.MET, R.PARTIALLY_MET, R.NOT_MET), weights=(65, 25, 10))[0]
        if rng.random() < share
        else R.PENDING
        for _ in range(count)
    ]


def link_competitors(
    rng: random.Random,
    sink: Sink,
    deal: DealView,
    catalogue: dict[str, int],
    *,
    horizon: datetime,
) -> None:
    """The named competitors of the deal's free-text field, most of them as records."""
    if not deal.competitors:
        return
    end = deal.end(horizon)
    reason = deal.lost_reason or ""
    for name in dict.fromkeys(deal.competitors.split(", ")):
        competitor_id = catalogue.get(name)
        if competitor_id is None or (name not in reason and rng.random() >= 0.85):
            continue
        sink.add(
            "deal_competitor",
            {
                "opportunity_id": deal.id,
                "competitor_id": competitor_id,
                "incumbent": rng.random() < 0.15,
                "note": rng.choice(COMPETITOR_NOTES) if rng.random() < 0.35 else None,
                "added_at": moment(rng, deal.created_at, end, 0.05, 0.6),
                "added_by_id": deal.owner_id,
            },
        )
