"""Lead histories and deals, simulated the way a B2B funnel behaves.

Each contact starts as a lead and moves through the lifecycle one allowed transition at a time
(:data:`techwin.pipeline.rules.ALLOWED_TRANSITIONS`); a move whose time falls after the horizon
has not happened yet, so recent leads are still in flight. A contact that reaches
``opportunity`` opens a deal that walks the pipeline's stages until it is won, lost or still open
at the horizon (see :mod:`techwin.demo.deals`). The rows produced are exactly what the services
would have stored.
"""

from __future__ import annotations

from datetime import datetime

from techwin.demo.companies import PERSONAL_SOURCES, ContactDraft
from techwin.demo.deals import DealDesk, DealResult
from techwin.demo.engage import Engagement
from techwin.demo.qualify import Qualifier
from techwin.demo.records import Recorder, Row, cap
from techwin.demo.words import (
    BACKWARD_REASONS,
    CHURN_REASONS,
    DISQUALIFY_REASONS,
    NURTURE_REASONS,
    REOPEN_REASONS,
)
from techwin.pipeline import rules
from techwin.pipeline.enums import LifecycleStage as S

MAX_MOVES = 24  # a safety net; real histories are far shorter

# Typical days a contact spends before each kind of move: (median, spread of the log-normal).
DWELL: dict[tuple[S, S], tuple[float, float]] = {
    (S.LEAD, S.MQL): (9, 0.9),
    (S.LEAD, S.NURTURE): (35, 0.6),
    (S.LEAD, S.DISQUALIFIED): (18, 0.8),
    (S.MQL, S.SAL): (3, 0.8),
    (S.MQL, S.LEAD): (21, 0.6),
    (S.MQL, S.NURTURE): (14, 0.7),
    (S.MQL, S.DISQUALIFIED): (8, 0.8),
    (S.SAL, S.SQL): (8, 0.7),
    (S.SAL, S.MQL): (12, 0.6),
    (S.SAL, S.NURTURE): (16, 0.7),
    (S.SAL, S.DISQUALIFIED): (10, 0.8),
    (S.SQL, S.OPPORTUNITY): (6, 0.7),
    (S.SQL, S.SAL): (14, 0.6),
    (S.SQL, S.NURTURE): (20, 0.7),
    (S.SQL, S.DISQUALIFIED): (15, 0.8),
    (S.NURTURE, S.MQL): (80, 0.6),
    (S.NURTURE, S.LEAD): (110, 0.5),
    (S.NURTURE, S.DISQUALIFIED): (120, 0.5),
    (S.DISQUALIFIED, S.NURTURE): (150, 0.5),
    (S.DISQUALIFIED, S.LEAD): (200, 0.5),
    (S.CUSTOMER, S.CHURNED): (330, 0.35),
}

# Where a contact goes next: the forward move's base chance (scaled by the lead's fit), then how
# the remaining chance splits between the side moves; whatever is left means "stays put".
FORWARD: dict[S, tuple[S, float, float]] = {
    S.LEAD: (S.MQL, 0.30, 1.0),
    S.MQL: (S.SAL, 0.50, 0.3),
    S.SAL: (S.SQL, 0.40, 0.3),
    S.SQL: (S.OPPORTUNITY, 0.60, 0.2),
}
SIDE: dict[S, tuple[tuple[S, float], ...]] = {
    S.LEAD: ((S.NURTURE, 0.27), (S.DISQUALIFIED, 0.17)),
    S.MQL: ((S.NURTURE, 0.35), (S.DISQUALIFIED, 0.25), (S.LEAD, 0.2)),
    S.SAL: ((S.NURTURE, 0.3), (S.DISQUALIFIED, 0.4), (S.MQL, 0.15)),
    S.SQL: ((S.DISQUALIFIED, 0.35), (S.NURTURE, 0.25), (S.SAL, 0.25)),
    S.NURTURE: ((S.MQL, 0.12), (S.LEAD, 0.05), (S.DISQUALIFIED, 0.08)),
    S.DISQUALIFIED: ((S.NURTURE, 0.03), (S.LEAD, 0.02)),
    S.CUSTOMER: ((S.CHURNED, 0.1),),
    S.CHURNED: (),
}


def _forward_on_main_line(from_stage: S, to_stage: S) -> bool:
    """True for the moves that cross a lifecycle gate (as the contact service evaluates them)."""
    a, b = rules.stage_rank(from_stage), rules.stage_rank(to_stage)
    return a is not None and b is not None and b > a


