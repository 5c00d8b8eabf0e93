"""A small, deterministic sales organisation for browser tests and screenshots.

Everything is created through the real services (users, accounts, leads, lifecycle moves, deals,
checklist ticks, gated stage moves), with past timestamps so that the funnel's conversion rates
and median days in stage, the board's closed columns and the timelines look like real use.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from techwin.auth import service as auth_service
from techwin.auth.enums import Role
from techwin.auth.models import User
from techwin.auth.schemas import UserCreate
from techwin.core.time import utcnow
from techwin.pipeline import accounts, contacts, gates, opportunities
from techwin.pipeline.enums import GateSubject, LifecycleStage, Seniority
from techwin.pipeline.models import Contact, ExitCriterion, LifecycleTransition
from techwin.pipeline.schemas import AccountIn, ContactIn, MoveIn, OpportunityIn

PASSWORD = "correct horse battery"

PEOPLE = [
    ("admin@example.com", "Morgan Admin", Role.ADMIN),
    ("maya.chen@example.com", "Maya Chen", Role.MANAGER),
    ("alex.morgan@example.com", "Alex Morgan", Role.AE),
    ("jordan.lee@example.com", "Jordan Lee", Role.AE),
    ("sofia.garcia@example.com", "Sofia Garcia", Role.AE),
    ("noah.williams@example.com", "Noah Williams", Role.AE),
    ("priya.shah@example.com", "Priya Shah", Role.SE),
    ("lukas.becker@example.com", "Lukas Becker", Role.SE),
    ("amara.okafor@example.com", "Amara Okafor", Role.SE),
    ("viewer@example.com", "Vic Viewer", Role.VIEWER),
]
COMPANY_A = ["Aster", "Bluefin", "Cobalt", "Driftwood", "Ember", "Fjord", "Granite", "Halcyon"]
COMPANY_A += ["Juniper", "Kestrel", "Lumen", "Meridian", "Northstar", "Orchid", "Pinnacle"]
COMPANY_B = ["Analytics", "Logistics", "Health", "Retail", "Energy", "Media", "Bank", "Systems"]
INDUSTRIES = ["Software", "Logistics", "Healthcare", "Retail", "Energy", "Media", "Finance"]
REGIONS = ["EMEA", "NA East", "NA West", "APAC", "LATAM"]
FIRST = ["Ada", "Ben", "Chloe", "Dev", "Elena", "Felix", "Grace", "Hiro", "Ines", "Jonas", "Kira"]
FIRST += ["Liam", "Mina", "Nico", "Olga", "Pavel", "Quinn", "Rosa", "Sami", "Tara", "Uma", "Wes"]
LAST = ["Novak", "Haddad", "Larsen", "Moreau", "Tanaka", "Okoye", "Silva", "Kowalski", "Berg"]
LAST += ["Rossi", "Nguyen", "Fischer", "Dubois", "Ivanova", "Patel", "Costa", "Weber", "Sato"]
TITLES = [
    ("VP Engineering", Seniority.VP),
    ("Head of IT", Seniority.DIRECTOR),
    ("CTO", Seniority.C_LEVEL),
    ("Platform Lead", Seniority.MANAGER),
    ("Data Engineer", Seniority.IC),
    ("Director of Operations", Seniority.DIRECTOR),
]
SOURCES = ["website", "demo request", "webinar", "event", "referral", "outbound", "partner"]
LOST_REASONS = ["Chose a competitor on price", "No budget this year", "Project cancelled"]
COMPETITORS = ["Acmeflow, Stackly", "Stackly", "in-house build", "Acmeflow"]
DEAL_KINDS = ["Platform", "Analytics", "Expansion", "Pilot", "Migration"]


@dataclass
class Organisation:
    """What the seed created, for tests to refer to."""

    users: dict[str, User] = field(default_factory=dict)
    contacts: int = 0
    deals: int = 0


def create_people(session: Session) -> dict[str, User]:
    """The sales team, each with the shared test password."""
    users = {}
    for email, name, role in PEOPLE:
        data = UserCreate(email=email, full_name=name, role=role, password=PASSWORD)
        users[email] = auth_service.create_user(session, actor=None, data=data)
    return users


def _backdate(session: Session, contact: Contact, when: datetime) -> None:
    """Pretend the lead was created at ``when`` (test data only)."""
    contact.created_at = when
    contact.stage_entered_at = when
    first = session.scalar(
        select(LifecycleTransition).where(LifecycleTransition.contact_id == contact.id)
    )
    if first is not None:
        first.at = when
    session.flush()


def _tick_all(session: Session, actor: User, deal_id: int, stage_ids: list[int]) -> None:
    criteria = session.scalars(
        select(ExitCriterion).where(ExitCriterion.pipeline_stage_id.in_(stage_ids))
    )
    for criterion in criteria:
        gates.set_check(
            session,
            actor=actor,
            criterion_id=criterion.id,
            subject=GateSubject.OPPORTUNITY,
            subject_id=deal_id,
            met=True,
        )


def seed(session: Session, *, leads: int = 140, seed_value: int = 7) -> Organisation:
    """Create the organisation: people, accounts, leads with history and deals on the board."""
    rng = random.Random(seed_value)
    now = utcnow()
    org = Organisation(users=create_people(session))
    aes = [u for u in org.users.values() if u.role is Role.AE]
    ses = [u for u in org.users.values() if u.role is Role.SE]
    manager = next(u for u in org.users.values() if u.role is Role.MANAGER)
    names = [f"{a} {b}" for a in COMPANY_A for b in COMPANY_B]
    rng.shuffle(names)
    account_list = []
    for name in names[:32]:
        owner = rng.choice(aes)
        account_list.append(
            accounts.create_account(
                session,
                actor=owner,
                data=AccountIn(
                    name=name,
                    domain=name.lower().replace(" ", "") + ".example",
                    industry=rng.choice(INDUSTRIES),
                    employee_count=rng.choice([80, 250, 600, 1200, 4000, 12000]),
                    region=rng.choice(REGIONS),
                ),
            )
        )
    main = [LifecycleStage.MQL, LifecycleStage.SAL, LifecycleStage.SQL, LifecycleStage.OPPORTUNITY]
    advance = [0.8, 0.74, 0.7, 0.72]
    for index in range(leads):
        owner = rng.choice(aes)
        account = rng.choice(account_list)
        title, seniority = rng.choice(TITLES)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        created = now - timedelta(days=rng.randint(8, 330), hours=rng.randint(0, 23))
        contact = contacts.create_contact(
            session,
            actor=owner,
            data=ContactIn(
                first_name=first,
                last_name=last,
                email=f"{first}.{last}.{index}@{account.domain}".lower(),
                title=title,
                seniority=seniority,
                source=rng.choice(SOURCES),
                account_id=account.id,
                owner_id=owner.id,
            ),
        )
        _backdate(session, contact, created)
        org.contacts += 1
        when = created
        for stage, chance in zip(main, advance, strict=True):
            step = timedelta(days=rng.randint(1, 18), hours=rng.randint(1, 20))
            if when + step > now or rng.random() > chance:
                if rng.random() < 0.25 and when + step < now:
                    exit_to = rng.choice([LifecycleStage.NURTURE, LifecycleStage.DISQUALIFIED])
                    contacts.transition_contact(
                        session,
                        actor=owner,
                        contact=contact,
                        to_stage=exit_to,
                        reason="no fit for now" if exit_to is LifecycleStage.DISQUALIFIED else None,
                        at=when + step,
                    )
                break
            when = when + step
            if stage is LifecycleStage.OPPORTUNITY:
                deal_name = f"{account.name} — {rng.choice(DEAL_KINDS)}"
                _open_deal(session, rng, org, contact, deal_name, owner, ses, manager, when, now)
                break
            contacts.transition_contact(
                session, actor=owner, contact=contact, to_stage=stage, at=when
            )
    session.flush()
    return org


def _open_deal(
    session: Session,
    rng: random.Random,
    org: Organisation,
    contact: Contact,
    name: str,
    owner: User,
    ses: list[User],
    manager: User,
    when: datetime,
    now: datetime,
) -> None:
    """Convert a contact at ``when`` and walk the deal through some stages."""
    contacts.transition_contact(
        session,
        actor=owner,
        contact=contact,
        to_stage=LifecycleStage.OPPORTUNITY,
        reason="converted",
        at=when,
    )
    account_id = contact.account_id
    assert account_id is not None
    acv = Decimal(rng.choice([18, 24, 36, 48, 60, 75, 90, 120, 150, 240])) * 1000
    close = (when + timedelta(days=rng.randint(30, 160))).date()
    deal = opportunities.create_opportunity(
        session,
        actor=owner,
        data=OpportunityIn(
            name=name,
            account_id=account_id,
            owner_id=owner.id,
            close_date=max(close, when.date()),
            acv=acv,
            term_months=rng.choice([12, 24, 36]),
            competitors=rng.choice(COMPETITORS),
            compelling_event="Contract with the incumbent ends next quarter",
            se_ids=[s.id for s in rng.sample(ses, k=rng.choice([1, 1, 2]))],
            contact_ids=[contact.id],
        ),
        created_at=when,
    )
    org.deals += 1
    stages = opportunities.pipeline_stages(session, deal.pipeline_id)
    open_stages = [s for s in stages if not s.is_closed]
    won = next(s for s in stages if s.is_won)
    lost = next(s for s in stages if s.is_closed and not s.is_won)
    steps = rng.choice([0, 0, 1, 1, 2, 2, 3, 4, 5, 5])
    moment = when
    for position in range(1, steps + 1):
        moment = moment + timedelta(days=rng.randint(4, 21))
        if moment > now:
            return
        if position < len(open_stages):
            target = open_stages[position]
            _tick_all(session, owner, deal.id, [s.id for s in open_stages[:position]])
            opportunities.move_opportunity(
                session, actor=owner, opportunity=deal, data=MoveIn(stage=target.key), at=moment
            )
        else:
            _tick_all(session, owner, deal.id, [s.id for s in open_stages])
            if rng.random() < 0.6:
                data = MoveIn(stage=won.key)
            else:
                data = MoveIn(stage=lost.key, reason=rng.choice(LOST_REASONS))
            opportunities.move_opportunity(
                session, actor=manager, opportunity=deal, data=data, at=moment
            )
            return
    if steps == 0 and rng.random() < 0.15 and moment + timedelta(days=10) < now:
        opportunities.move_opportunity(
            session,
            actor=owner,
            opportunity=deal,
            data=MoveIn(stage=lost.key, reason=rng.choice(LOST_REASONS)),
            at=moment + timedelta(days=10),
        )
