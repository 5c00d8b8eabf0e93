"""Look before importing: which preset a header fits, where each column goes, the first rows as
they will be stored, and a dry run of the whole file — the same engine as the real import."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from techwin.auth.models import User
from techwin.errors import InvalidInput
from techwin.pipeline.enums import LIFECYCLE_LABELS, SENIORITY_LABELS, LifecycleStage, Seniority
from techwin.pipeline.imports import convert, source
from techwin.pipeline.imports.fields import FIELDS, Kind
from techwin.pipeline.imports.mapping import PRESET_NAMES, MappingFile, resolve
from techwin.pipeline.imports.presets import PRESETS
from techwin.pipeline.imports.report import ImportRejected, ImportReport
from techwin.pipeline.imports.service import import_file, require_importer
from techwin.pipeline.models import CustomField
from techwin.pipeline.opportunities import default_pipeline

AUTO = "auto"
PREVIEW_ROWS = 10
SAMPLE_ROWS = 1000  # how far to look for a non-empty example of each column
MAX_MAPPING_CHARS = 256 * 1024


def parse_mapping(text: str | None, *, field: str = "mapping") -> MappingFile | None:
    """A YAML mapping as typed or uploaded; errors name ``field`` and say what is wrong."""
    if text is None or not text.strip():
        return None
    if len(text) > MAX_MAPPING_CHARS:
        raise InvalidInput("the mapping is over 256 KiB; a mapping is a few lines", field=field)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"the mapping is not valid YAML: {exc}", field=field) from exc
    if data is None:
        return None
    if not isinstance(data, dict):
        raise InvalidInput(
            "the mapping is YAML but not a mapping: start with keys such as 'columns:' "
            "or 'values:'",
            field=field,
        )
    try:
        return MappingFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(f"{where}: {first['msg']}", field=field) from exc


def guess_preset(entity: str, header: list[str]) -> str:
    """The preset whose column names the header matches most (generic on a tie or no match)."""
    names = set(header)
    scores = {"generic": len(names & set(FIELDS.get(entity, {})))}
    for name in PRESET_NAMES:
        if name != "generic":
            scores[name] = len(names & set(PRESETS[name].get(entity, {}).get("columns", {})))
    return max(scores, key=lambda name: scores[name])


@dataclass(frozen=True)
class ColumnPreview:
    """Where one column of the file goes: a built-in field, a custom field, or nowhere."""

    column: str
    field: str | None
    custom: str | None
    kind: str | None
    existing: bool = False  # the custom field is already registered
    sample: str | None = None


@dataclass(frozen=True)
class RowPreview:
    """One row of the file as it will be stored (custom cells still as text)."""

    line: int
    cells: dict[str, str]
    errors: dict[str, str]


@dataclass
class ImportPreview:
    """What the first rows of a file turn into, and how the file was read."""

    entity: str
    preset: str
    guessed: bool
    encoding: str
    delimiter: str
    columns: list[ColumnPreview] = field(default_factory=list)
    rows: list[RowPreview] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


def _shown(value: Any, kind: Kind | None, stage_names: dict[str, str]) -> str:
    """A converted value as a person reads it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, LifecycleStage):
        return LIFECYCLE_LABELS[value]
    if isinstance(value, Seniority):
        return SENIORITY_LABELS[value]
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M" if value.hour or value.minute else "%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if kind is Kind.DEAL_STAGE:
        return stage_names.get(str(value), str(value))
    return str(value)


def preview_file(
    session: Session,
    *,
    entity: str,
    path: Path,
    preset: str = AUTO,
    mapping: MappingFile | None = None,
    limit: int = PREVIEW_ROWS,
) -> ImportPreview:
    """Read the header and the first ``limit`` rows the way an import would; nothing is written.

    Bad files and mappings raise :class:`InvalidInput` naming the field, as the import does;
    bad cells are listed per row (the dry run lists them for the whole file).
    """
    mapping = mapping or MappingFile()
    fmt = source.detect(path, encoding=mapping.encoding, delimiter=mapping.delimiter)
    guessed = preset == AUTO
    chosen = guess_preset(entity, fmt.header) if guessed else preset
    plan = resolve(entity, fmt.header, preset=chosen, extra=mapping)
    pipeline = default_pipeline(session)
    stage_names = {s.key: s.name for s in pipeline.stages}
    reader = convert.RowReader(plan, frozenset(stage_names))
    registered = set(
        session.scalars(
            select(CustomField.key).where(CustomField.entity == entity.removesuffix("s"))
        )
    )
    rows: list[RowPreview] = []
    samples: dict[str, str] = {}
    for index, (line, raw) in enumerate(source.read_rows(path, fmt, nulls=plan.nulls)):
        if index >= SAMPLE_ROWS or (len(rows) >= limit and len(samples) >= len(fmt.header)):
            break
        for column, text in raw.items():
            if text is not None and column not in samples and column != "__error__":
                samples[column] = text
        if len(rows) < limit:
            result = reader.convert(line, raw)
            cells = {
                column: _shown(result.fields.get(target.field), target.kind, stage_names)
                if target.field is not None
                else (result.custom.get(target.custom or "") or "")
                for column, target in plan.targets.items()
            }
            rows.append(RowPreview(line=line, cells=cells, errors=dict(result.errors)))
    columns = []
    for column in fmt.header:
        target = plan.targets.get(column)
        columns.append(
            ColumnPreview(
                column=column,
                field=target.field if target else None,
                custom=target.custom if target else None,
                kind=target.kind.value if target and target.kind else None,
                existing=bool(target and target.custom in registered),
                sample=samples.get(column),
            )
        )
    return ImportPreview(
        entity=entity,
        preset=chosen,
        guessed=guessed,
        encoding=fmt.encoding,
        delimiter=fmt.delimiter,
        columns=columns,
        rows=rows,
    )


def check_file(
    session: Session,
    *,
    actor: User | None,
    entity: str,
    path: Path,
    preset: str = AUTO,
    mapping: MappingFile | None = None,
    update: bool = False,
    create_users: bool = False,
) -> tuple[ImportPreview, ImportReport]:
    """The preview and a dry run of the whole file; bad rows are in the report, not raised."""
    require_importer(actor)
    preview = preview_file(session, entity=entity, path=path, preset=preset, mapping=mapping)
    try:
        report = import_file(
            session,
            actor=actor,
            entity=entity,
            path=path,
            preset=preview.preset,
            mapping=mapping,
            dry_run=True,
            update=update,
            create_users=create_users,
        )
    except ImportRejected as rejected:
        report = rejected.report
    return preview, report
