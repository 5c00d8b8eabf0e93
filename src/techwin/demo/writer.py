"""Bulk writes with ids assigned up front, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session

BATCH = 5_000

Progress = Callable[[str, int, int], None]


def next_id(session: Session, table: Table) -> int:
    """The first id after every row already in ``table``."""
    return int(session.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0) + 1


def insert_rows(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    label: str,
    progress: Progress | None = None,
) -> None:
    """INSERT ``rows`` into ``table`` in batches (one executemany each), reporting progress."""
    total = len(rows)
    if progress is not None:
        progress(label, 0, total)
    for start in range(0, total, BATCH):
        batch = rows[start : start + BATCH]
        session.execute(insert(table), list(batch))
        if progress is not None:
            progress(label, min(total, start + len(batch)), total)


def sync_sequences(session: Session, tables: Sequence[Table]) -> None:
    """Move PostgreSQL's id sequences past the ids written explicitly (never backwards).

    Rows inserted with their own ids leave a serial column's sequence behind; without this the
    next row created through the services would collide with a demo row.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    preparer = session.get_bind().dialect.identifier_preparer
    for table in tables:
        sequence = session.scalar(
            text("SELECT pg_get_serial_sequence(:table, 'id')"),
            {"table": preparer.format_table(table)},
        )
        if sequence is None:
            continue
        highest = session.scalar(select(func.max(table.c.id)))
        if highest is None:
            continue
        # The sequence name comes from the catalogue itself, already quoted: safe to inline.
        current = session.scalar(text(f"SELECT last_value FROM {sequence}"))  # noqa: S608
        if current is None or int(current) < int(highest):
            session.execute(
                text("SELECT setval(:seq, :value)"), {"seq": sequence, "value": highest}
            )
