"""Import a CSV file of accounts, contacts or deals, all or nothing.

The file is read once, in batches: each batch is checked and written inside a savepoint. Every
bad row is recorded with its line, column and reason; after the first one nothing more is
written, the rest of the file is still checked so the report is complete, and the savepoint is
rolled back — the database is exactly as before. A dry run always rolls back, so its counts are
exactly what a real run would do. Rows match existing records by external id, else email
(contacts), else name (+ account for deals); without ``update`` matches are left alone, with it
they are brought in line with the file, so importing the same file twice changes nothing.

Custom columns get their type from the mapping, from an existing field, or from the values of
the first batch; a later value that does not fit an inferred type turns the field into text.
"""

from __future__ import annotations

import time
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session

from techwin.auth.audit import record_audit
from techwin.auth.enums import Role
from techwin.auth.models import User
from techwin.auth.permissions import require_writer
from techwin.core.time import utcnow
from techwin.db.bulk import insert_rows, refresh_statistics
from techwin.db.ids import reserve_ids
from techwin.errors import PermissionDenied
from techwin.pipeline import rules
from techwin.pipeline.enums import CustomFieldType, LifecycleStage
from techwin.pipeline.events import Progress, contacts_imported
from techwin.pipeline.imports import convert, source
from techwin.pipeline.imports.mapping import MappingFile, Plan, custom_key, resolve
from techwin.pipeline.imports.report import ImportReport, all_or_nothing
from techwin.pipeline.models import (
    Account,
    Contact,
    CustomField,
    LifecycleTransition,
    Opportunity,
    PipelineStage,
    StageChange,
)
from techwin.pipeline.opportunities import default_pipeline

BATCH = 5000
# From this many rows written, PostgreSQL's planner statistics of the table are refreshed at once
# rather than whenever autovacuum gets to it (lists and reports would meanwhile plan badly).
ANALYZE_FROM = 10_000


def _table(model: Any) -> Table:
    """A model's table, for Core inserts (one executemany per batch, no ORM bookkeeping)."""
    return cast(Table, model.__table__)


TEXTUAL = (CustomFieldType.TEXT, CustomFieldType.CATEGORY)
_ENTITY_TABLES = {
    "accounts": _table(Account),
    "contacts": _table(Contact),
    "opportunities": _table(Opportunity),
}


