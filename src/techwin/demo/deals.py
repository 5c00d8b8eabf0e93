"""Deals: a converted contact's opportunity walks the pipeline until it is won, lost or open."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from techwin.auth.enums import SELevel
from techwin.demo.companies import AccountDraft, ContactDraft, Roster
from techwin.demo.people import COMMERCIAL, ENTERPRISE, Org
from techwin.demo.qualify import Qualifier
from techwin.demo.records import Recorder, Row, StageInfo, cap
from techwin.demo.words import (
    COMPELLING_EVENTS,
    COMPETITORS,
    DEFAULT_LOST_REASONS,
    LOST_REASONS,
    NEXT_STEPS,
    USE_CASES,
)
from techwin.pipeline import rules

# Deal stages by position: median days in the stage and the chance of moving on from it.
DEAL_DAYS = (12.0, 16.0, 24.0, 10.0, 14.0)
DEAL_ADVANCE = (0.74, 0.78, 0.72, 0.80, 0.82)
SEGMENT_PACE = {ENTERPRISE: 1.45, COMMERCIAL: 0.7}  # others 1.0
ACV_MEDIAN = {COMMERCIAL: (18_000, 500), ENTERPRISE: (180_000, 5_000)}  # others below
DEFAULT_ACV = (60_000, 1_000)
TERMS = (12, 12, 12, 12, 24, 24, 36, 36)


@dataclass
class _Deal:
    """A deal's identity, kept to attach its stakeholders at the end."""

    id: int
    account: AccountDraft
    primary_id: int
    opened_at: datetime


@dataclass
class DealResult:
    """How a deal ended (or that it is still open)."""

    won: bool | None  # None while the deal is still open
    name: str
    closed_at: datetime | None
    lost_reason: str | None


