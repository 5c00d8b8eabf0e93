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
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from techwin.auth import service as auth_service
from techwin.auth.enums import Role
from techwin.auth.models import User
from techwin.auth.schemas import UserCreate
from techwin.core.time import utcnow
from techwin.evaluation import pocs
from techwin.evaluation.enums import CriterionResult, PocOutcome
from techwin.evaluation.schemas import CriterionIn, OutcomeIn, PocIn, ResultIn, SignOffIn
from techwin.pipeline import accounts, contacts, funnel_stats, gates, opportunities
from techwin.pipeline.enums import GateSubject, LifecycleStage, Seniority
from techwin.pipeline.models import Contact, ExitCriterion, LifecycleTransition
from techwin.pipeline.schemas import AccountIn, ContactIn, MoveIn, OpportunityIn
from techwin.qualification import assessments
from techwin.qualification.frameworks import current_framework
from techwin.scoring import service as scoring
from techwin.scoring.enums import EventKind
from techwin.scoring.nurture import service as nurture
from techwin.scoring.schemas import BatchEventIn, EventBatch

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
EVIDENCE = [
    "Discovery call notes, shared folder",
    "Email from the CFO confirming the budget line",
    "https://wiki.example/deals/mutual-plan",
]
# What the deal's SE rates before a move to the stage at that position: the default gates want
# the pain validated by the SE to leave technical validation, and the decision criteria
# validated to leave the proof of concept.
DEAL_QUALIFICATION = {2: ["identify_pain"], 3: ["decision_criteria"]}


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


def _rate(
    session: Session,
    actor: User,
    subject: GateSubject,
    subject_id: int,
    framework: str,
    elements: list[str],
    rng: random.Random,
) -> None:
    """Rate elements as validated (now and then confirmed, with the evidence that earns it)."""
    for element in elements:
        score = 3 if rng.random() < 0.3 else 2
        assessments.rate(
            session,
            actor=actor,
            subject=subject,
            subject_id=subject_id,
            framework_key=framework,
            element=element,
            score=score,
            evidence=rng.choice(EVIDENCE) if score == 3 else None,
        )


def _qualify_lead(session: Session, actor: User, contact: Contact, rng: random.Random) -> None:
    """BANT rated as validated: the default gate out of Sales accepted."""
    keys = [e.key for e in current_framework(session, "bant").elements]
    _rate(session, actor, GateSubject.CONTACT, contact.id, "bant", keys, rng)


def _signed_off_poc(session: Session, se: User, deal: Any, moment: datetime) -> None:
    """A three-week POC ending at ``moment``, every criterion met, passed and signed off."""
    day = moment.date()
    start = day - timedelta(days=21)
    poc = pocs.create_poc(
        session,
        actor=se,
        opportunity=deal,
        data=PocIn(
            title="Pilot on the customer's data",
            scope="Load a month of the customer's data and run their three key reports",
            start_date=start,
            end_date=day,
            criteria=[CriterionIn(description="Report load time", target="under 3 s")],
        ),
        today=start,
    )
    for criterion in pocs.get_poc(session, poc.id).criteria:
        pocs.record_result(
            session,
            actor=se,
            poc=poc,
            criterion_id=criterion.id,
            data=ResultIn(result=CriterionResult.MET, evidence="Measured on the pilot"),
            today=day,
        )
    outcome = OutcomeIn(outcome=PocOutcome.PASSED, concluded_on=day)
    pocs.record_outcome(session, actor=se, poc=poc, data=outcome, today=day)
    sign = SignOffIn(signed_off_by="Head of IT", signed_off_on=day)
    pocs.sign_off(session, actor=se, poc=poc, data=sign, today=day)


def _tick_all(session: Session, actor: User, deal_id: int, stage_ids: list[int]) -> None:
    """Tick every checklist criterion of the stages (qualification criteria are rated instead)."""
    criteria = session.scalars(
        select(ExitCriterion).where(
            ExitCriterion.pipeline_stage_id.in_(stage_ids), ExitCriterion.kind == "checklist"
        )
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
    """Create the organisation: people, accounts, leads with history, what they did (their
    scores follow), deals on the board and the nurture tasks the scores call for."""
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
    created_at: dict[int, datetime] = {}
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
        created_at[contact.id] = created
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
            if stage is LifecycleStage.SQL:
                _qualify_lead(session, owner, contact, rng)
            if stage is LifecycleStage.OPPORTUNITY:
                deal_name = f"{account.name} — {rng.choice(DEAL_KINDS)}"
                _open_deal(session, rng, org, contact, deal_name, owner, ses, manager, when, now)
                break
            contacts.transition_contact(
                session, actor=owner, contact=contact, to_stage=stage, at=when
            )
    _engage(session, rng, created_at, now)
    nurture.run_nurture(session, actor=None, now=now)  # hot leads become calls, warm ones sequences
    funnel_stats.rebuild(session)  # creation dates were backdated after the moves were counted
    session.flush()
    return org


EVENT_WEIGHTS = [
    (EventKind.PAGE_VIEW, 6),
    (EventKind.EMAIL_CLICK, 4),
    (EventKind.WEBINAR_ATTENDED, 2),
    (EventKind.DEMO_REQUEST, 1),
    (EventKind.TRIAL_SIGNUP, 1),
    (EventKind.EVENT_ATTENDED, 1),
]


def _engage(
    session: Session, rng: random.Random, created_at: dict[int, datetime], now: datetime
) -> None:
    """What the leads did: a few interactions each for most of them, spread over their lives."""
    kinds = [kind for kind, weight in EVENT_WEIGHTS for _ in range(weight)]
    events = []
    for contact_id, created in sorted(created_at.items()):
        if rng.random() < 0.35:
            continue
        for _ in range(rng.randint(1, 5)):
            span = max(1.0, (now - created).total_seconds())
            events.append(
                BatchEventIn(
                    contact_id=contact_id,
                    kind=rng.choice(kinds),
                    occurred_at=created + timedelta(seconds=rng.uniform(0, span)),
                )
            )
    if events:
        scoring.record_events(session, actor=None, batch=EventBatch(events=events), source="seed")


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
    term = rng.choice([12, 24, 36])
    competitors = rng.choice(COMPETITORS)
    team = rng.sample(ses, k=rng.choice([1, 1, 2]))
    deal = opportunities.create_opportunity(
        session,
        actor=owner,
        data=OpportunityIn(
            name=name,
            account_id=account_id,
            owner_id=owner.id,
            close_date=max(close, when.date()),
            acv=acv,
            term_months=term,
            competitors=competitors,
            compelling_event="Contract with the incumbent ends next quarter",
            se_ids=[s.id for s in team],
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
        elements = DEAL_QUALIFICATION.get(position, [])
        _rate(session, team[0], GateSubject.OPPORTUNITY, deal.id, "meddpicc", elements, rng)
        if position == 3:  # leaving the proof of concept takes a signed-off POC
            _signed_off_poc(session, team[0], deal, moment)
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
