"""Stakeholder maps: the deal's contacts (and colleagues the team brought in) with the part they
play in the purchase, how engaged they are, how they feel about us and when we last spoke.

Won deals are better threaded than lost ones: more people engaged, more often a VP-level
sponsor and a champion; some open deals hang on a single relationship.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from techwin.collaboration.charter_rules import StakeholderFact
from techwin.collaboration.enums import BuyingRole, Engagement, Sentiment
from techwin.demo.box_rows import Sink
from techwin.demo.collab_words import STAKEHOLDER_NOTES
from techwin.demo.deal_view import VP_PLUS, DealView, Person, moment
from techwin.pipeline.enums import Seniority

ENGAGED = (Engagement.ENGAGED, Engagement.ACTIVE)
# Outcome → (colleagues added: weights of 0, 1, 2), chance of an engaged VP+ sponsor,
# chance each other person is engaged.
THREADING = {
    "won": ((20, 45, 35), 0.82, 0.85),
    "lost": ((60, 30, 10), 0.4, 0.45),
    "open": ((45, 40, 15), 0.55, 0.65),
}
SENTIMENTS = {
    "won": ((Sentiment.POSITIVE, 70), (Sentiment.NEUTRAL, 25), (Sentiment.UNKNOWN, 5)),
    "lost": (
        (Sentiment.POSITIVE, 30),
        (Sentiment.NEUTRAL, 35),
        (Sentiment.NEGATIVE, 25),
        (Sentiment.UNKNOWN, 10),
    ),
    "open": (
        (Sentiment.POSITIVE, 50),
        (Sentiment.NEUTRAL, 30),
        (Sentiment.UNKNOWN, 15),
        (Sentiment.NEGATIVE, 5),
    ),
}
ROLES_BY_SENIORITY: dict[Seniority | None, tuple[BuyingRole, ...]] = {
    Seniority.C_LEVEL: (BuyingRole.ECONOMIC_BUYER, BuyingRole.DECISION_MAKER),
    Seniority.VP: (BuyingRole.ECONOMIC_BUYER, BuyingRole.DECISION_MAKER, BuyingRole.CHAMPION),
    Seniority.DIRECTOR: (
        BuyingRole.DECISION_MAKER,
        BuyingRole.CHAMPION,
        BuyingRole.TECHNICAL_EVALUATOR,
    ),
    Seniority.MANAGER: (BuyingRole.CHAMPION, BuyingRole.TECHNICAL_EVALUATOR, BuyingRole.INFLUENCER),
    Seniority.IC: (BuyingRole.TECHNICAL_EVALUATOR, BuyingRole.USER, BuyingRole.INFLUENCER),
    None: (BuyingRole.INFLUENCER, BuyingRole.USER),
}


@dataclass(slots=True)
class Mapped:
    """A stakeholder as the rest of the pass sees them: who, their part, how engaged, and
    since when they are on the map."""

    person: Person
    role: BuyingRole
    engagement: Engagement
    since: datetime

    @property
    def engaged(self) -> bool:
        """Engaged or driving the evaluation."""
        return self.engagement in ENGAGED

    def fact_at(self, at: datetime) -> StakeholderFact | None:
        """How the charter saw this person at ``at`` (not yet on the map: ``None``)."""
        if self.since > at:
            return None
        return StakeholderFact(self.person.name, self.role, self.engagement, self.person.seniority)


def outcome(deal: DealView) -> str:
    """``won``, ``lost`` or ``open``."""
    return "open" if deal.won is None else "won" if deal.won else "lost"


def map_stakeholders(
    rng: random.Random,
    sink: Sink,
    deal: DealView,
    colleagues: list[Person],
    *,
    sponsor_by: datetime | None,
    horizon: datetime,
) -> list[Mapped]:
    """The deal's stakeholder map (rows held in ``sink``), colleagues added to the deal's contacts
    as the service adds them. A deal qualified at ``sponsor_by`` has its VP-level sponsor
    engaged by then (when the account has one)."""
    fate = outcome(deal)
    extra_weights, sponsor_chance, engaged_chance = THREADING[fate]
    end = deal.end(horizon)
    opened = deal.created_at
    people = list(deal.contacts)
    known = {p.id for p in people}
    pool = [c for c in colleagues if c.id not in known and c.created_at < end]
    extra = rng.choices((0, 1, 2), weights=extra_weights)[0]
    if fate == "open" and deal.stage_key == "discovery":
        extra = min(extra, 1)
    sponsored = sponsor_by is not None or rng.random() < sponsor_chance * 0.5
    if sponsored and not any(p.seniority in VP_PLUS for p in people):
        vps = [c for c in pool if c.seniority in VP_PLUS]
        early = [c for c in vps if sponsor_by is not None and c.created_at <= sponsor_by]
        if sponsor_by is not None and vps and not early:
            early = [min(vps, key=lambda c: c.created_at)]  # the first one the account had
        vps = early or vps
        if vps:
            choice = rng.choice(vps)
            people.append(choice)
            pool.remove(choice)
            extra -= 1
    for choice in rng.sample(pool, k=max(0, min(extra, len(pool)))):
        people.append(choice)
    single = fate == "open" and sponsor_by is None and rng.random() < 0.6
    mapped: list[Mapped] = []
    taken: set[BuyingRole] = set()
    for index, person in enumerate(people):
        sponsor = sponsored and person.seniority in VP_PLUS
        role = _role(rng, person, index, taken, fate, sponsor)
        taken.add(role)
        if single:
            engaged = index == 0
        elif person.seniority in VP_PLUS:
            engaged = sponsored
        else:
            engaged = index == 0 or rng.random() < engaged_chance
        if engaged:
            engagement = (
                Engagement.ACTIVE if rng.random() < (0.5 if fate == "won" else 0.3) else
                Engagement.ENGAGED
            )  # fmt: skip
        else:
            engagement = rng.choice((Engagement.AWARE, Engagement.AWARE, Engagement.NONE))
        added = max(opened, person.created_at)
        if index == 0:
            since = added
        elif sponsor and sponsor_by is not None:
            since = moment(rng, added, sponsor_by, 0.0, 1.0) if added < sponsor_by else added
        else:
            # Won deals brought their people in early; others late, if at all.
            high = 0.5 if fate == "won" else 0.9
            since = moment(rng, added, end, 0.02, high)
        mapped.append(Mapped(person, role, engagement, since))
        _write(rng, sink, deal, person, role, engagement, fate, since, end, horizon)
        if person.id not in known:
            sink.add(
                "opportunity_contact",
                {"opportunity_id": deal.id, "contact_id": person.id, "is_primary": False},
            )
    return mapped


def _role(
    rng: random.Random,
    person: Person,
    index: int,
    taken: set[BuyingRole],
    fate: str,
    sponsor: bool,
) -> BuyingRole:
    if fate == "lost" and index > 0 and not sponsor and rng.random() < 0.2:
        return BuyingRole.BLOCKER
    choices = [r for r in ROLES_BY_SENIORITY[person.seniority] if r not in taken]
    first = index == 0 and person.seniority not in VP_PLUS
    if first and BuyingRole.CHAMPION not in taken and rng.random() < 0.55:
        return BuyingRole.CHAMPION
    return rng.choice(choices or list(ROLES_BY_SENIORITY[person.seniority]))


def _write(
    rng: random.Random,
    sink: Sink,
    deal: DealView,
    person: Person,
    role: BuyingRole,
    engagement: Engagement,
    fate: str,
    since: datetime,
    end: datetime,
    horizon: datetime,
) -> None:
    if role is BuyingRole.BLOCKER:
        sentiment = Sentiment.NEGATIVE
    else:
        choices, weights = zip(*SENTIMENTS[fate], strict=True)
        sentiment = rng.choices(choices, weights=weights)[0]
    touch: datetime | None = None
    if engagement is not Engagement.NONE:
        if deal.is_open:
            touch = max(since, horizon - timedelta(days=rng.uniform(0.5, 26)))
        else:
            touch = moment(rng, since, end, 0.6, 1.0)
    notes = STAKEHOLDER_NOTES.get(role, ())
    sink.add(
        "stakeholder",
        {
            "id": sink.take("stakeholder"),
            "opportunity_id": deal.id,
            "contact_id": person.id,
            "role": role,
            "engagement": engagement,
            "sentiment": sentiment,
            "last_touch_at": touch,
            "notes": rng.choice(notes) if notes and rng.random() < 0.3 else None,
            "created_at": since,
            "updated_at": touch or since,
            "version": 1,
        },
    )