class _Context:
    """What every batch of one import shares: look-ups, decided types, the report."""

    def __init__(
        self,
        session: Session,
        plan: Plan,
        report: ImportReport,
        *,
        update: bool,
        create_users: bool,
    ) -> None:
        self.session = session
        self.plan = plan
        self.report = report
        self.update = update
        self.create_users = create_users
        self.now = utcnow()
        pipeline = default_pipeline(session)
        self.pipeline_id = pipeline.id
        self.stages: dict[str, PipelineStage] = {s.key: s for s in pipeline.stages}
        self.stage_keys = frozenset(self.stages)
        self.first_stage = min(pipeline.stages, key=lambda s: s.position)
        self.owners: dict[str, int] = {}
        for user_id, email, name in session.execute(select(User.id, User.email, User.full_name)):
            self.owners.setdefault(email.lower(), user_id)
            self.owners.setdefault(name.lower(), user_id)
        self.accounts: dict[str, int] = {}
        self.entity = plan.entity.removesuffix("s")
        self.fields: dict[str, CustomField] = {
            f.key: f
            for f in session.scalars(select(CustomField).where(CustomField.entity == self.entity))
        }
        self.fixed: dict[str, CustomFieldType] = {
            **{k: f.field_type for k, f in self.fields.items()},
            **plan.custom_types,
        }
        self.custom_types: dict[str, CustomFieldType] = {}
        self.headers = {t.custom: header for header, t in plan.targets.items() if t.custom}
        self.first_new: dict[str, int] = {}
        self.downgraded: set[str] = set()
        self.touched = array("q")  # contacts created or changed, for the follow-up listeners

    def owner_id(self, result: convert.RowResult) -> int | None:
        """The user the row's owner names (created inactive with ``create_users``), or None."""
        name = result.fields.get("owner")
        if name is None:
            return None
        found = self.owners.get(str(name).lower())
        if found is None and self.create_users:
            found = self._create_user(str(name))
        if found is None:
            column = self.plan.column_of("owner") or "owner"
            self.report.add_error(
                result.line,
                column,
                f"no user with email or name {name!r} (use --create-users to add them)",
            )
        return found

    def _create_user(self, owner: str) -> int:
        email = owner.lower() if "@" in owner else f"{custom_key(owner)}@imported.invalid"
        name = owner.split("@")[0] if "@" in owner else owner
        user = User(email=email, full_name=name[:120], role=Role.AE, is_active=False)
        self.session.add(user)
        self.session.flush()
        self.owners[owner.lower()] = user.id
        self.report.created_users.append(email)
        return user.id

    def account_ids(self, names: set[str]) -> None:
        """Find (or create) the accounts a batch of contacts or deals names."""
        wanted = {n.lower(): n for n in names if n.lower() not in self.accounts}
        if not wanted:
            return
        for account_id, name in self.session.execute(
            select(Account.id, Account.name).where(func.lower(Account.name).in_(list(wanted)))
        ):
            self.accounts.setdefault(name.lower(), account_id)
        missing = [wanted[k] for k in wanted if k not in self.accounts]
        ids = reserve_ids(self.session, Account.__table__, len(missing))
        rows = [
            {
                "id": i,
                "name": n,
                "created_at": self.now,
                "updated_at": self.now,
                "version": 1,
                "custom": {},
            }
            for i, n in zip(ids, missing, strict=True)
        ]
        if rows:
            self.session.execute(insert(_table(Account)), rows)
            for i, n in zip(ids, missing, strict=True):
                self.accounts[n.lower()] = i
            self.report.created_accounts += len(rows)

    def decide_types(self, batch: list[convert.RowResult]) -> None:
        """Fix the type of every custom column seen for the first time in this batch."""
        stats: dict[str, convert.CustomStats] = {}
        for result in batch:
            for key, text in result.custom.items():
                if key not in self.custom_types:
                    stats.setdefault(key, convert.CustomStats()).add(text, self.plan.date_formats)
        for key, seen in stats.items():
            self.custom_types[key] = self.fixed.get(key) or seen.infer()
            self.report.custom_fields[key] = self.custom_types[key].value

    def custom(self, result: convert.RowResult) -> dict[str, Any] | None:
        """The row's custom values, typed; None (and an error) when a fixed type is violated."""
        values: dict[str, Any] = {}
        for key, text in result.custom.items():
            field_type = self.custom_types[key]
            try:
                values[key] = convert.custom_value(text, field_type, self.plan.date_formats)
            except convert.CellError as exc:
                if key in self.fixed:
                    self.report.add_error(
                        result.line,
                        self.headers.get(key, key),
                        f"{exc} (the field is a {field_type.value})",
                    )
                    return None
                self._downgrade(key)
                values[key] = text
        return values

    def _downgrade(self, key: str) -> None:
        """An inferred type that a later value contradicts becomes text."""
        self.custom_types[key] = CustomFieldType.TEXT
        self.report.custom_fields[key] = CustomFieldType.TEXT.value
        self.downgraded.add(key)

    def is_new(self, table: str, record_id: int) -> bool:
        """Whether the record was created earlier in this same import (a duplicate row)."""
        return record_id >= self.first_new.get(table, 1 << 62)

    def reserve(self, table: Any, count: int) -> list[int]:
        ids = reserve_ids(self.session, table.__table__, count)
        if ids:
            self.first_new.setdefault(table.__tablename__, ids[0])
        return ids


def require_importer(actor: User | None) -> None:
    """Imports are for admins and managers (and the command line)."""
    require_writer(actor)
    if actor is not None and actor.role not in (Role.ADMIN, Role.MANAGER):
        raise PermissionDenied("imports are for admins and managers")


