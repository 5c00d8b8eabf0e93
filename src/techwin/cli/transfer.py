"""`techwin import …` and `techwin export …`: CSV in and out of Techwin."""

from __future__ import annotations

import csv
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from techwin.cli.context import open_engine, unit_of_work
from techwin.cli.output import (
    err_console,
    print_json,
    print_note,
    print_success,
    print_table,
    progress_reporter,
)
from techwin.core.csvout import neutralise
from techwin.errors import InvalidInput
from techwin.pipeline.imports.export import export_table
from techwin.pipeline.imports.mapping import load_mapping_file
from techwin.pipeline.imports.report import ImportRejected, ImportReport
from techwin.pipeline.imports.service import import_file
from techwin.scoring.event_import import import_events


class Entity(StrEnum):
    """Record types a file can hold."""

    accounts = "accounts"
    contacts = "contacts"
    opportunities = "opportunities"
    events = "events"


class ExportEntity(StrEnum):
    """Tables that can be exported."""

    accounts = "accounts"
    contacts = "contacts"
    opportunities = "opportunities"
    transitions = "transitions"


class Preset(StrEnum):
    """Column and value maps of common exports."""

    generic = "generic"
    salesforce = "salesforce"
    hubspot = "hubspot"


def _summary(report: ImportReport) -> None:
    verb = "Would import" if report.dry_run else "Imported"
    print_table(
        f"{verb} {report.entity} ({report.preset} preset, {report.encoding}, "
        f"delimiter {report.delimiter!r})",
        ("Rows", "Created", "Updated", "Unchanged", "New accounts", "Seconds"),
        [
            (
                report.rows,
                report.created,
                report.updated,
                report.unchanged,
                report.created_accounts,
                f"{report.seconds:.1f}",
            )
        ],
    )
    if report.custom_fields:
        new = set(report.new_custom_fields)
        print_table(
            "Custom fields",
            ("Key", "Type", ""),
            [(k, t, "new" if k in new else "") for k, t in report.custom_fields.items()],
        )
    if report.created_users:
        print_note(f"created inactive users: {', '.join(report.created_users)}")


def import_command(
    entity: Annotated[
        Entity,
        typer.Argument(
            help="What the file holds. Events: one engagement event per row, the contact by "
            "contact_id, external_id or email, with kind and occurred_at columns."
        ),
    ],
    file: Annotated[Path, typer.Argument(help="The CSV file.", exists=False)],
    preset: Annotated[
        Preset, typer.Option(help="Whose export it is: column names and stage values.")
    ] = Preset.generic,
    map_file: Annotated[
        Path | None,
        typer.Option(
            "--map",
            help="A YAML mapping that refines the preset "
            "(columns, values, date formats, nulls, custom types).",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Check every row and count what would change; write nothing."
        ),
    ] = False,
    update: Annotated[
        bool,
        typer.Option("--update", help="Bring records that already exist in line with the file."),
    ] = False,
    create_users: Annotated[
        bool,
        typer.Option(
            "--create-users",
            help="Create owners the file names but Techwin does not know, as inactive users.",
        ),
    ] = False,
    skip_scoring: Annotated[
        bool,
        typer.Option(
            "--skip-scoring",
            help="Do not score imported contacts now (a very large migration); run "
            "`techwin scoring recompute` afterwards.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import a CSV file: every row is checked first; any bad row means nothing is written.
    Imported contacts are scored in the same run."""
    mapping = load_mapping_file(map_file) if map_file else None
    try:
        with (
            open_engine() as engine,
            unit_of_work(engine) as session,
            progress_reporter() as report_progress,
        ):
            if entity is Entity.events:
                if update or create_users or preset is not Preset.generic:
                    raise InvalidInput(
                        "events are only added: --update, --create-users and --preset do not apply",
                        field="entity",
                    )
                report = import_events(
                    session,
                    actor=None,
                    path=file,
                    mapping=mapping,
                    dry_run=dry_run,
                    progress=report_progress,
                )
            else:
                report = import_file(
                    session,
                    actor=None,
                    entity=entity.value,
                    path=file,
                    preset=preset.value,
                    mapping=mapping,
                    dry_run=dry_run,
                    update=update,
                    create_users=create_users,
                    progress=report_progress,
                    follow_up=not skip_scoring,
                )
    except ImportRejected as rejected:
        if as_json:
            print_json(rejected.report.to_dict())
        else:
            errors = sorted(rejected.report.errors, key=lambda e: (e.line, e.column))
            shown = errors[:25]
            err_console.print(f"{rejected.report.error_count} bad row(s) in {file.name}:")
            for e in shown:
                err_console.print(f"  line {e.line}, {e.column}: {e.reason}", soft_wrap=True)
            if rejected.report.error_count > len(shown):
                err_console.print(
                    f"  … and {rejected.report.error_count - len(shown)} more (use --json for all)"
                )
        raise
    if as_json:
        print_json(report.to_dict())
        return
    _summary(report)
    if dry_run:
        print_note("Dry run: nothing was written.")
    else:
        print_success(f"{report.created + report.updated} {entity.value} written.")


def export_command(
    entity: Annotated[ExportEntity, typer.Argument(help="Which table.")],
    file: Annotated[
        Path | None, typer.Argument(help="Where to write; '-' or nothing for standard output.")
    ] = None,
) -> None:
    """Write a whole table as CSV (custom fields included); `--preset generic` imports it back."""
    out = (
        sys.stdout
        if file is None or str(file) == "-"
        else file.open("w", newline="", encoding="utf-8")
    )
    written = 0
    try:
        with open_engine() as engine, unit_of_work(engine) as session:
            header, rows = export_table(session, entity.value)
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow(header)
            for row in rows:
                writer.writerow([neutralise(v) for v in row])
                written += 1
    finally:
        if out is not sys.stdout:
            out.close()
    if out is not sys.stdout:
        print_success(f"Exported {written:,} {entity.value} to {file}.")
