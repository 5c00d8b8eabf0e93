"""Import a CSV file of accounts, contacts or deals: validate everything, then write everything.

Semantics: **all or nothing**. A first pass reads the whole file and reports every bad row
(line, column, reason); if there is any, nothing is written. Otherwise a second pass writes
every row in the caller's transaction, in batches, so an interruption leaves the database as
it was. A dry run does the second pass inside a savepoint and rolls it back, so its counts are
exactly what a real run would do. Rows match existing records by external id, else email
(contacts), else name (+ account for deals); without ``update`` matches are left alone, with it
they are brought in line with the file — importing the same file twice changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from techwin.auth.audit import record_audit
from techwin.auth.enums import Role
from techwin.auth.models import User
from techwin.auth.permissions import require_writer
from techwin.core.time import utcnow
from techwin.errors import PermissionDenied
from techwin.pipeline import rules
from techwin.pipeline.enums import CustomFieldType, LifecycleStage
from techwin.pipeline.imports import convert, source
from techwin.pipeline.imports.mapping import MappingFile, Plan, custom_key, resolve
from techwin.pipeline.imports.report import ImportRejected, ImportReport
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

BATCH = 2000
Progress = Callable[[str, int, int], None]


class _Context:
    """Look-ups shared by every batch of one import."""

    def __init__(
        self, session: Session, plan: Plan, report: ImportReport, *, update: bool, now: datetime
    ) -> None:
        self.session = session
        self.plan = plan
        self.report = report
        self.update = update
        self.now = now
        pipeline = default_pipeline(session)
        self.pipeline_id = pipeline.id
        self.stages: dict[str, PipelineStage] = {s.key: s for s in pipeline.stages}
        self.owners: dict[str, int] = {}
        for user_id, email, name in session.execute(select(User.id, User.email, User.full_name)):
            self.owners.setdefault(email.lower(), user_id)
            self.owners.setdefault(name.lower(), user_id)
        self.accounts: dict[str, int] = {}
        self.custom_types: dict[str, CustomFieldType] = {}

    def fixed_types(self) -> dict[str, CustomFieldType]:
        """Custom columns whose type is already decided (declared in the mapping or existing)."""
        entity = self.plan.entity.removesuffix("s")
        existing = {
            f.key: f.field_type
            for f in self.session.scalars(select(CustomField).where(CustomField.entity == entity))
        }
        return {**existing, **self.plan.custom_types}

    def owner_id(self, name: Any) -> int | None:
        return None if name is None else self.owners.get(str(name).lower())

    def account_ids(self, names: set[str]) -> None:
        """Find (or create) the accounts named by a batch of contacts or deals."""
        wanted = {n.lower(): n for n in names if n.lower() not in self.accounts}
        if not wanted:
            return
        for account_id, name in self.session.execute(
            select(Account.id, Account.name).where(func.lower(Account.name).in_(list(wanted)))
        ):
            self.accounts.setdefault(name.lower(), account_id)
        missing = [wanted[k] for k in wanted if k not in self.accounts]
        if missing:
            rows = [
                {
                    "name": n,
                    "created_at": self.now,
                    "updated_at": self.now,
                    "version": 1,
                    "custom": {},
                }
                for n in missing
            ]
            ids = self.session.scalars(
                insert(Account).returning(Account.id, sort_by_parameter_order=True), rows
            ).all()
            for name, account_id in zip(missing, ids, strict=True):
                self.accounts[name.lower()] = account_id
            self.report.created_accounts += len(missing)

    def custom(self, result: convert.RowResult) -> dict[str, Any]:
        return {
            key: convert.custom_value(text, self.custom_types[key], self.plan.date_formats)
            for key, text in result.custom.items()
        }


def _require_importer(actor: User | None) -> None:
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
) -> ImportReport:
    """Validate the whole file, then write every row (or, on any bad row, nothing)."""
    _require_importer(actor)
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
    now = utcnow()
    context = _Context(session, plan, report, update=update, now=now)
    stats = _validate(path, fmt, plan, context, progress)
    unknown_owners = _check_owners(context, stats.owner_lines, create_users=create_users)
    if not report.ok:
        report.seconds = time.perf_counter() - started
        raise ImportRejected(report)
    savepoint = session.begin_nested() if dry_run else None
    try:
        _prepare_custom_fields(session, plan, context, stats.custom)
        if create_users:
            _create_users(context, unknown_owners)
        writer = {
            "accounts": _write_accounts,
            "contacts": _write_contacts,
            "opportunities": _write_opportunities,
        }[entity]
        done = 0
        for batch in _batches(path, fmt, plan, context):
            writer(context, batch)
            done += len(batch)
            if progress is not None:
                progress("Writing", done, report.rows)
        session.flush()
    finally:
        if savepoint is not None:
            savepoint.rollback()
    report.seconds = time.perf_counter() - started
    if not dry_run:
        record_audit(
            session,
            actor=actor,
            action=f"import.{entity}",
            entity_type="import",
            entity_id=0,
            summary=f"imported {path.name}: {report.created} created, "
            f"{report.updated} updated, {report.unchanged} unchanged",
            after={
                "rows": report.rows,
                "created": report.created,
                "updated": report.updated,
                "preset": preset,
            },
        )
    return report


class _Stats:
    def __init__(self) -> None:
        self.custom: dict[str, convert.CustomStats] = {}
        self.owner_lines: dict[str, list[tuple[int, str]]] = {}


def _stage_keys(context: _Context) -> frozenset[str]:
    return frozenset(context.stages)


def _validate(
    path: Path, fmt: source.CsvFormat, plan: Plan, context: _Context, progress: Progress | None
) -> _Stats:
    """Pass 1: read every row, record every error, learn what custom columns hold."""
    stats = _Stats()
    report = context.report
    seen_keys: dict[tuple[str, str], int] = {}
    owner_column = plan.column_of("owner") or "owner"
    keys = _stage_keys(context)
    fixed = context.fixed_types()
    headers = {t.custom: header for header, t in plan.targets.items() if t.custom}
    for line, raw in source.read_rows(path, fmt, nulls=plan.nulls):
        report.rows += 1
        result = convert.convert_row(line, raw, plan, keys)
        for column, reason in result.errors:
            report.add_error(line, column, reason)
        for key, text in result.custom.items():
            stats.custom.setdefault(key, convert.CustomStats()).add(text, plan.date_formats)
            if key in fixed:
                try:
                    convert.custom_value(text, fixed[key], plan.date_formats)
                except convert.CellError as exc:
                    report.add_error(
                        line, headers.get(key, key), f"{exc} (the field is a {fixed[key].value})"
                    )
        for field_name in ("external_id", "email"):
            value = result.fields.get(field_name)
            if value is None:
                continue
            marker = (field_name, str(value).lower())
            if marker in seen_keys:
                column = plan.column_of(field_name) or field_name
                report.add_error(
                    line, column, f"{value!r} already appears at line {seen_keys[marker]}"
                )
            else:
                seen_keys[marker] = line
        owner = result.fields.get("owner")
        if owner is not None and context.owner_id(owner) is None:
            stats.owner_lines.setdefault(str(owner), []).append((line, owner_column))
        if progress is not None and report.rows % 5000 == 0:
            progress("Checking", report.rows, 0)
    if progress is not None:
        progress("Checking", report.rows, report.rows)
    return stats


def _check_owners(
    context: _Context, owner_lines: dict[str, list[tuple[int, str]]], *, create_users: bool
) -> list[str]:
    """Owners must be known users (matched by email or name) unless they may be created."""
    if create_users:
        return sorted(owner_lines)
    for owner, places in owner_lines.items():
        for line, column in places:
            context.report.add_error(
                line,
                column,
                f"no user with email or name {owner!r} (use --create-users to add them)",
            )
    return []


def _create_users(context: _Context, owners: list[str]) -> None:
    """Owners named in the file become inactive users (an admin activates them later)."""
    for owner in owners:
        email = owner.lower() if "@" in owner else f"{custom_key(owner)}@imported.invalid"
        user = User(
            email=email,
            full_name=owner if "@" not in owner else owner.split("@")[0],
            role=Role.AE,
            is_active=False,
        )
        context.session.add(user)
        context.session.flush()
        context.owners[owner.lower()] = user.id
        context.report.created_users.append(email)


def _prepare_custom_fields(
    session: Session, plan: Plan, context: _Context, custom: dict[str, convert.CustomStats]
) -> None:
    """Decide each custom column's type (declared, existing, or inferred) and register new ones."""
    entity = plan.entity.removesuffix("s")
    existing = {
        f.key: f for f in session.scalars(select(CustomField).where(CustomField.entity == entity))
    }
    labels = {t.custom: header for header, t in plan.targets.items() if t.custom}
    for key, stats in custom.items():
        declared = plan.custom_types.get(key)
        field = existing.get(key)
        field_type = declared or (field.field_type if field else stats.infer())
        context.custom_types[key] = field_type
        context.report.custom_fields[key] = field_type.value
        if field is None:
            session.add(
                CustomField(
                    entity=entity, key=key, label=labels.get(key, key)[:120], field_type=field_type
                )
            )
            context.report.new_custom_fields.append(key)
        elif declared and field.field_type is not declared:
            field.field_type = declared
    session.flush()


