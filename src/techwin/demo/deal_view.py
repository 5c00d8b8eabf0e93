"""The deals already written, read back a chunk at a time as the two-in-a-box pass needs them
(their stays in each stage, engineers and contacts), and the senior colleagues at every account
who could join a stakeholder map."""

from __future__ import annotations

import random
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cached_property

from sqlalchemy import ColumnElement, String, Table, select, type_coerce
from sqlalchemy.orm import Session

from techwin.db.base import Base
from techwin.demo.records import StageInfo
from techwin.pipeline.enums import Seniority
from techwin.pipeline.models import (
    Account,
    Contact,
    Opportunity,
    OpportunityContact,
    StageChange,
    opportunity_se,
)

# Colleagues worth putting on a stakeholder map: people with a say in the purchase.
SENIOR = (Seniority.DIRECTOR, Seniority.VP, Seniority.C_LEVEL)
LEVELS: tuple[Seniority, ...] = tuple(Seniority)
VP_PLUS = frozenset({Seniority.VP, Seniority.C_LEVEL})


def moment(rng: random.Random, start: datetime, end: datetime, low: float, high: float) -> datetime:
    """A moment between ``low`` and ``high`` of the way from ``start`` to ``end``."""
    span = max(0.0, (end - start).total_seconds())
    return start + timedelta(seconds=int(span * rng.uniform(low, high)))


@dataclass(slots=True)
class Person:
    """A contact as the pass sees them."""

    id: int
    name: str
    title: str | None
    seniority: Seniority | None
    created_at: datetime

    @property
    def signature(self) -> str:
        """``Name, Title`` as a sign-off names the person."""
        return f"{self.name}, {self.title}"[:120] if self.title else self.name[:120]


@dataclass(slots=True)
class Span:
    """A stay in one open stage: when it began and ended, and where the deal went next
    (``None`` while it is still there)."""

    key: str
    start: datetime
    end: datetime
    next_key: str | None


@dataclass
class DealView:
    """A written deal and what happened to it."""

    id: int
    name: str
    account_id: int
    account_name: str
    region: str | None
    owner_id: int
    created_at: datetime
    closed_at: datetime | None
    close_date: date | None
    acv: Decimal | None
    competitors: str | None
    lost_reason: str | None
    won: bool | None = None  # None while open
    spans: list[Span] = field(default_factory=list)
    engineers: list[int] = field(default_factory=list)
    contacts: list[Person] = field(default_factory=list)  # the primary contact first

    @property
    def is_open(self) -> bool:
        """Still in an open stage."""
        return self.closed_at is None

    @property
    def lost(self) -> bool:
        """Closed lost."""
        return self.won is False

    @property
    def stage_key(self) -> str:
        """The open stage the deal is in, or the last one it was in before it closed."""
        return self.spans[-1].key

    @cached_property
    def use_case(self) -> str:
        """The use case its name carries after the dash."""
        return self.name.rsplit(" — ", 1)[-1]

    def span(self, key: str) -> Span | None:
        """The deal's stay in stage ``key``, if it got there."""
        for span in self.spans:
            if span.key == key:
                return span
        return None

    def end(self, horizon: datetime) -> datetime:
        """When the deal's life ends for the pass: its close, or the horizon while open."""
        return self.closed_at or horizon


def deal_chunks(
    session: Session, *, stages: Sequence[StageInfo], horizon: datetime, size: int
) -> Iterator[list[DealView]]:
    """Deals in id order, ``size`` at a time, with their stays, engineers and contacts."""
    by_id = {s.id: s for s in stages}
    after = 0
    while True:
        rows = session.execute(
            select(
                Opportunity.id,
                Opportunity.name,
                Opportunity.account_id,
                Account.name,
                Account.region,
                Opportunity.owner_id,
                Opportunity.created_at,
                Opportunity.closed_at,
                Opportunity.close_date,
                Opportunity.acv,
                Opportunity.competitors,
                Opportunity.lost_reason,
            )
            .join(Account, Account.id == Opportunity.account_id)
            .where(Opportunity.id > after)
            .order_by(Opportunity.id)
            .limit(size)
        ).all()
        if not rows:
            return
        deals = {
            row[0]: DealView(
                id=row[0],
                name=row[1],
                account_id=row[2],
                account_name=row[3],
                region=row[4],
                owner_id=row[5],
                created_at=row[6],
                closed_at=row[7],
                close_date=row[8],
                acv=row[9],
                competitors=row[10],
                lost_reason=row[11],
            )
            for row in rows
            if row[5] is not None
        }
        first, last = rows[0][0], rows[-1][0]
        after = last
        _add_spans(session, deals, by_id, first, last, horizon)
        for deal_id, user_id in session.execute(
            select(opportunity_se.c.opportunity_id, opportunity_se.c.user_id)
            .where(opportunity_se.c.opportunity_id.between(first, last))
            .order_by(opportunity_se.c.opportunity_id, opportunity_se.c.user_id)
        ):
            if deal_id in deals:
                deals[deal_id].engineers.append(user_id)
        _add_contacts(session, deals, first, last)
        yield [d for d in deals.values() if d.spans and d.contacts and d.engineers]


