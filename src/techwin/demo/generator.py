"""The deterministic demo organisation: same seed and same ``today``, same rows."""

from __future__ import annotations

import gc
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal, get_args

from sqlalchemy import Engine, Table, select, update
from sqlalchemy.orm import Session

from techwin.auth.enums import Role
from techwin.auth.security import hash_password
from techwin.core.time import start_of_day, utcnow
from techwin.db.bulk import Progress, insert_rows, insert_tuples, next_id, sync_sequences
from techwin.demo.companies import build_accounts, build_contacts
from techwin.demo.deals import DealDesk
from techwin.demo.engage import Engagement
from techwin.demo.followup import nurture_today, score_everyone, train_and_predict
from techwin.demo.people import DEMO_DOMAIN, DEMO_PASSWORD, DemoLogin, Org, build_org
from techwin.demo.qualify import Qualifier
from techwin.demo.records import IdBase, Recorder, Row
from techwin.demo.rulebook import (
    checklists,
    qualification_gates,
    read_frameworks,
    scoring_view,
    stage_infos,
)
from techwin.demo.simulate import Simulator
from techwin.errors import InvalidInput
from techwin.models import (
    Account,
    Assessment,
    AuditEvent,
    Base,
    Contact,
    CriterionCheck,
    EngagementEvent,
    LifecycleTransition,
    Opportunity,
    OpportunityContact,
    Rating,
    StageChange,
    Team,
    Unsubscribe,
    User,
)
from techwin.pipeline import funnel_stats
from techwin.pipeline.models import opportunity_se

Scale = Literal["small", "medium"]
SCALES: tuple[str, ...] = get_args(Scale)
HISTORY_DAYS = 730  # about two years of funnel history before ``today``


@dataclass(frozen=True)
class ScaleSpec:
    """How big the organisation is."""

    contacts: int
    accounts: int
    managers: int
    ses: int
    aes: int


SCALE_SPECS: dict[str, ScaleSpec] = {
    "small": ScaleSpec(contacts=500, accounts=70, managers=2, ses=6, aes=8),
    "medium": ScaleSpec(contacts=50_000, accounts=4_000, managers=3, ses=24, aes=40),
}


@dataclass(frozen=True)
class DemoSummary:
    """What a generation produced: the logins to show and the rows written per table."""

    scale: str
    seed: int
    today: date
    logins: list[DemoLogin]
    rows: dict[str, int] = field(default_factory=dict)
    contacts_by_stage: dict[str, int] = field(default_factory=dict)
    nurture: dict[str, int] = field(default_factory=dict)  # leads per tier, tasks, enrollments
    mql_by_score: int = 0  # automated lead → mql moves made by the score reaching the threshold
    model_auc: float | None = None  # held-out AUC of the predictive model, when one was trained
    model_note: str | None = None  # why no model was trained, when one was asked for


def generate(
    target: Session | Engine,
    *,
    scale: Scale,
    seed: int = 42,
    today: date | None = None,
    progress: Progress | None = None,
    with_model: bool = False,
) -> DemoSummary:
    """Create the demo organisation in ``target`` and return what was written.

    With a session the rows are flushed into its transaction (the caller commits); with an
    engine the generation runs in its own transaction. Everything is drawn from random streams
    seeded by ``seed`` and dated relative to ``today`` (UTC today when omitted), so the same
    seed and the same ``today`` give identical rows. Scores and the nurture run are computed by
    the services as of the start of ``today``. ``with_model`` also trains, activates and applies
    the predictive model (slower; its training window follows the wall clock, and scoring
    detaches every object the session holds). ``progress(phase, done, total)`` is called as the
    work advances. The database should hold no people yet.
    """
    if scale not in SCALE_SPECS:
        raise InvalidInput(f"scale must be one of {', '.join(SCALES)}", field="scale")
    day = today or utcnow().date()
    spec = SCALE_SPECS[scale]
    if isinstance(target, Engine):
        with Session(target) as session, session.begin():
            return _generate(session, spec, scale, seed, day, progress, with_model)
    return _generate(target, spec, scale, seed, day, progress, with_model)


def demo_logins(session: Session) -> list[DemoLogin]:
    """The demo organisation's sign-ins found in the database, in the order they were created."""
    users = session.scalars(
        select(User).where(User.email.like(f"%@{DEMO_DOMAIN}")).order_by(User.id)
    )
    return [
        DemoLogin(email=u.email, role=u.role, name=u.full_name, level=u.se_level, title=u.title)
        for u in users
    ]


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _managers(org: Org) -> dict[int, int]:
    """Each AE's and SE's team manager."""
    return {
        p.id: org.team_managers[p.team_index]
        for p in org.people
        if p.role in (Role.AE, Role.SE) and p.team_index is not None
    }


