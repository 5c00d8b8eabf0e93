"""Rows of the two-in-a-box pass waiting to be written, the ids they take, and their writing.

Every table the pass fills, in an order rows can be written in (each after the rows it points
at). Ids are assigned up front from the first free id of each table, as the history does, so
a chunk's rows can point at each other before any of them is written. Rows are dicts, except in
the three biggest tables (over a million rows at the large scale), held as compact records.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

from techwin.collaboration.models import (
    Charter,
    CharterAcknowledgement,
    Debrief,
    Huddle,
    Meeting,
    Pod,
    PodMember,
    RequestEvent,
    SEProfile,
    SERequest,
    Stakeholder,
    meeting_attendee,
    meeting_contact,
)
from techwin.db.base import Base
from techwin.db.bulk import insert_rows, insert_tuples, next_id, sync_sequences
from techwin.demo.records import audit_row
from techwin.evaluation.models import (
    Competitor,
    DealCompetitor,
    Poc,
    SuccessCriterion,
    TechnicalWin,
)
from techwin.feedback.models import GapDeal, ProductGap
from techwin.models import AuditEvent
from techwin.pipeline.models import OpportunityContact

Row = dict[str, Any]


def _table(model: type[Base] | Table) -> Table:
    table = model if isinstance(model, Table) else model.__table__
    assert isinstance(table, Table)
    return table


# Every table the pass writes, parents first.
TABLES: tuple[Table, ...] = tuple(
    _table(model)
    for model in (
        Pod,
        PodMember,
        SEProfile,
        Charter,
        CharterAcknowledgement,
        Competitor,
        ProductGap,
        OpportunityContact,
        Stakeholder,
        TechnicalWin,
        Poc,
        SuccessCriterion,
        DealCompetitor,
        GapDeal,
        SERequest,
        RequestEvent,
        Meeting,
        meeting_attendee,
        meeting_contact,
        Huddle,
        Debrief,
        AuditEvent,
    )
)
BY_NAME = {table.name: table for table in TABLES}
# Tables whose ids the pass assigns (their sequences are moved past them on PostgreSQL).
ID_TABLES = tuple(table.name for table in TABLES if "id" in table.c)
# The biggest tables are held as compact records (values in these columns' order).
RECORDS: dict[str, tuple[str, ...]] = {
    "se_request_event": ("id", "request_id", "from_status", "to_status", "at", "actor_id", "note"),
    "meeting_attendee": ("meeting_id", "user_id"),
    "meeting_contact": ("meeting_id", "contact_id"),
}
# The new tables the demo summary reports (opportunity_contact and audit_event are counted
# with the history's rows).
COUNTED = tuple(name for name in BY_NAME if name not in ("opportunity_contact", "audit_event"))


class Sink:
    """Rows per table until the next write, and the next free id of every table with one."""

    def __init__(self, session: Session) -> None:
        self.ids = {name: next_id(session, BY_NAME[name]) for name in ID_TABLES}
        self.rows: dict[str, list[Row]] = {name: [] for name in BY_NAME if name not in RECORDS}
        self.records: dict[str, list[tuple[Any, ...]]] = {name: [] for name in RECORDS}
        self.counts: Counter[str] = Counter(dict.fromkeys(BY_NAME, 0))

    def take(self, table: str) -> int:
        """The next id of ``table``."""
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    def add(self, table: str, row: Row) -> None:
        """A row for ``table`` (every row of a table has the same keys)."""
        self.rows[table].append(row)

    def audit(self, **fields: Any) -> None:
        """An audit event (the fields of :func:`~techwin.demo.records.audit_row`)."""
        self.add("audit_event", audit_row(self.take("audit_event"), **fields))

    def record(self, table: str, values: tuple[Any, ...]) -> None:
        """A compact record for one of the :data:`RECORDS` tables."""
        self.records[table].append(values)

    def write(self, session: Session) -> None:
        """Bulk-write every row held, table after table, and forget them."""
        for name, table in BY_NAME.items():
            if name in RECORDS:
                records = self.records[name]
                if records:
                    insert_tuples(session, table, RECORDS[name], records, label=name)
                    self.counts[name] += len(records)
                    records.clear()
                continue
            rows = self.rows[name]
            if rows:
                insert_rows(session, table, rows, label=name)
                self.counts[name] += len(rows)
                rows.clear()

    def sync(self, session: Session) -> None:
        """Move PostgreSQL's sequences past the ids written."""
        sync_sequences(session, [BY_NAME[name] for name in ID_TABLES])
