"""How a file's columns and values map onto Techwin's fields: presets plus an optional YAML file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from techwin.errors import InvalidInput
from techwin.pipeline.enums import CustomFieldType
from techwin.pipeline.imports.fields import FIELDS, REQUIRED, Kind
from techwin.pipeline.imports.presets import PRESETS, generic_preset
from techwin.pipeline.imports.source import DEFAULT_NULLS

PRESET_NAMES = ("generic", "salesforce", "hubspot")
IGNORE = "ignore"
CUSTOM_PREFIX = "custom:"


class MappingFile(BaseModel):
    """A mapping as people write it in YAML (every part optional; it refines the preset)."""

    model_config = ConfigDict(extra="forbid")

    columns: dict[str, str] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    date_formats: list[str] = Field(default_factory=list)
    nulls: list[str] | None = None
    custom_types: dict[str, CustomFieldType] = Field(default_factory=dict)
    unmapped: Literal["custom", "ignore"] = "custom"
    encoding: str | None = None
    delimiter: str | None = None


def custom_key(header: str) -> str:
    """A stable key for a column kept as a custom field: "Annual Revenue ($)" → annual_revenue."""
    key = re.sub(r"[^a-z0-9]+", "_", header.lower()).strip("_")
    if not key or not key[0].isalpha():
        key = f"f_{key}"
    return key[:60]


def load_mapping_file(path: Path) -> MappingFile:
    """Read and validate a YAML mapping file."""
    if not path.is_file():
        raise InvalidInput(f"no such mapping file: {path}", field="map")
    try:
        data = yaml.safe_load(path.read_text("utf-8")) or {}
        return MappingFile.model_validate(data)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"the mapping file is not valid YAML: {exc}", field="map") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(f"mapping file, {where}: {first['msg']}", field="map") from exc


@dataclass(frozen=True)
class Target:
    """Where one column goes."""

    field: str | None  # a built-in field, or None for a custom field
    kind: Kind | None
    custom: str | None  # custom field key


@dataclass(frozen=True)
class Plan:
    """The resolved mapping for one file."""

    entity: str
    targets: dict[str, Target]
    values: dict[str, dict[str, str]]
    date_formats: list[str]
    nulls: frozenset[str]
    custom_types: dict[str, CustomFieldType]

    def column_of(self, field: str) -> str | None:
        """The header that fills ``field``, if any."""
        for header, target in self.targets.items():
            if target.field == field:
                return header
        return None


def resolve(entity: str, header: list[str], *, preset: str, extra: MappingFile | None) -> Plan:
    """Match the file's header against the preset and the mapping file; refuse what cannot work."""
    if entity not in FIELDS:
        raise InvalidInput(
            f"unknown record type {entity!r}; use accounts, contacts or opportunities",
            field="entity",
        )
    if preset not in PRESET_NAMES:
        raise InvalidInput(
            f"unknown preset {preset!r}; use {', '.join(PRESET_NAMES)}", field="preset"
        )
    fields = FIELDS[entity]
    base: dict[str, Any] = (
        PRESETS[preset][entity] if preset != "generic" else generic_preset(entity, list(fields))
    )
    extra = extra or MappingFile()
    missing = [c for c in extra.columns if c not in header]
    if missing:
        raise InvalidInput(
            f"the mapping names column {missing[0]!r}, which is not in the file", field="map"
        )
    columns = {**base["columns"], **extra.columns}
    targets: dict[str, Target] = {}
    for column in header:
        wanted = columns.get(column)
        if wanted is None:
            if extra.unmapped == "ignore":
                continue
            wanted = CUSTOM_PREFIX + custom_key(column)
        if wanted == IGNORE:
            continue
        if wanted.startswith(CUSTOM_PREFIX) or wanted == "custom":
            key = wanted.removeprefix(CUSTOM_PREFIX) if wanted != "custom" else custom_key(column)
            if key in fields:
                targets[column] = Target(field=key, kind=fields[key], custom=None)
            else:
                targets[column] = Target(field=None, kind=None, custom=custom_key(key))
            continue
        if wanted not in fields:
            raise InvalidInput(
                f"column {column!r} maps to {wanted!r}, which is not a {entity} field; "
                f"fields: {', '.join(fields)}",
                field="map",
            )
        if any(t.field == wanted for t in targets.values()):
            continue  # presets list alternatives (Lead Owner / Contact Owner): the first one wins
        targets[column] = Target(field=wanted, kind=fields[wanted], custom=None)
    mapped = {t.field for t in targets.values()}
    for required in REQUIRED[entity]:
        if required not in mapped:
            raise InvalidInput(f"no column maps to {required!r}, which {entity} need", field="map")
    preset_values: dict[str, dict[str, str]] = base.get("values", {})
    values = {  # a mapping's value map adds to (or overrides) the preset's, field by field
        field: {**preset_values.get(field, {}), **extra.values.get(field, {})}
        for field in {*preset_values, *extra.values}
    }
    nulls = frozenset(extra.nulls if extra.nulls is not None else DEFAULT_NULLS)
    return Plan(
        entity=entity,
        targets=targets,
        values=values,
        date_formats=extra.date_formats or list(base.get("date_formats", [])) or ["%Y-%m-%d"],
        nulls=nulls,
        custom_types=dict(extra.custom_types),
    )