class SeniorStaff:
    """Every account's senior contacts (directors and above), who could join a stakeholder
    map: read once in one scan of the contacts and held compactly (sorted arrays), so that
    a large organisation costs a few megabytes and no query per deal."""

    def __init__(self, session: Session) -> None:
        accounts, ids, levels, created = array("q"), array("q"), array("b"), array("d")
        table = _core(Contact)
        query = select(
            table.c.account_id, table.c.id, table.c.seniority, _raw(table.c.created_at)
        ).where(table.c.seniority.in_(SENIOR), table.c.account_id.is_not(None))
        for account_id, contact_id, seniority, at in session.execute(
            query.execution_options(yield_per=20_000)
        ):
            accounts.append(account_id or 0)
            ids.append(contact_id)
            levels.append(LEVELS.index(seniority))
            created.append(_utc(at).timestamp())
        # No ORDER BY on the scan (PostgreSQL returns heap order, which differs from run to
        # run): sorting by account then id here keeps :meth:`of` deterministic.
        order = sorted(range(len(ids)), key=lambda i: (accounts[i], ids[i]))
        self.accounts = array("q", (accounts[i] for i in order))
        self.ids = array("q", (ids[i] for i in order))
        self.levels = array("b", (levels[i] for i in order))
        self.created = array("d", (created[i] for i in order))

    def of(self, account_id: int, before: datetime) -> list[Person]:
        """The account's senior contacts created before ``before``, in id order (names are
        looked up once they are chosen)."""
        low = bisect_left(self.accounts, account_id)
        high = bisect_right(self.accounts, account_id, lo=low)
        limit, created = before.timestamp(), self.created
        return [
            Person(self.ids[i], "", None, LEVELS[self.levels[i]], _from_epoch(created[i]))
            for i in range(low, high)
            if created[i] < limit
        ]


def _from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _core(model: type[Base]) -> Table:
    """A model's table: plain Core selects skip the ORM's row handling (many rows are read)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _raw(column: ColumnElement[datetime]) -> ColumnElement[str]:
    """A timestamp column as the driver returns it (text on SQLite), read by :func:`_utc`:
    going through the column type costs seconds over a million values."""
    return type_coerce(column, String)


def _utc(value: str | datetime) -> datetime:
    """A stored UTC timestamp, as an aware datetime (SQLite returns naive text)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def with_names(session: Session, people: Sequence[Person]) -> dict[int, Person]:
    """``people`` with their names and titles, by id (one query per 900 people)."""
    found: dict[int, tuple[str, str | None]] = {}
    ids = sorted({p.id for p in people})
    for start in range(0, len(ids), 900):
        for contact_id, first_name, last_name, title in session.execute(
            select(Contact.id, Contact.first_name, Contact.last_name, Contact.title).where(
                Contact.id.in_(ids[start : start + 900])
            )
        ):
            found[contact_id] = (f"{first_name} {last_name}", title)
    return {p.id: replace(p, name=found[p.id][0], title=found[p.id][1]) for p in people}


def _add_spans(
    session: Session,
    deals: dict[int, DealView],
    stages: dict[int, StageInfo],
    first: int,
    last: int,
    horizon: datetime,
) -> None:
    moves: dict[int, list[tuple[int, datetime]]] = {}
    changes = _core(StageChange)
    for deal_id, stage_id, at in session.execute(
        select(changes.c.opportunity_id, changes.c.to_stage_id, _raw(changes.c.at))
        .where(changes.c.opportunity_id.between(first, last))
        .order_by(changes.c.opportunity_id, changes.c.at, changes.c.id)
    ):
        moves.setdefault(deal_id, []).append((stage_id, _utc(at)))
    for deal_id, deal in deals.items():
        steps = moves.get(deal_id, [])
        for (stage_id, at), following in zip(steps, [*steps[1:], None], strict=True):
            stage = stages[stage_id]
            if stage.is_closed:
                deal.won = stage.is_won
                continue
            if following is None:
                deal.spans.append(Span(stage.key, at, horizon, None))
                continue
            target = stages[following[0]]
            next_key = ("won" if target.is_won else "lost") if target.is_closed else target.key
            deal.spans.append(Span(stage.key, at, following[1], next_key))


def _add_contacts(session: Session, deals: dict[int, DealView], first: int, last: int) -> None:
    links, contacts = _core(OpportunityContact), _core(Contact)
    rows = session.execute(
        select(
            links.c.opportunity_id,
            contacts.c.id,
            contacts.c.first_name,
            contacts.c.last_name,
            contacts.c.title,
            contacts.c.seniority,
            _raw(contacts.c.created_at),
        )
        .join(contacts, contacts.c.id == links.c.contact_id)
        .where(links.c.opportunity_id.between(first, last))
        .order_by(links.c.opportunity_id, links.c.is_primary.desc(), contacts.c.id)
    )
    for deal_id, contact_id, first_name, last_name, title, seniority, created in rows:
        if deal_id in deals:
            deals[deal_id].contacts.append(
                Person(contact_id, f"{first_name} {last_name}", title, seniority, _utc(created))
            )
