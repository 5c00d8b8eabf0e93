"""The organisation's two years as batches of rows: the part of the generation that needs no
database.

:func:`produce` turns what the database said (the rulebook in force, the first free ids) into
the organisation's rows, a batch at a time, in an order they can be written in: the people and
accounts, then every chunk of leads with all that happened to them, then the deals' other
contacts and the audit trail of people and accounts. Random draws follow the leads in creation
order, never the batches, so the chunk size changes nothing in the rows.

It touches no database, so it can run in a process of its own (:func:`produce_elsewhere`):
the simulation of a chunk then takes the second core while the chunk before is written.
"""

from __future__ import annotations

import gc
import os
import pickle
import queue
import random
import subprocess
import sys
import threading
import traceback
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, Any

from techwin.auth.enums import Role
from techwin.auth.security import hash_password
from techwin.db.bulk import Progress
from techwin.demo.companies import AccountDraft, build_accounts, build_contacts
from techwin.demo.deals import DealDesk
from techwin.demo.engage import Engagement, ScoringView
from techwin.demo.people import DEMO_PASSWORD, DemoLogin, Org, build_org
from techwin.demo.qualify import FrameworkInfo, GateSpec, Qualifier
from techwin.demo.records import IdBase, Packed, Recorder, Row, StageInfo
from techwin.demo.simulate import Simulator
from techwin.pipeline.enums import LifecycleStage

HISTORY_DAYS = 730  # about two years of funnel history before ``today``


@dataclass(frozen=True)
class ScaleSpec:
    """How big the organisation is, and how hard it works its funnel."""

    contacts: int
    accounts: int
    managers: int
    ses: int
    aes: int
    lift: float = 1.0  # multiplies the chance of every forward move along the funnel


@dataclass(frozen=True)
class Inputs:
    """Everything the history is made from: the organisation, the seed, the horizon, and what
    the database said (plain values, so they travel to another process)."""

    spec: ScaleSpec
    seed: int
    horizon: datetime  # the start of ``today``
    chunk_size: int
    first: dict[str, int]  # table → the first free id
    pipeline_id: int
    stages: list[StageInfo]
    deal_checklists: dict[int, list[tuple[int, str]]]
    lifecycle_checklists: dict[LifecycleStage, list[int]]
    contact_gates: dict[LifecycleStage, list[GateSpec]]
    deal_gates: dict[int, list[GateSpec]]
    frameworks: dict[str, FrameworkInfo]
    scoring: ScoringView


@dataclass
class People:
    """The first batch: teams, people and accounts (every later row points at them)."""

    teams: list[Row]
    users: list[Row]
    team_managers: list[tuple[int, int]]  # (team id, manager id), set once the people exist
    accounts: list[Row]
    since: datetime  # when the people and teams were created


@dataclass
class Chunk:
    """A chunk of leads with everything that happened to them, and their scores today."""

    done: int  # leads simulated so far, this chunk included
    total: int
    tables: list[Packed]  # the chunk's rows, in an order they can be written in
    scores: list[tuple[Any, ...]]  # lead_score rows (see techwin.demo.scores)
    by_stage: Counter[str] = field(default_factory=Counter)  # the chunk's leads by stage


@dataclass
class Closing:
    """The last batch: deal contacts, the people's and accounts' audit trail, and totals."""

    tables: list[Packed]
    logins: list[DemoLogin]
    promotions: int  # automated lead → mql moves made by the score reaching the threshold


@dataclass
class _Failed:
    """The producing process stopped on an error."""

    trace: str


Batch = People | Chunk | Closing


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a million acyclic rows are built.

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


def _account_row(account: AccountDraft) -> Row:
    return {
        "id": account.id,
        "name": account.name,
        "domain": account.domain,
        "industry": account.industry,
        "employee_count": account.employee_count,
        "region": account.region,
        "owner_id": account.owner_id,
        "external_id": None,
        "created_at": account.created_at,
        "updated_at": account.created_at,
        "version": 1,
    }