def _batches(
    path: Path, fmt: source.CsvFormat, plan: Plan, context: _Context
) -> Iterator[list[convert.RowResult]]:
    """Pass 2: the converted rows again, a batch at a time."""
    keys = _stage_keys(context)
    batch: list[convert.RowResult] = []
    for line, raw in source.read_rows(path, fmt, nulls=plan.nulls):
        batch.append(convert.convert_row(line, raw, plan, keys))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _changed(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in wanted.items() if current.get(k) != v}


def _apply_updates(context: _Context, model: Any, updates: list[dict[str, Any]]) -> None:
    for values in updates:
        record_id = values.pop("id")
        version = values.pop("version")
        context.session.execute(
            update(model)
            .where(model.id == record_id)
            .values(**values, version=version + 1, updated_at=context.now)
        )


def _merge_custom(current: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    return {**(current or {}), **new}


def _write_accounts(context: _Context, batch: list[convert.RowResult]) -> None:
    session, report = context.session, context.report
    by_ext = {r.fields["external_id"] for r in batch if r.fields.get("external_id")}
    names = {str(r.fields["name"]).lower() for r in batch if not r.fields.get("external_id")}
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
    existing_ext = (
        {
            row.external_id: row._asdict()
            for row in session.execute(select(*columns).where(Account.external_id.in_(by_ext)))
        }
        if by_ext
        else {}
    )
    existing_name = (
        {
            row.name.lower(): row._asdict()
            for row in session.execute(select(*columns).where(func.lower(Account.name).in_(names)))
        }
        if names
        else {}
    )
    inserts, updates = [], []
    for r in batch:
        f = r.fields
        values = {
            "name": f["name"],
            "domain": f.get("domain"),
            "industry": f.get("industry"),
            "employee_count": f.get("employee_count"),
            "region": f.get("region"),
            "owner_id": context.owner_id(f.get("owner")),
        }
        custom = context.custom(r)
        current = (
            existing_ext.get(f["external_id"])
            if f.get("external_id")
            else existing_name.get(str(f["name"]).lower())
        )
        if current is None:
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
            context.accounts[
                str(f["name"]).lower()
            ] = -1  # placeholder until the insert returns ids
            continue
        changes = _changed(current, {**values, "custom": _merge_custom(current["custom"], custom)})
        if not changes or not context.update:
            report.unchanged += 1
            continue
        updates.append({**changes, "id": current["id"], "version": current["version"]})
        report.updated += 1
    if inserts:
        ids = session.scalars(
            insert(Account).returning(Account.id, sort_by_parameter_order=True), inserts
        ).all()
        for row, account_id in zip(inserts, ids, strict=True):
            context.accounts[str(row["name"]).lower()] = account_id
        report.created += len(inserts)
    _apply_updates(context, Account, updates)


def _write_contacts(context: _Context, batch: list[convert.RowResult]) -> None:
    session, report = context.session, context.report
    context.account_ids({str(r.fields["account"]) for r in batch if r.fields.get("account")})
    by_ext = {r.fields["external_id"] for r in batch if r.fields.get("external_id")}
    emails = {
        r.fields["email"]
        for r in batch
        if r.fields.get("email") and not r.fields.get("external_id")
    }
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
    existing_ext = (
        {
            row.external_id: row._asdict()
            for row in session.execute(select(*columns).where(Contact.external_id.in_(by_ext)))
        }
        if by_ext
        else {}
    )
    existing_email: dict[str, dict[str, Any]] = {}
    if emails:
        for row in session.execute(
            select(*columns).where(func.lower(Contact.email).in_(emails)).order_by(Contact.id)
        ):
            existing_email.setdefault((row.email or "").lower(), row._asdict())
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    moves: list[dict[str, Any]] = []
    for r in batch:
        f = r.fields
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
            "account_id": context.accounts.get(str(f["account"]).lower())
            if f.get("account")
            else None,
            "owner_id": context.owner_id(f.get("owner")),
        }
        custom = context.custom(r)
        if "outcome" in f:
            custom["outcome"] = f["outcome"]
        current = (
            existing_ext.get(f["external_id"])
            if f.get("external_id")
            else existing_email.get(str(f.get("email") or "").lower())
        )
        if current is None:
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
            continue
        wanted = {
            **values,
            "custom": _merge_custom(current["custom"], custom),
            "lifecycle_stage": stage,
        }
        changes = _changed(current, wanted)
        if not changes or not context.update:
            report.unchanged += 1
            continue
        if "lifecycle_stage" in changes:
            changes["stage_entered_at"] = context.now
            changes["furthest_rank"] = rules.furthest_rank(current["furthest_rank"], stage)
            moves.append(
                {
                    "contact_id": current["id"],
                    "from_stage": current["lifecycle_stage"],
                    "to_stage": stage,
                    "at": context.now,
                    "reason": "imported update",
                    "overridden": False,
                }
            )
        updates.append({**changes, "id": current["id"], "version": current["version"]})
        report.updated += 1
    if inserts:
        ids = session.scalars(
            insert(Contact).returning(Contact.id, sort_by_parameter_order=True), inserts
        ).all()
        moves.extend(
            {
                "contact_id": cid,
                "from_stage": None,
                "to_stage": row["lifecycle_stage"],
                "at": row["created_at"],
                "reason": "imported",
                "overridden": False,
            }
            for row, cid in zip(inserts, ids, strict=True)
        )
        report.created += len(inserts)
    _apply_updates(context, Contact, updates)
    if moves:
        session.execute(insert(LifecycleTransition), moves)


