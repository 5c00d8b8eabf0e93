"""What an import did (or would do), row errors included."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from techwin.errors import InvalidInput

MAX_REPORTED_ERRORS = 1000


@dataclass(frozen=True)
class RowError:
    """One bad cell or row: where and why."""

    line: int
    column: str
    reason: str


@dataclass
class ImportReport:
    """Counts, errors and discoveries of one import run."""

    entity: str
    preset: str
    dry_run: bool
    update: bool
    encoding: str = ""
    delimiter: str = ","
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    custom_fields: dict[str, str] = field(default_factory=dict)
    new_custom_fields: list[str] = field(default_factory=list)
    created_users: list[str] = field(default_factory=list)
    created_accounts: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when no row was refused."""
        return self.error_count == 0

    def add_error(self, line: int, column: str, reason: str) -> None:
        """Record a row error (the first thousand are kept in full; all are counted)."""
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(line, column, reason))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for the API and ``--json``."""
        body = asdict(self)
        body["ok"] = self.ok
        body["errors"] = sorted(body["errors"], key=lambda e: (e["line"], e["column"]))
        return body


class ImportRejected(InvalidInput):
    """The file has bad rows; nothing was written. The report lists every one of them."""

    def __init__(self, report: ImportReport) -> None:
        first = min(report.errors, key=lambda e: e.line) if report.errors else None
        where = (
            f"; first at line {first.line}, column {first.column!r}: {first.reason}"
            if first
            else ""
        )
        super().__init__(
            f"{report.error_count} bad row(s){where}; nothing was imported",
            field="file",
            extra={"report": report.to_dict()},
        )
        self.report = report


@contextmanager
def all_or_nothing(
    session: Session, report: ImportReport, *, dry_run: bool, started: float
) -> Iterator[None]:
    """Run an import's writes in a savepoint kept only when every row was good and it is not a
    dry run; then time the report (from ``started``, a ``perf_counter`` reading) and raise
    ImportRejected when any row was bad. An exception undoes every write and passes through."""
    savepoint = session.begin_nested()
    try:
        yield
    except BaseException:
        savepoint.rollback()
        raise
    if not report.ok or dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
    report.seconds = time.perf_counter() - started
    if not report.ok:
        raise ImportRejected(report)