def _people_rows(
    org: Org, *, password_hash: str, since: datetime, first_team_id: int
) -> tuple[list[Row], list[Row]]:
    """Teams (their managers are set once the people exist) and people."""
    teams = [
        {
            "id": first_team_id + index,
            "name": t.name,
            "manager_id": None,
            "created_at": since,
            "updated_at": since,
        }
        for index, t in enumerate(org.teams)
    ]
    users = [
        {
            "id": p.id,
            "email": p.email,
            "full_name": p.full_name,
            "role": p.role,
            "team_id": None if p.team_index is None else first_team_id + p.team_index,
            "manager_id": p.manager_id,
            "se_level": p.se_level,
            "title": p.title,
            "is_active": True,
            "password_hash": password_hash,
            "created_at": since,
            "updated_at": since,
            "version": 1,
        }
        for p in org.people
    ]
    return teams, users


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a million acyclic rows are built and written.

    The rows hold no reference cycles, so collecting finds nothing, yet every pass walks all of
    them (and everything else the process holds): about a quarter of the generation time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class _History:
    """What writing the history left behind for the services and the summary."""

    rows: dict[str, int]
    contact_ids: list[int]
    by_stage: dict[str, int]
    logins: list[DemoLogin]
    mql_by_score: int


def _generate(
    session: Session,
    spec: ScaleSpec,
    scale: str,
    seed: int,
    today: date,
    progress: Progress | None,
    with_model: bool,
) -> DemoSummary:
    horizon = start_of_day(today)
    with _gc_paused():
        history = _write_history(session, spec, seed, horizon, progress)
        funnel_stats.rebuild(session)  # the funnel's time-in-stage histograms, from the moves
    # Now the services take over, as of the start of today: scores, then the nurture run.
    score_everyone(session, history.contact_ids, now=horizon, progress=progress)
    report = nurture_today(session, now=horizon, progress=progress)
    model = train_and_predict(session, progress=progress) if with_model else None
    rows = {
        **history.rows,
        "lead_score": len(history.contact_ids),
        "nurture_enrollment": report.enrolled,
        "task": report.owner_tasks + report.step_tasks,
    }
    if model is not None and model.auc is not None:
        rows["predictive_score"] = model.scored
    return DemoSummary(
        scale=scale,
        seed=seed,
        today=today,
        logins=history.logins,
        rows=rows,
        contacts_by_stage=history.by_stage,
        nurture={
            **report.tiered,
            "owner_tasks": report.owner_tasks,
            "enrolled": report.enrolled,
            "step_tasks": report.step_tasks,
        },
        mql_by_score=history.mql_by_score,
        model_auc=None if model is None else model.auc,
        model_note=None if model is None else model.note,
    )


