"""The bulk writer stores exactly what an ORM insert would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import sqlite

from techwin.db.bulk import _sqlite_utc
from techwin.db.types import UTCDateTime


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 3, 4, 5, 6, 7, 891, tzinfo=timezone(timedelta(hours=2))),
        datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-7))),
        None,
    ],
)
def test_the_fast_sqlite_timestamp_matches_the_column_type(moment):
    dialect = sqlite.dialect()
    process = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert _sqlite_utc(moment) == process(moment)


def test_a_naive_timestamp_is_refused():
    with pytest.raises(ValueError, match="naive"):
        _sqlite_utc(datetime(2026, 1, 1))


def test_a_bulk_load_gives_postgresql_planner_statistics(session):
    from sqlalchemy import text

    from techwin.db.bulk import insert_rows, refresh_statistics
    from techwin.models import Team

    table = Team.__table__
    now = datetime.now(UTC)
    rows = [
        {"id": 1000 + i, "name": f"Team {i}", "created_at": now, "updated_at": now}
        for i in range(300)
    ]
    insert_rows(session, table, rows, label="teams")
    refresh_statistics(session, [table])
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite keeps no planner statistics unless asked: nothing to refresh
    estimate = session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'team'"))
    assert estimate >= 300