def import_file(
    session: Session,
    *,
    actor: User | None,
    entity: str,
    path: Path,
    preset: str = "generic",
    mapping: MappingFile | None = None,
    dry_run: bool = False,
    update: bool = False,
    create_users: bool = False,
    progress: Progress | None = None,
    follow_up: bool = True,
) -> ImportReport:
    """Import the file in one pass; any bad row means nothing is written (ImportRejected).

    With ``follow_up`` the domains that listen to contact imports react inside the same
    transaction (scoring scores the imported contacts); without it they are left for a bulk
    recompute later.
    """
    require_importer(actor)
    started = time.perf_counter()
    mapping = mapping or MappingFile()
    fmt = source.detect(path, encoding=mapping.encoding, delimiter=mapping.delimiter)
    plan = resolve(entity, fmt.header, preset=preset, extra=mapping)
    report = ImportReport(
        entity=entity,
        preset=preset,
        dry_run=dry_run,
        update=update,
        encoding=fmt.encoding,
        delimiter=fmt.delimiter,
    )
    context = _Context(session, plan, report, update=update, create_users=create_users)
    writer = {
        "accounts": _write_accounts,
        "contacts": _write_contacts,
        "opportunities": _write_opportunities,
    }[entity]
    total_bytes = path.stat().st_size
    with all_or_nothing(session, report, dry_run=dry_run, started=started):
        for batch, position in _batches(path, fmt, plan, context):
            report.rows += len(batch)
            context.decide_types(batch)
            good = [r for r in batch if not r.errors]
            for result in batch:
                for column, reason in result.errors:
                    report.add_error(result.line, column, reason)
            if report.ok:
                writer(context, good)
            if progress is not None:
                progress("Importing", position, total_bytes)
        if report.ok:
            _fix_downgraded(context)
            _register_custom_fields(context)
            session.flush()
            if follow_up and not dry_run and context.touched:
                contacts_imported(session, context.touched, progress)
            if not dry_run and report.created + report.updated >= ANALYZE_FROM:
                refresh_statistics(session, [_ENTITY_TABLES[entity]])
    if not dry_run:
        record_audit(
            session,
            actor=actor,
            action=f"import.{entity}",
            entity_type="import",
            entity_id=0,
            summary=f"imported {path.name}: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged",
            after={
                "rows": report.rows,
                "created": report.created,
                "updated": report.updated,
                "preset": preset,
            },
        )
    return report


def _batches(
    path: Path, fmt: source.CsvFormat, plan: Plan, context: _Context
) -> Iterator[tuple[list[convert.RowResult], int]]:
    """Converted rows a batch at a time, with how far into the file (bytes) the batch ends."""
    batch: list[convert.RowResult] = []
    position = 0
    reader = convert.RowReader(plan, context.stage_keys)
    for (line, raw), position in source.read_rows_with_position(path, fmt, nulls=plan.nulls):
        batch.append(reader.convert(line, raw))
        if len(batch) >= BATCH:
            yield batch, position
            batch = []
    if batch:
        yield batch, position


def _fix_downgraded(context: _Context) -> None:
    """Values stored under a type that was later given up are stored again as text."""
    if not context.downgraded:
        return
    model: Any = {"account": Account, "contact": Contact, "opportunity": Opportunity}[
        context.entity
    ]
    first = context.first_new.get(model.__tablename__)
    if first is None:
        return
    for record_id, custom in context.session.execute(
        select(model.id, model.custom).where(model.id >= first)
    ):
        fixed = {
            k: (str(v) if k in context.downgraded and v is not None else v)
            for k, v in (custom or {}).items()
        }
        if fixed != custom:
            context.session.execute(update(model).where(model.id == record_id).values(custom=fixed))


def _register_custom_fields(context: _Context) -> None:
    for key, field_type in context.custom_types.items():
        field = context.fields.get(key)
        if field is None:
            label = context.headers.get(key, key)[:120]
            context.session.add(
                CustomField(entity=context.entity, key=key, label=label, field_type=field_type)
            )
            context.report.new_custom_fields.append(key)
        elif field.field_type is not field_type:
            field.field_type = field_type


def _changed(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in wanted.items() if current.get(k) != v}


def _existing(
    context: _Context,
    model: Any,
    columns: tuple[Any, ...],
    batch: list[convert.RowResult],
    natural: Callable[[Any], Any],
) -> Callable[[convert.RowResult], dict[str, Any] | None]:
    """Existing records of a batch, by external id or the natural key ``natural`` gives."""
    by_ext = {r.fields["external_id"] for r in batch if r.fields.get("external_id")}
    found_ext: dict[str, dict[str, Any]] = {}
    if by_ext:
        for row in context.session.execute(select(*columns).where(model.external_id.in_(by_ext))):
            found_ext[row.external_id] = row._asdict()
    return lambda r: (
        found_ext.get(r.fields["external_id"]) if r.fields.get("external_id") else natural(r)
    )


