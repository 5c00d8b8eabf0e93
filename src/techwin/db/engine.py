"""Engine and session factory, built from settings at start-up."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from techwin.config import Settings


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, *, busy_timeout_ms: int) -> None:
    """Foreign keys on, WAL for concurrent readers, a wait instead of 'database is locked', and
    caches sized for a million-row organisation.

    The driver's own implicit transaction handling is switched off so that SQLAlchemy emits
    BEGIN itself: that makes SAVEPOINTs (nested transactions) behave as documented.
    """
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    # A bigger page cache (a ceiling, filled as used) keeps large indexes in memory during bulk
    # writes; memory-mapped reads share the operating system's cache between connections.
    cursor.execute("PRAGMA cache_size=-32768")
    cursor.execute("PRAGMA mmap_size=268435456")
    cursor.close()


WRITE_LOCK = "techwin_write_lock"
"""Execution option: on SQLite, open the transaction with ``BEGIN IMMEDIATE``.

A transaction that reads first and writes later (``BEGIN``, deferred) cannot wait for the write
lock once another writer has committed since its first read: SQLite fails it at once with
``database is locked`` and ``busy_timeout`` never applies. Taking the lock when the transaction
starts makes writers queue (bounded by ``busy_timeout``) while readers, in WAL mode, never wait.
"""


def writer_options() -> dict[str, Any]:
    """Execution options for a unit of work that will write."""
    return {WRITE_LOCK: True}


def _sqlite_begin(connection: Any) -> None:
    immediate = connection.get_execution_options().get(WRITE_LOCK, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def build_engine(settings: Settings) -> Engine:
    """Create the engine for ``settings.database_url`` with per-backend tuning."""
    url = settings.database_url
    kwargs: dict[str, Any] = {"echo": settings.sql_echo, "future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        timeout = settings.sqlite_busy_timeout_ms
        event.listen(
            engine,
            "connect",
            lambda conn, record: _sqlite_pragmas(conn, record, busy_timeout_ms=timeout),
        )
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def build_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (rendering happens after it)."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@contextmanager
def session_scope(factory: sessionmaker[Session], *, writes: bool = True) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error.

    ``writes`` takes SQLite's write lock when the transaction starts (see ``WRITE_LOCK``); pass
    ``False`` for work that only reads, so that it never waits for a writer.
    """
    session = factory(execution_options=writer_options()) if writes else factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
