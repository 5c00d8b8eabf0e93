"""Database lock waits that ran out, recognised on both backends.

SQLite answers ``database is locked`` once ``busy_timeout`` has passed without the write lock;
PostgreSQL reports lock timeouts, deadlocks and serialisation failures by SQLSTATE. All of them
mean the same to a user: nothing was written, and the same request may succeed in a moment.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

# lock_not_available, deadlock_detected, serialization_failure
_PG_RETRYABLE_STATES = frozenset({"55P03", "40P01", "40001"})
_SQLITE_BUSY_WORDS = ("database is locked", "database is busy", "database table is locked")


def is_lock_timeout(exc: BaseException) -> bool:
    """True when ``exc`` is a lock wait that ran out (retrying later may succeed)."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    if isinstance(orig, sqlite3.OperationalError):
        return any(word in str(orig).lower() for word in _SQLITE_BUSY_WORDS)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return state in _PG_RETRYABLE_STATES


def write_if_free(session: Session, change: Callable[[], None]) -> bool:
    """Apply and flush a bookkeeping ``change`` (a last-used stamp) if the database lets us now.

    Reading requests run in a deferred transaction: on SQLite a write there fails as soon as
    another writer has committed since the request's first read. A stamp is not worth failing
    or delaying a page for, so it is made inside a savepoint and dropped when the lock is not
    to be had; the next request tries again. Returns whether the change was stored.
    """
    try:
        with session.begin_nested():
            change()
    except DBAPIError as exc:
        if not is_lock_timeout(exc):
            raise
        return False
    return True
