"""What every command needs: settings, an engine, a unit of work, a schema at head."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from techwin.config import Settings, get_settings
from techwin.db.engine import build_engine, build_sessionmaker, session_scope
from techwin.db.migrate import current_revision, head_revision
from techwin.errors import InvalidState


@contextmanager
def open_engine(settings: Settings | None = None, *, require_head: bool = True) -> Iterator[Engine]:
    """The engine of the configured database, disposed afterwards.

    With ``require_head`` the schema must be at the newest migration, so that commands never
    run against a half-migrated database.
    """
    settings = settings or get_settings()
    engine = build_engine(settings)
    try:
        if require_head:
            require_schema_at_head(engine, settings.database_url)
        yield engine
    finally:
        engine.dispose()


def require_schema_at_head(engine: Engine, database_url: str) -> None:
    """Raise InvalidState unless the database is at the code's newest migration."""
    current, head = current_revision(engine), head_revision(database_url)
    if current != head:
        where = "empty (no schema yet)" if current is None else f"at revision {current}"
        raise InvalidState(
            f"the database is {where} but this version of Techwin needs revision {head}; "
            "run `techwin db upgrade` first",
            field="database",
        )


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block succeeds, rolled back otherwise."""
    with session_scope(build_sessionmaker(engine)) as session:
        yield session
