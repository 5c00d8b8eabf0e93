"""Reserve primary keys for bulk inserts, so rows that refer to each other need no round trip."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session


def reserve_ids(session: Session, table: Any, count: int) -> list[int]:
    """``count`` unused ids of ``table`` (PostgreSQL: from its sequence; SQLite: after the max).

    On SQLite the caller holds the database's single write lock for the rest of its
    transaction once it writes, so the ids stay free; on PostgreSQL the sequence guarantees it.
    """
    if count <= 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        sequence = session.scalar(
            text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name}
        )
        rows = session.scalars(
            text("SELECT nextval(:s) FROM generate_series(1, :n)"), {"s": sequence, "n": count}
        )
        return [int(r) for r in rows]
    start = int(session.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0) + 1
    return list(range(start, start + count))
