"""The deterministic demo organisation: same seed and same ``today``, same rows.

Three scales share one code path. ``small`` is for tests, ``medium`` is the demo (50,000 leads,
about 2,500 deals), ``large`` is for capacity work: a million leads and about 100,000 deals.

The history is simulated and written a chunk of leads at a time (``chunk_size``): leads are
drawn up front into a compact roster (:class:`techwin.demo.companies.Roster`), then each chunk
is turned into drafts, simulated, scored and bulk-written before the next one starts, so memory
stays flat whatever the scale. Random draws follow the leads in creation order, never the
chunks, so the chunk size changes nothing in the rows. Every row of a chunk points at people,
accounts or leads written before it, except a deal's colleagues (leads created after the
primary one), which are linked once every lead is written. The simulation needs no database
(:mod:`techwin.demo.history`): for a large organisation it runs in a process of its own, so
one core simulates a chunk while the other writes the one before (``background``).

Lead scores are computed with the scoring rules' own arithmetic on the events just drawn and
written in bulk (:mod:`techwin.demo.scores`): the numbers the scoring service would store.
Today's nurture run is the nurture service's own, made in passes every few chunks so that it
never holds more than a few hundred thousand leads' tasks at once
(:class:`techwin.demo.followup.NurtureRun`): the tasks and enrollments are those of one run,
only their ids follow the passes.

Once the history is written, a pass of its own gives the organisation its two-in-a-box life
(:mod:`techwin.demo.two_in_a_box`): pods, SE profiles and charters, then per deal the
stakeholder map, POC and technical win, competitors, product gaps, SE requests with their
status history, and calls with their huddles and debriefs, read and written in chunks of deals.

The large organisation. Run through medium's funnel, a million leads would give about 51,000
deals (5.1% of leads reach ``opportunity``). An organisation that makes 100,000 deals out of a
million leads in two years works its funnel harder (development reps call every MQL the day
it arrives, sellers follow up every accepted lead): that is modelled as one ``lift`` of 1.19
on the chance of every forward move along the funnel (lead → MQL, MQL → SAL, SAL → SQL, SQL →
opportunity). It roughly doubles the share of leads that become deals while every step still
narrows as in medium (each conversion rises by a fifth or less); deals are won and lost as in
medium. Its 60,000 accounts are owned by 1,000 AEs and worked by 600 SEs in 60 teams, each
covering one segment in one region, so an AE owns about 1,000 leads, as in medium.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, get_args

from sqlalchemy import Engine, Table, select, update
from sqlalchemy.orm import Session

from techwin.core.time import start_of_day, utcnow
from techwin.db.bulk import (
    Progress,
    insert_rows,
    insert_tuples,
    next_id,
    refresh_statistics,
    sync_sequences,
)
from techwin.demo.followup import NurtureRun, train_and_predict
from techwin.demo.history import (
    Batch,
    Chunk,
    Closing,
    Inputs,
    People,
    ScaleSpec,
    gc_paused,
    produce,
    produce_elsewhere,
)
from techwin.demo.people import DEMO_DOMAIN, DemoLogin
from techwin.demo.records import Packed, Row
from techwin.demo.rulebook import (
    checklists,
    qualification_gates,
    read_frameworks,
    scoring_view,
    stage_infos,
)
from techwin.demo.scores import LEAD_SCORE_COLUMNS
from techwin.demo.two_in_a_box import COUNTED as BOX_TABLES
from techwin.demo.two_in_a_box import write_two_in_a_box
from techwin.errors import InvalidInput
from techwin.models import (
    Account,
    Assessment,
    AuditEvent,
    Base,
    Contact,
    CriterionCheck,
    EngagementEvent,
    LeadScore,
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
from techwin.scoring.nurture.schemas import RunReport

__all__ = [
    "SCALES",
    "SCALE_SPECS",
    "DemoSummary",
    "Scale",
    "ScaleSpec",
    "demo_logins",
    "generate",
]

Scale = Literal["small", "medium", "large"]
SCALES: tuple[str, ...] = get_args(Scale)
CHUNK_SIZE = 20_000  # leads simulated and written at a time
NURTURE_EVERY = 10  # chunks written between two passes of today's nurture run
BACKGROUND_FROM = 200_000  # leads from which the simulation runs in a process of its own

SCALE_SPECS: dict[str, ScaleSpec] = {
    "small": ScaleSpec(contacts=500, accounts=70, managers=2, ses=6, aes=8),
    "medium": ScaleSpec(contacts=50_000, accounts=4_000, managers=3, ses=24, aes=40),
    "large": ScaleSpec(
        contacts=1_000_000, accounts=60_000, managers=60, ses=600, aes=1_000, lift=1.19
    ),
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
    spec: ScaleSpec | None = None,
    chunk_size: int = CHUNK_SIZE,
    background: bool | None = None,
) -> DemoSummary:
    """Create the demo organisation in ``target`` and return what was written.

    With a session the rows are flushed into its transaction (the caller commits); with an
    engine the generation runs in its own transaction. Everything is drawn from random streams
    seeded by ``seed`` and dated relative to ``today`` (UTC today when omitted), so the same
    seed and the same ``today`` give identical rows. Scores and the nurture run are computed by
    the services as of the start of ``today``. ``with_model`` also trains, activates and applies
    the predictive model (slower; its training window follows the wall clock, and scoring
    detaches every object the session holds). ``progress(phase, done, total)`` is called as the
    work advances. The database should hold no people yet. ``spec`` replaces the scale's own
    organisation (``scale`` then only names it); ``chunk_size`` leads are simulated and written
    at a time, and ``background`` runs the simulation in a process of its own (by default from
    :data:`BACKGROUND_FROM` leads); neither changes the rows.
    """
    if scale not in SCALE_SPECS:
        raise InvalidInput(f"scale must be one of {', '.join(SCALES)}", field="scale")
    if chunk_size < 1:
        raise InvalidInput("chunk_size must be at least 1", field="chunk_size")
    day = today or utcnow().date()
    organisation = spec or SCALE_SPECS[scale]
    if background is None:
        background = organisation.contacts >= BACKGROUND_FROM
    plan = _Plan(scale, organisation, seed, day, chunk_size, background)
    if isinstance(target, Engine):
        with Session(target) as session, session.begin():
            return _generate(session, plan, progress, with_model)
    return _generate(target, plan, progress, with_model)


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


@dataclass(frozen=True)
class _Plan:
    """What to generate, and how."""

    scale: str
    spec: ScaleSpec
    seed: int
    today: date
    chunk_size: int
    background: bool


@dataclass(frozen=True)
class _History:
    """What writing the history left behind for the summary."""

    rows: dict[str, int]
    by_stage: dict[str, int]
    logins: list[DemoLogin]
    mql_by_score: int
    nurture: RunReport


def _generate(
    session: Session, plan: _Plan, progress: Progress | None, with_model: bool
) -> DemoSummary:
    horizon = start_of_day(plan.today)
    history = _write_history(session, plan, horizon, progress)
    label = "Counting funnel durations"
    if progress is not None:
        progress(label, 0, 1)
    funnel_stats.rebuild(session)  # the funnel's time-in-stage histograms, from the moves
    if progress is not None:
        progress(label, 1, 1)
    # Pods, charters, requests, calls, stakeholders, POCs, technical wins, competitors, gaps.
    box = write_two_in_a_box(session, seed=plan.seed, today=plan.today, progress=progress)
    label = "Refreshing planner statistics"
    if progress is not None:
        progress(label, 0, 1)
    refresh_statistics(session)
    if progress is not None:
        progress(label, 1, 1)
    report = history.nurture
    model = train_and_predict(session, progress=progress) if with_model else None
    rows = {
        **history.rows,
        **{name: box[name] for name in BOX_TABLES},
        "opportunity_contact": history.rows["opportunity_contact"] + box["opportunity_contact"],
        "audit_event": history.rows["audit_event"] + box["audit_event"],
        "nurture_enrollment": report.enrolled,
        "task": report.owner_tasks + report.step_tasks,
    }
    if model is not None and model.auc is not None:
        rows["predictive_score"] = model.scored
    return DemoSummary(
        scale=plan.scale,
        seed=plan.seed,
        today=plan.today,
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


# Tables with ids the demo assigns itself, by the name the history knows them by.
_ID_TABLES: dict[str, type[Base]] = {
    "team": Team,
    "user": User,
    "account": Account,
    "contact": Contact,
    "lifecycle_transition": LifecycleTransition,
    "opportunity": Opportunity,
    "stage_change": StageChange,
    "criterion_check": CriterionCheck,
    "audit_event": AuditEvent,
    "qualification_assessment": Assessment,
    "qualification_rating": Rating,
    "engagement_event": EngagementEvent,
}
# Every table a batch may name.
_TABLES: dict[str, Table] = {
    table.name: table
    for table in (
        *(_table(model) for model in _ID_TABLES.values()),
        _table(Unsubscribe),
        _table(OpportunityContact),
        opportunity_se,
    )
}
# Every table the summary reports, even when a (tiny) organisation wrote nothing into it.
_COUNTED = (
    "team",
    "user",
    "account",
    "contact",
    "lifecycle_transition",
    "opportunity",
    "opportunity_se",
    "opportunity_contact",
    "stage_change",
    "criterion_check",
    "audit_event",
    "qualification_assessment",
    "qualification_rating",
    "engagement_event",
    "nurture_unsubscribe",
    "lead_score",
    *BOX_TABLES,  # written by the two-in-a-box pass (see techwin.demo.two_in_a_box)
)


class _Writer:
    """Bulk-writes batches of rows, table by table, and counts them."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.counts: Counter[str] = Counter(dict.fromkeys(_COUNTED, 0))

    def rows(self, table: Table, rows: list[Row]) -> None:
        """Write ``rows`` (dicts with the same keys) into ``table``."""
        if rows:
            insert_rows(self.session, table, rows, label=table.name)
            self.counts[table.name] += len(rows)

    def tuples(
        self, table: Table, columns: Sequence[str], records: Sequence[Sequence[Any]]
    ) -> None:
        """Write compact records (values in ``columns`` order) into ``table``."""
        if records:
            insert_tuples(self.session, table, columns, records, label=table.name)
            self.counts[table.name] += len(records)

    def packed(self, tables: list[Packed]) -> None:
        """Write packed rows, table after table, in the order given."""
        for name, columns, records in tables:
            self.tuples(_TABLES[name], columns, records)

    def people(self, batch: People) -> None:
        """Teams, people (then the teams' managers) and accounts."""
        self.rows(_table(Team), batch.teams)
        self.rows(_table(User), batch.users)
        if batch.team_managers:
            self.session.execute(
                update(Team),
                [
                    {"id": team_id, "manager_id": manager_id, "updated_at": batch.since}
                    for team_id, manager_id in batch.team_managers
                ],
            )
        self.rows(_table(Account), batch.accounts)