def _write_opportunities(context: _Context, batch: list[convert.RowResult]) -> None:
    session, report = context.session, context.report
    context.account_ids({str(r.fields["account"]) for r in batch})
    by_ext = {r.fields["external_id"] for r in batch if r.fields.get("external_id")}
    names = {str(r.fields["name"]).lower() for r in batch if not r.fields.get("external_id")}
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
        Opportunity.compelling_event,
        Opportunity.description,
        Opportunity.custom,
    )
    existing_ext = (
        {
            row.external_id: row._asdict()
            for row in session.execute(select(*columns).where(Opportunity.external_id.in_(by_ext)))
        }
        if by_ext
        else {}
    )
    existing_name: dict[tuple[str, int], dict[str, Any]] = {}
    if names:
        for row in session.execute(select(*columns).where(func.lower(Opportunity.name).in_(names))):
            existing_name.setdefault((row.name.lower(), row.account_id), row._asdict())
    first_stage = min(context.stages.values(), key=lambda s: s.position)
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    changes_log: list[dict[str, Any]] = []
    for r in batch:
        f = r.fields
        stage = context.stages[f["stage"]] if f.get("stage") else first_stage
        account_id = context.accounts[str(f["account"]).lower()]
        amounts = rules.compute_amounts(acv=f.get("acv"), term_months=f.get("term_months"))
        values = {
            "name": f["name"],
            "account_id": account_id,
            "owner_id": context.owner_id(f.get("owner")),
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
            "compelling_event": f.get("compelling_event"),
            "description": f.get("description"),
        }
        custom = context.custom(r)
        if "outcome" in f:
            custom["outcome"] = f["outcome"]
        current = (
            existing_ext.get(f["external_id"])
            if f.get("external_id")
            else existing_name.get((str(f["name"]).lower(), account_id))
        )
        created = f.get("created_at") or context.now
        if current is None:
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
            continue
        changes = _changed(current, {**values, "custom": _merge_custom(current["custom"], custom)})
        if not changes or not context.update:
            report.unchanged += 1
            continue
        if "stage_id" in changes:
            changes.update(
                stage_entered_at=context.now,
                forecast_category=stage.forecast_category,
                closed_at=context.now if stage.is_closed else None,
            )
            changes_log.append(
                {
                    "opportunity_id": current["id"],
                    "from_stage_id": current["stage_id"],
                    "to_stage_id": stage.id,
                    "at": context.now,
                    "reason": "imported update",
                    "overridden": False,
                }
            )
        updates.append({**changes, "id": current["id"], "version": current["version"]})
        report.updated += 1
    if inserts:
        ids = session.scalars(
            insert(Opportunity).returning(Opportunity.id, sort_by_parameter_order=True), inserts
        ).all()
        changes_log.extend(
            {
                "opportunity_id": oid,
                "from_stage_id": None,
                "to_stage_id": row["stage_id"],
                "at": row["created_at"],
                "reason": "imported",
                "overridden": False,
            }
            for row, oid in zip(inserts, ids, strict=True)
        )
        report.created += len(inserts)
    _apply_updates(context, Opportunity, updates)
    if changes_log:
        session.execute(insert(StageChange), changes_log)