def _duplicate(
    context: _Context, model: Any, result: convert.RowResult, current: dict[str, Any]
) -> bool:
    if context.is_new(model.__tablename__, current["id"]):
        key = (
            "external_id"
            if result.fields.get("external_id")
            else ("email" if model is Contact else "name")
        )
        column = context.plan.column_of(key) or key
        context.report.add_error(
            result.line, column, f"{result.fields.get(key)!r} appears earlier in the file"
        )
        return True
    return False


def _update_or_skip(
    context: _Context,
    current: dict[str, Any],
    wanted: dict[str, Any],
    updates: list[dict[str, Any]],
) -> dict[str, Any] | None:
    changes = _changed(current, wanted)
    if not changes or not context.update:
        context.report.unchanged += 1
        return None
    updates.append({**changes, "id": current["id"], "version": current["version"]})
    context.report.updated += 1
    return changes


def _apply_updates(context: _Context, model: Any, updates: list[dict[str, Any]]) -> None:
    for values in updates:
        record_id = values.pop("id")
        version = values.pop("version")
        context.session.execute(
            update(model)
            .where(model.id == record_id)
            .values(**values, version=version + 1, updated_at=context.now)
        )


def _merge(current: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    return {**(current or {}), **new}


def _write_accounts(context: _Context, batch: list[convert.RowResult]) -> None:
    session, report = context.session, context.report
    columns = (
        Account.id,
        Account.version,
        Account.external_id,
        Account.name,
        Account.domain,
        Account.industry,
        Account.employee_count,
        Account.region,
        Account.owner_id,
        Account.custom,
    )
    names = {str(r.fields["name"]).lower() for r in batch if not r.fields.get("external_id")}
    by_name: dict[str, dict[str, Any]] = {}
    if names:
        for row in session.execute(select(*columns).where(func.lower(Account.name).in_(names))):
            by_name.setdefault(row.name.lower(), row._asdict())
    lookup = _existing(
        context, Account, columns, batch, lambda r: by_name.get(str(r.fields["name"]).lower())
    )
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for r in batch:
        f = r.fields
        custom = context.custom(r)
        owner_id = context.owner_id(r)
        if custom is None or (f.get("owner") and owner_id is None):
            continue
        values = {
            "name": f["name"],
            "domain": f.get("domain"),
            "industry": f.get("industry"),
            "employee_count": f.get("employee_count"),
            "region": f.get("region"),
            "owner_id": owner_id,
        }
        current = lookup(r)
        if current is not None:
            if not _duplicate(context, Account, r, current):
                _update_or_skip(
                    context,
                    current,
                    {**values, "custom": _merge(current["custom"], custom)},
                    updates,
                )
            continue
        inserts.append(
            {
                **values,
                "external_id": f.get("external_id"),
                "custom": custom,
                "version": 1,
                "created_at": f.get("created_at") or context.now,
                "updated_at": context.now,
            }
        )
    if not report.ok:
        return
    for record, account_id in zip(inserts, context.reserve(Account, len(inserts)), strict=True):
        record["id"] = account_id
        context.accounts[str(record["name"]).lower()] = account_id
    if inserts:
        session.execute(insert(_table(Account)), inserts)
        report.created += len(inserts)
    _apply_updates(context, Account, updates)


def _write_contacts(context: _Context, batch: list[convert.RowResult]) -> None:
    session, report = context.session, context.report
    context.account_ids({str(r.fields["account"]) for r in batch if r.fields.get("account")})
    columns = (
        Contact.id,
        Contact.version,
        Contact.external_id,
        Contact.first_name,
        Contact.last_name,
        Contact.email,
        Contact.phone,
        Contact.title,
        Contact.seniority,
        Contact.department,
        Contact.source,
        Contact.account_id,
        Contact.owner_id,
        Contact.lifecycle_stage,
        Contact.furthest_rank,
        Contact.custom,
    )
    emails = {
        r.fields["email"]
        for r in batch
        if r.fields.get("email") and not r.fields.get("external_id")
    }
    by_email: dict[str, dict[str, Any]] = {}
    if emails:
        for row in session.execute(
            select(*columns).where(func.lower(Contact.email).in_(emails)).order_by(Contact.id)
        ):
            by_email.setdefault((row.email or "").lower(), row._asdict())
    lookup = _existing(
        context, Contact, columns, batch, lambda r: by_email.get(str(r.fields.get("email") or ""))
    )
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    moves: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for r in batch:
        f = r.fields
        custom = context.custom(r)
        owner_id = context.owner_id(r)
        if custom is None or (f.get("owner") and owner_id is None):
            continue
        if "outcome" in f:
            custom["outcome"] = f["outcome"]
        stage = f.get("lifecycle_stage") or LifecycleStage.LEAD
        values = {
            "first_name": f.get("first_name") or "",
            "last_name": f["last_name"],
            "email": f.get("email"),
            "phone": f.get("phone"),
            "title": f.get("title"),
            "seniority": f.get("seniority"),
            "department": f.get("department"),
            "source": f.get("source"),
            "owner_id": owner_id,
            "account_id": context.accounts.get(str(f["account"]).lower())
            if f.get("account")
            else None,
        }
        key = str(f.get("external_id") or f.get("email") or "")
        if key and key in seen:
            column = (
                context.plan.column_of("external_id" if f.get("external_id") else "email")
                or "email"
            )
            report.add_error(
                r.line, column, f"{key!r} appears earlier in the file, at line {seen[key]}"
            )
            continue
        if key:
            seen[key] = r.line
        current = lookup(r)
        if current is not None:
            if _duplicate(context, Contact, r, current):
                continue
            changes = _update_or_skip(
                context,
                current,
                {**values, "custom": _merge(current["custom"], custom), "lifecycle_stage": stage},
                updates,
            )
            if changes and "lifecycle_stage" in changes:
                changes["stage_entered_at"] = context.now
                changes["furthest_rank"] = rules.furthest_rank(current["furthest_rank"], stage)
                updates[-1].update(
                    stage_entered_at=context.now, furthest_rank=changes["furthest_rank"]
                )
                moves.append(
                    {
                        "contact_id": current["id"],
                        "from_stage": current["lifecycle_stage"],
                        "to_stage": stage,
                        "at": context.now,
                        "reason": "imported update",
                        "overridden": False,
                        "actor_id": None,
                        "seconds_in_from_stage": None,
                    }
                )
            continue
        created = f.get("created_at") or context.now
        inserts.append(
            {
                **values,
                "external_id": f.get("external_id"),
                "custom": custom,
                "version": 1,
                "lifecycle_stage": stage,
                "stage_entered_at": created,
                "furthest_rank": rules.stage_rank(stage) or 0,
                "disqualified_reason": "imported as disqualified"
                if stage is LifecycleStage.DISQUALIFIED
                else None,
                "created_at": created,
                "updated_at": context.now,
            }
        )
    if not report.ok:
        return
    for record, contact_id in zip(inserts, context.reserve(Contact, len(inserts)), strict=True):
        record["id"] = contact_id
        moves.append(
            {
                "contact_id": contact_id,
                "from_stage": None,
                "to_stage": record["lifecycle_stage"],
                "at": record["created_at"],
                "reason": "imported",
                "overridden": False,
                "actor_id": None,
                "seconds_in_from_stage": None,
            }
        )
    context.touched.extend(int(values["id"]) for values in updates)
    if inserts:
        insert_rows(session, _table(Contact), inserts, label="contacts")
        context.touched.extend(int(record["id"]) for record in inserts)
        report.created += len(inserts)
    _apply_updates(context, Contact, updates)
    if moves:
        for move, move_id in zip(
            moves, context.reserve(LifecycleTransition, len(moves)), strict=True
        ):
            move["id"] = move_id
        insert_rows(session, _table(LifecycleTransition), moves, label="transitions")


def _write_opportunities(context: _Context, batch: list[convert.RowResult]) -> None:
    session, report = context.session, context.report
    context.account_ids({str(r.fields["account"]) for r in batch if r.fields.get("account")})
    columns = (
        Opportunity.id,
        Opportunity.version,
        Opportunity.external_id,
        Opportunity.name,
        Opportunity.account_id,
        Opportunity.owner_id,
        Opportunity.stage_id,
        Opportunity.close_date,
        Opportunity.probability,
        Opportunity.currency,
        Opportunity.acv,
        Opportunity.tcv,
        Opportunity.term_months,
        Opportunity.arr,
        Opportunity.competitors,
        Opportunity.next_step,
        Opportunity.next_step_due,
        Opportunity.compelling_event,
        Opportunity.description,
        Opportunity.custom,
    )
    names = {str(r.fields["name"]).lower() for r in batch if not r.fields.get("external_id")}
    by_name: dict[tuple[str, int], dict[str, Any]] = {}
    if names:
        for row in session.execute(select(*columns).where(func.lower(Opportunity.name).in_(names))):
            by_name.setdefault((row.name.lower(), row.account_id), row._asdict())

    def natural(r: convert.RowResult) -> dict[str, Any] | None:
        return by_name.get(
            (
                str(r.fields["name"]).lower(),
                context.accounts.get(str(r.fields["account"]).lower(), 0),
            )
        )

    lookup = _existing(context, Opportunity, columns, batch, natural)
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    log: list[dict[str, Any]] = []
    for r in batch:
        f = r.fields
        custom = context.custom(r)
        owner_id = context.owner_id(r)
        if custom is None or (f.get("owner") and owner_id is None):
            continue
        if "outcome" in f:
            custom["outcome"] = f["outcome"]
        stage = context.stages[f["stage"]] if f.get("stage") else context.first_stage
        amounts = rules.compute_amounts(acv=f.get("acv"), term_months=f.get("term_months"))
        values = {
            "name": f["name"],
            "account_id": context.accounts[str(f["account"]).lower()],
            "owner_id": owner_id,
            "stage_id": stage.id,
            "close_date": f.get("close_date"),
            "probability": f["probability"]
            if f.get("probability") is not None
            else stage.probability,
            "currency": f.get("currency") or "USD",
            "acv": amounts.acv,
            "tcv": amounts.tcv,
            "term_months": amounts.term_months,
            "arr": amounts.arr,
            "competitors": f.get("competitors"),
            "next_step": f.get("next_step"),
            "next_step_due": f.get("next_step_due") if f.get("next_step") else None,
            "compelling_event": f.get("compelling_event"),
            "description": f.get("description"),
        }
        current = lookup(r)
        if current is not None:
            if _duplicate(context, Opportunity, r, current):
                continue
            changes = _update_or_skip(
                context, current, {**values, "custom": _merge(current["custom"], custom)}, updates
            )
            if changes and "stage_id" in changes:
                updates[-1].update(
                    stage_entered_at=context.now,
                    forecast_category=stage.forecast_category,
                    closed_at=context.now if stage.is_closed else None,
                )
                log.append(
                    {
                        "opportunity_id": current["id"],
                        "from_stage_id": current["stage_id"],
                        "to_stage_id": stage.id,
                        "at": context.now,
                        "reason": "imported update",
                        "overridden": False,
                    }
                )
            continue
        created = f.get("created_at") or context.now
        inserts.append(
            {
                **values,
                "external_id": f.get("external_id"),
                "custom": custom,
                "version": 1,
                "pipeline_id": context.pipeline_id,
                "stage_entered_at": created,
                "forecast_category": stage.forecast_category,
                "mrr": None,
                "closed_at": created if stage.is_closed else None,
                "created_at": created,
                "updated_at": context.now,
            }
        )
    if not report.ok:
        return
    for record, opportunity_id in zip(
        inserts, context.reserve(Opportunity, len(inserts)), strict=True
    ):
        record["id"] = opportunity_id
        log.append(
            {
                "opportunity_id": opportunity_id,
                "from_stage_id": None,
                "to_stage_id": record["stage_id"],
                "at": record["created_at"],
                "reason": "imported",
                "overridden": False,
            }
        )
    if inserts:
        session.execute(insert(_table(Opportunity)), inserts)
        report.created += len(inserts)
    _apply_updates(context, Opportunity, updates)
    if log:
        session.execute(insert(_table(StageChange)), log)