def _inputs(session: Session, plan: _Plan, horizon: datetime) -> Inputs:
    """What the history is made from, the rulebook in force read from the database."""
    pipeline_id, stages = stage_infos(session)
    stage_ids = [s.id for s in stages]
    deal_checklists, lifecycle_checklists = checklists(session, stage_ids)
    contact_gates, deal_gates = qualification_gates(session, stage_ids)
    return Inputs(
        spec=plan.spec,
        seed=plan.seed,
        horizon=horizon,
        chunk_size=plan.chunk_size,
        first={name: next_id(session, _table(model)) for name, model in _ID_TABLES.items()},
        pipeline_id=pipeline_id,
        stages=stages,
        deal_checklists=deal_checklists,
        lifecycle_checklists=lifecycle_checklists,
        contact_gates=contact_gates,
        deal_gates=deal_gates,
        frameworks=read_frameworks(session),
        scoring=scoring_view(session),
    )


def _write_history(
    session: Session, plan: _Plan, horizon: datetime, progress: Progress | None
) -> _History:
    """Simulate the organisation's two years and bulk-write every row of it, chunk by chunk,
    with today's nurture run made on the way."""
    if progress is not None:
        progress("Composing the organisation", 0, 1)
    inputs = _inputs(session, plan, horizon)
    batches: Iterator[Batch] = (
        produce_elsewhere(inputs) if plan.background else produce(inputs, progress)
    )
    writer = _Writer(session)
    by_stage: Counter[str] = Counter()
    # Today's nurture run, as of the start of today, by the service: a pass every few chunks
    # (see NurtureRun), the last one once every lead is written.
    nurture = NurtureRun(session, now=horizon, progress=progress)
    chunks = 0
    closing: Closing | None = None
    for batch in batches:
        if isinstance(batch, People):
            if progress is not None:
                progress("Composing the organisation", 1, 1)
            with gc_paused():
                writer.people(batch)
        elif isinstance(batch, Chunk):
            if progress is not None and plan.background:
                progress("Simulating lead histories", batch.done, batch.total)
            by_stage.update(batch.by_stage)
            with gc_paused():
                writer.packed(batch.tables)
                writer.tuples(_table(LeadScore), LEAD_SCORE_COLUMNS, batch.scores)
            if progress is not None:
                progress("Writing the history", batch.done, batch.total)
            chunks += 1
            if chunks % NURTURE_EVERY == 0 and batch.done < batch.total:
                _nurture_pass(session, nurture, batch.done, batch.total)
        else:
            closing = batch
            label = "Linking deal contacts"
            if progress is not None:
                progress(label, 0, 1)
            with gc_paused():
                writer.packed(batch.tables)
            sync_sequences(session, [_table(model) for model in _ID_TABLES.values()])
            if progress is not None:
                progress(label, 1, 1)
    assert closing is not None, "the history ends with its closing batch"
    nurture.run(plan.spec.contacts, plan.spec.contacts)
    return _History(
        rows=dict(writer.counts),
        by_stage=dict(sorted(by_stage.items())),
        logins=closing.logins,
        mql_by_score=closing.promotions,
        nurture=nurture.finish(),
    )


def _nurture_pass(session: Session, nurture: NurtureRun, done: int, total: int) -> None:
    """A pass of today's nurture run while leads are still being written."""
    audits = next_id(session, _table(AuditEvent))
    nurture.run(done, total)
    # The history's audit events still to come have their ids already: none may be taken.
    if next_id(session, _table(AuditEvent)) != audits:
        raise RuntimeError("the nurture run wrote audit events; the demo's ids would collide")