class DealDesk:
    """Opens, advances and closes deals in the default pipeline, with gates honoured."""

    def __init__(
        self,
        recorder: Recorder,
        *,
        org: Org,
        horizon: datetime,
        pipeline_id: int,
        stages: Sequence[StageInfo],
        deal_criteria: dict[int, list[tuple[int, str]]],
        qualifier: Qualifier,
    ) -> None:
        self.rec = recorder
        self.qualifier = qualifier
        self.rng = recorder.rng
        self.out = recorder.out
        self.org = org
        self.horizon = horizon
        self.today = horizon.date()
        self.pipeline_id = pipeline_id
        self.open_stages = [s for s in stages if not s.is_closed]
        self.won_stage = next(s for s in stages if s.is_closed and s.is_won)
        self.lost_stage = next(s for s in stages if s.is_closed and not s.is_won)
        self._stage_by_id = {s.id: s for s in stages}
        self.deal_criteria = deal_criteria
        self._deals: list[_Deal] = []
        self._team_of: dict[int, int] = {}
        for team_index, members in enumerate(org.ses_by_team):
            for se in members:
                self._team_of[se.id] = team_index

    def _amounts(self, segment: str) -> rules.Amounts:
        rng = self.rng
        median, step = ACV_MEDIAN.get(segment, DEFAULT_ACV)
        acv = max(step, round(median * math.exp(0.55 * rng.gauss(0.0, 1.0)) / step) * step)
        term = rng.choice(TERMS)
        mrr = (Decimal(acv) / 12).quantize(Decimal("1")) if rng.random() < 0.15 else None
        return rules.compute_amounts(acv=Decimal(acv), term_months=term, mrr=mrr)

    def _next_step_due(self) -> date | None:
        """When an open deal's next step is due: mostly in the coming two weeks, sometimes
        already past (the deal has stalled), sometimes never dated."""
        draw = self.rng.random()
        if draw < 0.55:
            return self.today + timedelta(days=self.rng.randint(1, 14))
        if draw < 0.7:
            return self.today - timedelta(days=self.rng.randint(1, 12))
        return None

    def _engineers(self, owner_id: int, segment: str) -> list[int]:
        rng = self.rng
        first = self.org.pod_se[owner_id]
        engineers = [first]
        if segment == ENTERPRISE or rng.random() < 0.2:
            team = [se for se in self.org.ses_by_team[self._team_of[first]] if se.id != first]
            principals = [se for se in team if se.se_level is SELevel.PRINCIPAL]
            pool = principals if principals and segment == ENTERPRISE else team
            if pool and rng.random() < 0.7:
                engineers.append(rng.choice(pool).id)
        return engineers

    def run(self, draft: ContactDraft, opened_at: datetime, *, conversion: Row) -> DealResult:
        """Open a deal for a converted contact and walk it through the pipeline.

        ``conversion`` is the contact's ``sql → opportunity`` transition; like the service's
        conversion it names the deal in its reason.
        """
        rng = self.rng
        account = draft.account
        owner = draft.owner_id
        deal_id = self.rec.next_id("opportunity")
        name = f"{account.name} — {rng.choice(USE_CASES)}"
        conversion["reason"] = f"converted to {name}"
        amounts = self._amounts(account.segment)
        engineers = self._engineers(owner, account.segment)
        competitors = rng.sample(COMPETITORS, k=rng.choice((1, 1, 2))) if rng.random() < 0.6 else []
        pace = SEGMENT_PACE.get(account.segment, 1.0)
        win_bias = cap(draft.fit**0.05, 1.1)
        changes: list[Row] = []

        def change(
            from_stage: StageInfo | None,
            to_stage: StageInfo,
            at: datetime,
            actor: int | None,
            reason: str | None,
            entered: datetime | None,
        ) -> None:
            changes.append(
                {
                    "id": self.rec.next_id("stage_change"),
                    "opportunity_id": deal_id,
                    "from_stage_id": None if from_stage is None else from_stage.id,
                    "to_stage_id": to_stage.id,
                    "at": at,
                    "actor_id": actor,
                    "reason": reason,
                    "seconds_in_from_stage": (
                        None if entered is None else int((at - entered).total_seconds())
                    ),
                    "overridden": False,
                    "unmet": None,
                }
            )

        index, entered = 0, opened_at
        stage = self.open_stages[0]
        change(None, stage, opened_at, owner, "created", None)
        won: bool | None = None
        lost_reason: str | None = None
        closed_at: datetime | None = None
        while True:
            position = min(index, len(DEAL_DAYS) - 1)
            advance = cap(DEAL_ADVANCE[position] * win_bias, 0.97)
            duration = self.rec.days(DEAL_DAYS[position] * pace, 0.6)
            going_on = rng.random() < advance
            if not going_on:
                duration = timedelta(seconds=int(duration.total_seconds() * rng.uniform(0.6, 1.4)))
            at = entered + duration
            if at >= self.horizon:
                break
            technical = "technical" in stage.key or "proof" in stage.key
            actor = engineers[0] if technical else owner
            if going_on:
                target = (
                    self.open_stages[index + 1]
                    if index + 1 < len(self.open_stages)
                    else self.won_stage
                )
                for criterion_id, key in self.deal_criteria.get(stage.id, ()):
                    by = engineers[0] if technical or "requirement" in key else owner
                    self.rec.check(criterion_id, deal_id, by, self.rec.between(entered, at))
                change(stage, target, at, actor, None, entered)
            else:
                target = self.lost_stage
                template = rng.choice(LOST_REASONS.get(stage.key, DEFAULT_LOST_REASONS))
                if "{competitor}" in template:
                    named = [c for c in competitors if not c.startswith(("an ", "the "))]
                    rival = named[0] if named else rng.choice(COMPETITORS[:6])
                    if rival not in competitors:
                        competitors.append(rival)
                    template = template.format(competitor=rival)
                lost_reason = template
                change(stage, target, at, owner, lost_reason, entered)
            stage, entered = target, at
            if target.is_closed:
                won, closed_at = target.is_won, at
                break
            index += 1
        if won is None:
            # An open deal: some of the current stage's checklist is already done.
            for criterion_id, _key in self.deal_criteria.get(stage.id, ()):
                if rng.random() < 0.4:
                    self.rec.check(
                        criterion_id, deal_id, owner, self.rec.between(entered, self.horizon)
                    )
            remaining = (
                sum(
                    DEAL_DAYS[min(i, len(DEAL_DAYS) - 1)]
                    for i in range(index, len(self.open_stages))
                )
                * pace
            )
            expected = self.today + timedelta(days=max(3, int(remaining * rng.uniform(0.4, 1.3))))
            if rng.random() < 0.12:
                expected = self.today - timedelta(days=rng.randint(1, 21))  # slipped
            close_date = max(expected, opened_at.date())
            next_step_due = self._next_step_due()
        else:
            assert closed_at is not None
            close_date = closed_at.date()
            next_step_due = None
        self.out.opportunities.append(
            {
                "id": deal_id,
                "name": name,
                "account_id": account.id,
                "owner_id": owner,
                "pipeline_id": self.pipeline_id,
                "stage_id": stage.id,
                "stage_entered_at": entered,
                "close_date": close_date,
                "closed_at": closed_at,
                "probability": stage.probability,
                "forecast_category": stage.forecast_category,
                "currency": "USD",
                "acv": amounts.acv,
                "tcv": amounts.tcv,
                "term_months": amounts.term_months,
                "mrr": amounts.mrr,
                "arr": amounts.arr,
                "compelling_event": (rng.choice(COMPELLING_EVENTS) if rng.random() < 0.7 else None),
                "competitors": ", ".join(competitors) or None,
                "next_step": rng.choice(NEXT_STEPS.get(stage.key, ("Follow up",)))
                if won is None
                else None,
                "next_step_due": next_step_due,
                "lost_reason": lost_reason,
                "description": None,
                "external_id": None,
                "created_at": opened_at,
                "updated_at": entered,
                "version": len(changes),
            }
        )
        self.out.stage_changes.extend(changes)
        self.qualifier.qualify_deal(
            deal_id,
            owner_id=owner,
            engineers=engineers,
            changes=changes,
            stages=self._stage_by_id,
            lost_reason=lost_reason,
        )
        self.rec.audit(
            at=opened_at,
            actor=owner,
            action="opportunity.create",
            entity_type="opportunity",
            entity_id=deal_id,
            summary=f"opened {name} in {self.open_stages[0].name}",
        )
        for row in changes[1:]:
            source, target = (
                self._stage_by_id[row["from_stage_id"]],
                self._stage_by_id[row["to_stage_id"]],
            )
            self.rec.audit(
                at=row["at"],
                actor=row["actor_id"],
                action="opportunity.move",
                entity_type="opportunity",
                entity_id=deal_id,
                summary=f"{source.name} → {target.name}",
                before={"stage": source.key},
                after={"stage": target.key},
                reason=row["reason"],
            )
        self.out.opportunity_ses.extend(
            {"opportunity_id": deal_id, "user_id": se} for se in engineers
        )
        self._deals.append(_Deal(deal_id, account, draft.id, opened_at))
        return DealResult(won=won, name=name, closed_at=closed_at, lost_reason=lost_reason)

    def attach_stakeholders(self, roster: Roster) -> None:
        """Put the deal's primary contact first, then up to two colleagues who were known."""
        by_account = roster.by_account({deal.account.id for deal in self._deals})
        offsets, first_id, start = roster.offsets, roster.first_id, roster.start
        microsecond = timedelta(microseconds=1)
        for deal in self._deals:
            self.out.opportunity_contacts.append(
                {"opportunity_id": deal.id, "contact_id": deal.primary_id, "is_primary": True}
            )
            # Colleagues created before the deal opened (times compared in whole microseconds).
            opened = (deal.opened_at - start) // microsecond
            known = [
                first_id + index
                for index in by_account[deal.account.id]
                if first_id + index != deal.primary_id and offsets[index] * 1_000_000 < opened
            ]
            extra = min(len(known), self.rng.choice((0, 1, 1, 2)))
            for colleague in self.rng.sample(known, k=extra):
                self.out.opportunity_contacts.append(
                    {"opportunity_id": deal.id, "contact_id": colleague, "is_primary": False}
                )
