"""Engagement events from a CSV file: one row per event; the contact named by Techwin id,
external id or email; the kind as our key or its label; the moment in ISO or a declared format.

The same rules as every import: the file is read once, streamed; every row is checked; any bad
row means nothing is written and every bad row is reported with its line, column and reason.
Contacts whose events were added are re-scored at the end.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from techwin.auth.audit import record_audit
from techwin.auth.models import User
from techwin.core.time import utcnow
from techwin.db.bulk import insert_tuples
from techwin.db.ids import reserve_ids
from techwin.errors import InvalidInput
from techwin.pipeline.events import Progress
from techwin.pipeline.imports import source
from techwin.pipeline.imports.convert import CellError, parse_datetime
from techwin.pipeline.imports.mapping import MappingFile
from techwin.pipeline.imports.report import ImportReport, all_or_nothing
from techwin.pipeline.imports.service import require_importer
from techwin.pipeline.models import Contact
from techwin.scoring.enums import EVENT_LABELS, EventKind
from techwin.scoring.models import EngagementEvent
from techwin.scoring.service import score_contacts

BATCH = 5_000
FIELDS = ("contact_id", "external_id", "email", "kind", "occurred_at", "detail")
# Header spellings understood without a mapping (compared lower-case, spaces and _ alike).
HEADERS = {
    "contact_id": ("contact_id", "techwin_id", "contact"),
    "external_id": ("external_id", "lead_id", "record_id", "contact_external_id"),
    "email": ("email", "email_address", "e_mail"),
    "kind": ("kind", "event", "event_type", "activity", "activity_type", "type"),
    "occurred_at": ("occurred_at", "date", "timestamp", "activity_date", "event_date", "time"),
    "detail": ("detail", "details", "description", "subject", "name"),
}
KIND_WORDS: dict[str, EventKind] = {
    **{kind.value: kind for kind in EventKind},
    **{label.lower(): kind for kind, label in EVENT_LABELS.items()},
    "demo": EventKind.DEMO_REQUEST,
    "demo requested": EventKind.DEMO_REQUEST,
    "trial": EventKind.TRIAL_SIGNUP,
    "trial signup": EventKind.TRIAL_SIGNUP,
    "webinar": EventKind.WEBINAR_ATTENDED,
    "email clicked": EventKind.EMAIL_CLICK,
    "click": EventKind.EMAIL_CLICK,
    "page visit": EventKind.PAGE_VIEW,
    "visit": EventKind.PAGE_VIEW,
    "event": EventKind.EVENT_ATTENDED,
}
MAX_FUTURE = timedelta(days=1)


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-]+", "_", text.strip().lower())


def _words(text: str) -> str:
    return _norm(text).replace("_", " ")


_KINDS = {_words(word): kind for word, kind in KIND_WORDS.items()}


def _columns(header: list[str], mapping: MappingFile) -> dict[str, str]:
    """Which header column feeds which event field; refuses a file that cannot be read."""
    chosen: dict[str, str] = {}
    for column, target in mapping.columns.items():
        if target not in FIELDS:
            raise InvalidInput(
                f"columns: {target!r} is not an event field ({', '.join(FIELDS)})",
                field="mapping",
            )
        if column not in header:
            raise InvalidInput(f"columns: the file has no column {column!r}", field="mapping")
        chosen[target] = column
    for name in header:
        for target, spellings in HEADERS.items():
            if target not in chosen and _norm(name) in spellings:
                chosen[target] = name
    missing = [f for f in ("kind", "occurred_at") if f not in chosen]
    if missing:
        raise InvalidInput(
            f"the file needs a column for {missing[0]} (e.g. {HEADERS[missing[0]][0]!r})",
            field="file",
        )
    if not {"contact_id", "external_id", "email"} & set(chosen):
        raise InvalidInput(
            "the file needs a column naming the contact: contact_id, external_id or email",
            field="file",
        )
    return chosen


class _Row:
    __slots__ = ("at", "detail", "kind", "line", "ref")

    def __init__(
        self, line: int, ref: tuple[str, Any], kind: EventKind, at: datetime, detail: str | None
    ) -> None:
        self.line, self.ref, self.kind, self.at, self.detail = line, ref, kind, at, detail


def _convert(
    line: int,
    raw: dict[str, str | None],
    columns: dict[str, str],
    mapping: MappingFile,
    report: ImportReport,
    latest: datetime,
) -> _Row | None:
    """One row as an event, or None (with its errors reported)."""
    if "__error__" in raw:
        report.add_error(line, "(row)", str(raw["__error__"]))
        return None
    ok = True
    ref: tuple[str, Any] | None = None
    for field in ("contact_id", "external_id", "email"):
        value = raw.get(columns[field]) if field in columns else None
        if value:
            if field == "contact_id":
                if not value.isdigit() or not 0 < int(value) < 2**62:
                    report.add_error(line, columns[field], f"{value!r} is not a contact id")
                    return None
                ref = (field, int(value))
            else:
                ref = (field, value.lower() if field == "email" else value)
            break
    if ref is None:
        names = ", ".join(
            columns[f] for f in ("contact_id", "external_id", "email") if f in columns
        )
        report.add_error(line, names, "no contact is named")
        ok = False
    text = raw.get(columns["kind"]) or ""
    kind = _KINDS.get(_words(mapping.values.get("kind", {}).get(text, text)))
    if kind is None:
        reason = f"{text!r} is not an event kind" if text else "the event kind is missing"
        report.add_error(
            line, columns["kind"], f"{reason} ({', '.join(k.value for k in EventKind)})"
        )
        ok = False
    moment = raw.get(columns["occurred_at"])
    at: datetime | None = None
    if not moment:
        report.add_error(line, columns["occurred_at"], "the date is missing")
        ok = False
    else:
        try:
            at = parse_datetime(moment, mapping.date_formats)
        except CellError as exc:
            report.add_error(line, columns["occurred_at"], str(exc))
            ok = False
        else:
            if at > latest:
                report.add_error(line, columns["occurred_at"], "the event is in the future")
                ok = False
    detail = raw.get(columns["detail"]) if "detail" in columns else None
    if not ok or ref is None or kind is None or at is None:
        return None
    return _Row(line, ref, kind, at, (detail or None) and (detail or "")[:300])


def _batches(
    path: Path, fmt: source.CsvFormat, nulls: frozenset[str]
) -> Iterator[tuple[list[tuple[int, dict[str, str | None]]], int]]:
    batch: list[tuple[int, dict[str, str | None]]] = []
    position = 0
    for row, position in source.read_rows_with_position(path, fmt, nulls=nulls):
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch, position
            batch = []
    if batch:
        yield batch, position


def _resolve(session: Session, rows: list[_Row]) -> dict[tuple[str, Any], int]:
    """Contact ids for the references in ``rows`` (emails match case-insensitively)."""
    found: dict[tuple[str, Any], int] = {}
    wanted: dict[str, set[Any]] = {}
    for row in rows:
        wanted.setdefault(row.ref[0], set()).add(row.ref[1])
    if ids := wanted.get("contact_id"):
        found.update(
            (("contact_id", i), i)
            for i in session.scalars(select(Contact.id).where(Contact.id.in_(ids)))
        )
    if refs := wanted.get("external_id"):
        for cid, ext in session.execute(
            select(Contact.id, Contact.external_id)
            .where(Contact.external_id.in_(refs))
            .order_by(Contact.id.desc())
        ):
            found[("external_id", ext)] = cid
    if emails := wanted.get("email"):
        for cid, email in session.execute(
            select(Contact.id, func.lower(Contact.email))
            .where(func.lower(Contact.email).in_(emails))
            .order_by(Contact.id.desc())
        ):
            found[("email", email)] = cid  # the oldest contact wins when an email repeats
    return found


def import_events(
    session: Session,
    *,
    actor: User | None,
    path: Path,
    mapping: MappingFile | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import engagement events: all rows or none; the touched contacts are re-scored."""
    require_importer(actor)
    started = time.perf_counter()
    mapping = mapping or MappingFile()
    fmt = source.detect(path, encoding=mapping.encoding, delimiter=mapping.delimiter)
    columns = _columns(fmt.header, mapping)
    nulls = frozenset(mapping.nulls if mapping.nulls is not None else source.DEFAULT_NULLS)
    report = ImportReport(
        entity="events",
        preset="generic",
        dry_run=dry_run,
        update=False,
        encoding=fmt.encoding,
        delimiter=fmt.delimiter,
    )
    latest = utcnow() + MAX_FUTURE
    table = cast(Table, EngagementEvent.__table__)
    touched: set[int] = set()
    total_bytes = path.stat().st_size
    with all_or_nothing(session, report, dry_run=dry_run, started=started):
        for raw_rows, position in _batches(path, fmt, nulls):
            report.rows += len(raw_rows)
            rows = [
                r
                for line, raw in raw_rows
                if (r := _convert(line, raw, columns, mapping, report, latest)) is not None
            ]
            ids = _resolve(session, rows)
            records = []
            now = utcnow()
            for row in rows:
                contact_id = ids.get(row.ref)
                if contact_id is None:
                    report.add_error(row.line, columns[row.ref[0]], f"no contact {row.ref[1]!r}")
                    continue
                touched.add(contact_id)
                records.append((contact_id, row.kind, row.at, row.detail, "import", now))
            if report.ok and not dry_run and records:
                ids_ = reserve_ids(session, table, len(records))
                insert_tuples(
                    session,
                    table,
                    ("id", "contact_id", "kind", "occurred_at", "detail", "source", "created_at"),
                    [(i, *record) for i, record in zip(ids_, records, strict=True)],
                    label="events",
                )
            report.created += len(records)
            if progress is not None:
                progress("Importing", position, total_bytes)
        if report.ok and not dry_run:
            ordered = sorted(touched)
            for start in range(0, len(ordered), BATCH):
                score_contacts(session, ordered[start : start + BATCH])
                if progress is not None:
                    progress("Re-scoring", min(start + BATCH, len(ordered)), len(ordered))
    if not dry_run:
        record_audit(
            session,
            actor=actor,
            action="import.events",
            entity_type="import",
            entity_id=0,
            summary=f"imported {path.name}: {report.created} engagement events for "
            f"{len(touched)} contacts",
            after={"rows": report.rows, "created": report.created, "contacts": len(touched)},
        )
    return report
