"""Bulk writes with ids assigned up front, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import ColumnDefault, Table, func, insert, select, text
from sqlalchemy.orm import Session

from techwin.db.types import UTCDateTime

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
    """INSERT ``rows`` (all with the same keys) into ``table`` in batches, reporting progress."""
    columns = list(rows[0]) if rows else []
    pick = itemgetter(*columns)
    records = [(pick(row),) for row in rows] if len(columns) == 1 else list(map(pick, rows))
    insert_tuples(session, table, columns, records, label=label, progress=progress)


def insert_tuples(
    session: Session,
    table: Table,
    columns: Sequence[str],
    records: Sequence[Sequence[Any]],
    *,
    label: str,
    progress: Progress | None = None,
) -> None:
    """INSERT compact records (values in ``columns`` order) in batches, reporting progress.

    Columns left out get their scalar default. Values go through each column type's own bind
    processing, exactly as an ORM insert would store them; the rows then travel the fastest way
    the driver offers (COPY on PostgreSQL, a plain executemany on SQLite).
    """
    total = len(records)
    if progress is not None:
        progress(label, 0, total)
    if not total:
        return
    writer = _Writer(session, table, columns)
    for start in range(0, total, BATCH):
        batch = records[start : start + BATCH]
        writer.write(batch)
        if progress is not None:
            progress(label, min(total, start + len(batch)), total)


def _sqlite_utc(value: datetime | None) -> str | None:
    """An aware timestamp as SQLite stores UTCDateTime (naive UTC text, microseconds shown)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    # "YYYY-MM-DD HH:MM:SS.ffffff" followed by "+00:00", which SQLite's UTCDateTime text omits.
    return value.isoformat(" ", "microseconds")[:26]


def _processor(column_type: Any, dialect: Any) -> Callable[[Any], Any] | None:
    """How a value is bound: the type's own processing, or the same result computed in one
    step for the hottest case (timestamps on SQLite)."""
    if dialect.name == "sqlite" and isinstance(column_type, UTCDateTime):
        return _sqlite_utc
    processor: Callable[[Any], Any] | None = column_type.dialect_impl(dialect).bind_processor(
        dialect
    )
    return processor


class _Writer:
    """Writes records to one table over the session's own connection and transaction."""

    def __init__(self, session: Session, table: Table, columns: Sequence[str]) -> None:
        connection = session.connection()
        dialect = connection.dialect
        self.session = session
        self.table = table
        self.dialect = dialect.name
        self.columns = list(columns)
        self.defaults: list[Any] = []
        for column in table.columns:
            if column.name in self.columns:
                continue
            default = column.default
            if isinstance(default, ColumnDefault) and default.is_scalar:
                self.columns.append(column.name)
                self.defaults.append(default.arg)
                continue
            if column.server_default is not None or (default is None and column.nullable):
                continue  # the database fills it in (or leaves it NULL)
            raise ValueError(f"{table.name}.{column.name} must be given explicitly")
        self.processors = [
            (index, processor)
            for index, name in enumerate(self.columns)
            if (processor := _processor(table.c[name].type, dialect))
        ]
        self.raw: Any = connection.connection.dbapi_connection
        preparer = dialect.identifier_preparer
        self.names = ", ".join(preparer.quote(name) for name in self.columns)
        self.target = preparer.format_table(table)

    def _prepared(self, batch: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        """The batch with defaults added and every value bound as the column type binds it,
        column by column (a column holding one value throughout is processed once)."""
        size = len(batch)
        columns: list[list[Any]] = [list(values) for values in zip(*batch, strict=True)]
        columns += [[default] * size for default in self.defaults]
        for index, processor in self.processors:
            values = columns[index]
            if len(set(map(id, values))) == 1:  # the same object in every row
                columns[index] = [processor(values[0])] * size
            else:
                columns[index] = list(map(processor, values))
        return list(zip(*columns, strict=True))

    def write(self, batch: Sequence[Sequence[Any]]) -> None:
        """Store one batch."""
        rows = self._prepared(batch)
        if self.dialect == "postgresql":
            with (
                self.raw.cursor() as cursor,
                cursor.copy(f"COPY {self.target} ({self.names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        elif self.dialect == "sqlite":
            marks = ", ".join("?" for _ in self.columns)
            cursor = self.raw.cursor()
            try:
                # Table and column names come from the models' metadata, quoted: safe to inline.
                sql = f"INSERT INTO {self.target} ({self.names}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(sql, rows)
            finally:
                cursor.close()
        else:  # any other backend: SQLAlchemy's own executemany
            self.session.execute(
                insert(self.table),
                [
                    dict(zip(self.columns, [*record, *self.defaults], strict=True))
                    for record in batch
                ],
            )


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


def refresh_statistics(session: Session, tables: Sequence[Table] = ()) -> None:
    """Let PostgreSQL's planner see what a bulk load wrote (``ANALYZE`` of ``tables``, or of the
    whole database, inside the current transaction). Until autovacuum gets to it, a freshly
    loaded table looks empty to the planner, which then picks plans that cost twice as much.
    SQLite keeps no such statistics by default and its plans are chosen without them, so
    nothing is done there."""
    if session.get_bind().dialect.name != "postgresql":
        return
    if not tables:
        session.execute(text("ANALYZE"))
    for table in tables:
        session.execute(text(f'ANALYZE "{table.name}"'))