def _write_history(
    session: Session, spec: ScaleSpec, seed: int, horizon: datetime, progress: Progress | None
) -> _History:
    """Simulate the organisation's two years and bulk-write every row of it."""
    rng = random.Random(seed)
    start = horizon - timedelta(days=HISTORY_DAYS)
    since = start - timedelta(days=90)
    if progress is not None:
        progress("Composing the organisation", 0, 1)

    tables = {
        "team": _table(Team),
        "user": _table(User),
        "account": _table(Account),
        "contact": _table(Contact),
        "lifecycle_transition": _table(LifecycleTransition),
        "opportunity": _table(Opportunity),
        "stage_change": _table(StageChange),
        "criterion_check": _table(CriterionCheck),
        "audit_event": _table(AuditEvent),
        "qualification_assessment": _table(Assessment),
        "qualification_rating": _table(Rating),
        "engagement_event": _table(EngagementEvent),
    }
    first = {name: next_id(session, table) for name, table in tables.items()}
    pipeline_id, stages = stage_infos(session)
    deal_checklists, lifecycle_checklists = checklists(session, [s.id for s in stages])
    contact_gates, deal_gates = qualification_gates(session, [s.id for s in stages])
    frameworks = read_frameworks(session)
    scoring = scoring_view(session)

    org = build_org(rng, first_id=first["user"], managers=spec.managers, ses=spec.ses, aes=spec.aes)
    accounts = build_accounts(rng, org=org, first_id=first["account"], count=spec.accounts)
    drafts = build_contacts(
        rng,
        accounts=accounts,
        first_id=first["contact"],
        count=spec.contacts,
        start=start,
        horizon=horizon,
    )
    if progress is not None:
        progress("Composing the organisation", 1, 1)

    recorder = Recorder(
        rng,
        IdBase(
            transition=first["lifecycle_transition"],
            opportunity=first["opportunity"],
            stage_change=first["stage_change"],
            check=first["criterion_check"],
            audit=first["audit_event"],
            assessment=first["qualification_assessment"],
            rating=first["qualification_rating"],
            event=first["engagement_event"],
        ),
    )
    # Qualification and engagement draw from streams of their own: the histories stay the same.
    qualifier = Qualifier(
        random.Random(f"{seed}/qualification"),
        recorder,
        frameworks=frameworks,
        contact_gates=contact_gates,
        deal_gates=deal_gates,
        roles={p.id: p.role.value for p in org.people},
        managers=_managers(org),
        horizon=horizon,
    )
    engagement = Engagement(
        random.Random(f"{seed}/engagement"), recorder, scoring=scoring, horizon=horizon
    )
    deals = DealDesk(
        recorder,
        org=org,
        horizon=horizon,
        pipeline_id=pipeline_id,
        stages=stages,
        deal_criteria=deal_checklists,
        qualifier=qualifier,
    )
    simulator = Simulator(
        recorder,
        deals=deals,
        qualifier=qualifier,
        engagement=engagement,
        horizon=horizon,
        lifecycle_criteria=lifecycle_checklists,
    )
    label = "Simulating lead histories"
    step = max(1, len(drafts) // 50)
    for index, draft in enumerate(drafts, start=1):
        simulator.simulate_contact(draft)
        if progress is not None and (index % step == 0 or index == len(drafts)):
            progress(label, index, len(drafts))
    deals.attach_stakeholders(drafts)
    out = recorder.out

    # One hash for everyone: hashing is deliberately slow.
    teams, users = _people_rows(
        org,
        password_hash=hash_password(DEMO_PASSWORD),
        since=since,
        first_team_id=first["team"],
    )
    account_rows = [
        {
            "id": a.id,
            "name": a.name,
            "domain": a.domain,
            "industry": a.industry,
            "employee_count": a.employee_count,
            "region": a.region,
            "owner_id": a.owner_id,
            "external_id": None,
            "created_at": a.created_at,
            "updated_at": a.created_at,
            "version": 1,
        }
        for a in accounts
    ]

    insert_rows(session, tables["team"], teams, label="Writing teams", progress=progress)
    insert_rows(session, tables["user"], users, label="Writing people", progress=progress)
    session.execute(
        update(Team),
        [
            {"id": teams[index]["id"], "manager_id": manager_id, "updated_at": since}
            for index, manager_id in enumerate(org.team_managers)
        ],
    )
    for user in users:
        recorder.audit(
            at=since,
            actor=None,
            action="user.create",
            entity_type="user",
            entity_id=user["id"],
            summary=f"created {user['email']} as {user['role'].value}",
        )
    for account in accounts:
        assert account.created_at is not None
        recorder.audit(
            at=account.created_at,
            actor=account.owner_id,
            action="account.create",
            entity_type="account",
            entity_id=account.id,
            summary=f"created account {account.name}",
        )
    plan: list[tuple[str, Table, list[Row]]] = [
        ("Writing accounts", tables["account"], account_rows),
        ("Writing contacts", tables["contact"], out.contacts),
        ("Writing unsubscribes", _table(Unsubscribe), out.unsubscribes),
        ("Writing assessments", tables["qualification_assessment"], out.assessments),
        ("Writing ratings", tables["qualification_rating"], out.ratings),
        ("Writing lifecycle history", tables["lifecycle_transition"], out.transitions),
        ("Writing opportunities", tables["opportunity"], out.opportunities),
        ("Writing deal teams", opportunity_se, out.opportunity_ses),
        ("Writing deal contacts", _table(OpportunityContact), out.opportunity_contacts),
        ("Writing stage history", tables["stage_change"], out.stage_changes),
        ("Writing gate checklists", tables["criterion_check"], out.checks),
        ("Writing the audit log", tables["audit_event"], out.audits),
    ]
    for phase, table, rows in plan:
        insert_rows(session, table, rows, label=phase, progress=progress)
    insert_tuples(
        session,
        tables["engagement_event"],
        ("id", "contact_id", "kind", "occurred_at", "detail", "created_at"),
        out.events,
        label="Writing engagement events",
        progress=progress,
    )
    sync_sequences(session, list(tables.values()))
    counts = {
        "team": len(teams),
        "user": len(users),
        "account": len(account_rows),
        "contact": len(out.contacts),
        "lifecycle_transition": len(out.transitions),
        "opportunity": len(out.opportunities),
        "opportunity_se": len(out.opportunity_ses),
        "opportunity_contact": len(out.opportunity_contacts),
        "stage_change": len(out.stage_changes),
        "criterion_check": len(out.checks),
        "audit_event": len(out.audits),
        "qualification_assessment": len(out.assessments),
        "qualification_rating": len(out.ratings),
        "engagement_event": len(out.events),
        "nurture_unsubscribe": len(out.unsubscribes),
    }
    by_stage = Counter(str(row["lifecycle_stage"].value) for row in out.contacts)
    return _History(
        rows=counts,
        contact_ids=[row["id"] for row in out.contacts],
        by_stage=dict(sorted(by_stage.items())),
        logins=org.logins(),
        mql_by_score=engagement.promotions,
    )