def produce(inputs: Inputs, progress: Progress | None = None) -> Iterator[Batch]:
    """The organisation's rows, batch by batch (:class:`People`, a :class:`Chunk` per chunk of
    leads, :class:`Closing`), reporting the simulation's progress when asked to.

    A batch is only valid until the next one is asked for.
    """
    spec, horizon, first = inputs.spec, inputs.horizon, inputs.first
    rng = random.Random(inputs.seed)
    start = horizon - timedelta(days=HISTORY_DAYS)
    since = start - timedelta(days=90)
    org = build_org(rng, first_id=first["user"], managers=spec.managers, ses=spec.ses, aes=spec.aes)
    accounts = build_accounts(rng, org=org, first_id=first["account"], count=spec.accounts)
    roster = build_contacts(
        rng,
        accounts=accounts,
        first_id=first["contact"],
        count=spec.contacts,
        start=start,
        horizon=horizon,
    )
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
        random.Random(f"{inputs.seed}/qualification"),
        recorder,
        frameworks=inputs.frameworks,
        contact_gates=inputs.contact_gates,
        deal_gates=inputs.deal_gates,
        roles={p.id: p.role.value for p in org.people},
        managers=_managers(org),
        horizon=horizon,
    )
    engagement = Engagement(
        random.Random(f"{inputs.seed}/engagement"),
        recorder,
        scoring=inputs.scoring,
        horizon=horizon,
    )
    deals = DealDesk(
        recorder,
        org=org,
        horizon=horizon,
        pipeline_id=inputs.pipeline_id,
        stages=inputs.stages,
        deal_criteria=inputs.deal_checklists,
        qualifier=qualifier,
    )
    simulator = Simulator(
        recorder,
        deals=deals,
        qualifier=qualifier,
        engagement=engagement,
        horizon=horizon,
        lifecycle_criteria=inputs.lifecycle_checklists,
        lift=spec.lift,
    )

    # One hash for everyone: hashing is deliberately slow.
    teams, users = _people_rows(
        org,
        password_hash=hash_password(DEMO_PASSWORD),
        since=since,
        first_team_id=first["team"],
    )
    yield People(
        teams=teams,
        users=users,
        team_managers=[
            (teams[index]["id"], manager_id) for index, manager_id in enumerate(org.team_managers)
        ],
        accounts=[_account_row(a) for a in accounts],
        since=since,
    )

    out = recorder.out
    scorer = engagement.scorer
    total = len(roster)
    step = max(1, total // 50)
    for begin in range(0, total, inputs.chunk_size):
        with gc_paused():
            drafts = roster.drafts(begin, begin + inputs.chunk_size)
            done = begin + len(drafts)
            for index, draft in enumerate(drafts, start=begin + 1):
                simulator.simulate_contact(draft)
                if progress is not None and (index % step == 0 or index == done):
                    progress("Simulating lead histories", index, total)
            chunk = Chunk(
                done=done,
                total=total,
                tables=out.pack(),
                scores=scorer.rows(drafts, out.events, now=horizon),
                by_stage=Counter(str(row["lifecycle_stage"].value) for row in out.contacts),
            )
            if progress is not None:
                progress("Scoring leads", done, total)
            del drafts
        yield chunk
        out.clear()

    with gc_paused():
        deals.attach_stakeholders(roster)
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
        tables = out.pack()
    yield Closing(tables=tables, logins=org.logins(), promotions=engagement.promotions)


def produce_elsewhere(inputs: Inputs) -> Iterator[Batch]:
    """:func:`produce`, run in a process of its own: the same batches, made while the ones
    before are written. The process is stopped if the caller stops early.

    The process is a fresh interpreter running :mod:`techwin.demo.worker`; the inputs go to it
    and the batches come back pickled over its standard input and output. A thread takes them
    off the pipe as they come (up to :data:`AHEAD` batches ahead), so the simulation goes on
    while this process is busy with something else, such as a nurture pass.
    """
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    process = subprocess.Popen(  # this interpreter, this module, no shell
        [sys.executable, "-m", "techwin.demo.worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    received: queue.Queue[bytes | None] = queue.Queue(maxsize=AHEAD)
    stop = threading.Event()
    reader = threading.Thread(
        target=_receive, args=(process.stdout, received, stop), name="demo-batches", daemon=True
    )
    try:
        pickle.dump(inputs, process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        process.stdin.close()
        reader.start()
        while True:
            message = received.get()
            if message is None:
                raise RuntimeError("the demo's simulation process ended unexpectedly")
            # Our own child process, answering what we gave it: safe to unpickle.
            batch: Batch | _Failed = pickle.loads(message)  # noqa: S301
            del message
            if isinstance(batch, _Failed):
                raise RuntimeError(f"the demo's simulation process failed:\n{batch.trace}")
            yield batch
            if isinstance(batch, Closing):
                break
        process.wait()
    finally:
        stop.set()
        if process.poll() is None:
            process.kill()
            process.wait()
        if reader.is_alive():
            reader.join()
        process.stdout.close()


AHEAD = 6  # batches the simulation may run ahead of the writing (about 30 MB each)
_LENGTH = 8  # bytes of the length that precedes every pickled batch


def _receive(pipe: IO[bytes], received: queue.Queue[bytes | None], stop: threading.Event) -> None:
    """Take pickled batches off the pipe as they come (reading lets other threads run), and
    ``None`` once it ends."""
    while not stop.is_set():
        header = pipe.read(_LENGTH)
        message: bytes | None = None
        if len(header) == _LENGTH:
            length = int.from_bytes(header, "big")
            message = pipe.read(length)
            if len(message) != length:  # the process ended halfway through a batch
                message = None
        while not stop.is_set():
            try:
                received.put(message, timeout=0.5)
                break
            except queue.Full:
                continue
        if message is None:
            return


def serve() -> None:  # pragma: no cover - runs in the simulation process
    """In the simulation process (:mod:`techwin.demo.worker`): read the inputs from standard
    input, send every batch (or what went wrong) to standard output."""
    channel = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but batches may reach the channel
    # The parent's own inputs, written by it a moment ago: safe to unpickle.
    inputs: Inputs = pickle.load(sys.stdin.buffer)  # noqa: S301

    def send(message: Batch | _Failed) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        channel.write(len(data).to_bytes(_LENGTH, "big"))
        channel.write(data)
        channel.flush()

    try:
        for batch in produce(inputs):
            send(batch)
    except (BrokenPipeError, KeyboardInterrupt):
        pass  # the writing process stopped reading (or was interrupted too): so do we
    except BaseException:  # whatever it was, the writing process must hear of it
        with suppress(BrokenPipeError):
            send(_Failed(traceback.format_exc()))
    finally:
        with suppress(OSError):
            channel.close()