class Simulator:
    """Turns contact drafts into lifecycle histories; converted contacts open deals.

    ``lift`` multiplies the chance of every forward move along the funnel (1.0: the rates
    above).
    """

    def __init__(
        self,
        recorder: Recorder,
        *,
        deals: DealDesk,
        qualifier: Qualifier,
        engagement: Engagement,
        horizon: datetime,
        lifecycle_criteria: dict[S, list[int]],
        lift: float = 1.0,
    ) -> None:
        self.rec = recorder
        self.lift = lift
        self.rng = recorder.rng
        self.out = recorder.out
        self.deals = deals
        self.qualifier = qualifier
        self.engagement = engagement
        self.horizon = horizon
        self.lifecycle_criteria = lifecycle_criteria

    def _choose(self, stage: S, fit: float) -> S | None:
        """The contact's next stage, or None when it stays where it is."""
        roll = self.rng.random()
        forward = FORWARD.get(stage)
        remaining = 1.0
        if forward is not None:
            target, base, elasticity = forward
            chance = cap(base * self.lift * fit**elasticity)
            if roll < chance:
                return target
            roll -= chance
            remaining -= chance
        for target, share in SIDE[stage]:
            chance = share * (fit if target is S.MQL and stage is S.NURTURE else 1.0)
            chance *= remaining
            if roll < chance:
                return target
            roll -= chance
        return None

    def _reason(self, from_stage: S, to_stage: S) -> str | None:
        rng = self.rng
        if to_stage is S.DISQUALIFIED:
            return rng.choice(DISQUALIFY_REASONS)
        if from_stage in (S.DISQUALIFIED, S.CHURNED):
            return rng.choice(REOPEN_REASONS)
        if to_stage is S.CHURNED:
            return rng.choice(CHURN_REASONS)
        if to_stage is S.NURTURE:
            return rng.choice(NURTURE_REASONS)
        backward = BACKWARD_REASONS.get(f"{from_stage.value}>{to_stage.value}")
        if backward:
            return rng.choice(backward)
        return None

    def simulate_contact(self, draft: ContactDraft) -> None:
        """Walk one contact through the lifecycle and store its history."""
        rng = self.rng
        contact_id = draft.id
        creator = draft.owner_id if draft.source in PERSONAL_SOURCES else None
        transitions: list[Row] = []
        ticked: set[int] = set()

        def move(
            from_stage: S | None,
            to_stage: S,
            at: datetime,
            actor: int | None,
            reason: str | None,
            entered: datetime | None,
        ) -> None:
            transitions.append(
                {
                    "id": self.rec.next_id("transition"),
                    "contact_id": contact_id,
                    "from_stage": from_stage,
                    "to_stage": to_stage,
                    "at": at,
                    "actor_id": actor,
                    "reason": reason,
                    "seconds_in_from_stage": (
                        None if entered is None else int((at - entered).total_seconds())
                    ),
                    "overridden": False,
                }
            )

        stage, entered = S.LEAD, draft.created_at
        move(None, S.LEAD, entered, creator, "created", None)
        furthest = rules.furthest_rank(0, S.LEAD)
        deal: DealResult | None = None
        reason: str | None
        actor: int | None
        for _ in range(MAX_MOVES):
            if stage is S.OPPORTUNITY:
                if deal is None or deal.won is None or deal.closed_at is None:
                    break  # the deal is still open: so is the contact's opportunity
                at = deal.closed_at
                if deal.won:
                    target, reason = S.CUSTOMER, f"won {deal.name}"
                else:
                    target = S.NURTURE if rng.random() < 0.65 else S.DISQUALIFIED
                    reason = f"Deal lost: {deal.lost_reason}"
                actor = draft.owner_id
            else:
                choice = self._choose(stage, draft.fit)
                if choice is None:
                    break
                target = choice
                median, spread = DWELL[(stage, target)]
                at = entered + self.rec.days(median, spread)
                if at >= self.horizon:
                    break  # not happened yet
                reason = self._reason(stage, target)
                # Marketing automation moves leads; people move everything past MQL.
                automated = stage in (S.LEAD, S.NURTURE) and target is not S.DISQUALIFIED
                actor = None if automated else draft.owner_id
            rules.check_transition(stage, target, reason)
            if _forward_on_main_line(stage, target):
                self._tick_lifecycle(stage, contact_id, actor, entered, at, ticked)
            move(stage, target, at, actor, reason, entered)
            stage, entered = target, at
            furthest = rules.furthest_rank(furthest, stage)
            deal = None
            if stage is S.OPPORTUNITY:
                deal = self.deals.run(draft, at, conversion=transitions[-1])
        # What the contact did and how it was qualified follow from its history (each from its
        # own random stream, so the histories are the same with or without them).
        self.engagement.engage(draft, transitions)
        self.qualifier.qualify_contact(contact_id, draft.owner_id, transitions)
        last = transitions[-1]
        self.out.transitions.extend(transitions)
        for row in transitions[1:]:
            before, after = row["from_stage"].value, row["to_stage"].value
            self.rec.audit(
                at=row["at"],
                actor=row["actor_id"],
                action="contact.transition",
                entity_type="contact",
                entity_id=contact_id,
                summary=f"{before} → {after}",
                before={"lifecycle_stage": before},
                after={"lifecycle_stage": after},
                reason=row["reason"],
            )
        self.out.contacts.append(
            {
                "id": contact_id,
                "account_id": draft.account.id,
                "first_name": draft.first_name,
                "last_name": draft.last_name,
                "email": draft.email,
                "phone": draft.phone,
                "title": draft.title,
                "seniority": draft.seniority,
                "department": draft.department,
                "source": draft.source,
                "owner_id": draft.owner_id,
                "lifecycle_stage": stage,
                "stage_entered_at": entered,
                "furthest_rank": furthest,
                "disqualified_reason": last["reason"] if stage is S.DISQUALIFIED else None,
                "external_id": None,
                "created_at": draft.created_at,
                "updated_at": entered,
                "version": len(transitions),
            }
        )

    def _tick_lifecycle(
        self,
        stage: S,
        contact_id: int,
        actor: int | None,
        entered: datetime,
        left: datetime,
        ticked: set[int],
    ) -> None:
        """Tick the checklist of a lifecycle stage the contact leaves forwards.

        A tick stays when a contact later moves back, so a stage passed twice is ticked once.
        """
        for criterion_id in self.lifecycle_criteria.get(stage, ()):
            if criterion_id not in ticked:
                ticked.add(criterion_id)
                self.rec.check(criterion_id, contact_id, actor, self.rec.between(entered, left))
